package messages

import (
	"bytes"
	"errors"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

func TestParserVecPrefixWidth(t *testing.T) {
	tests := []struct {
		max   int
		input []byte
	}{
		{0xff, []byte{2, 'h', 'i'}},
		{0xffff, []byte{0, 2, 'h', 'i'}},
		{maxUint24, []byte{0, 0, 2, 'h', 'i'}},
	}
	for _, tt := range tests {
		p := parser{typ: HandshakeTypeFinished}
		s := cryptobyte.String(tt.input)
		var v cryptobyte.String
		if !p.vec(&s, &v, 0, tt.max, "v") || string(v) != "hi" || !s.Empty() {
			t.Errorf("max %d: got %q, err %v, rest %x", tt.max, v, p.err, []byte(s))
		}
	}
}

func TestParserBounds(t *testing.T) {
	p := parser{typ: HandshakeTypeFinished}
	s := cryptobyte.String([]byte{1, 'x'})
	var v cryptobyte.String
	if p.vec(&s, &v, 2, 0xff, "field") {
		t.Fatal("a 1-byte vector passed a <2..255> bound")
	}
	wantDecodeError(t, p.err, AlertDecodeError, "field: length 1 outside <2..255>")
	// The first failure is kept.
	p.illegal("later failure")
	if p.err.What != "field: length 1 outside <2..255>" || p.err.Alert != AlertDecodeError {
		t.Errorf("first failure overwritten: %v", p.err)
	}
}

func TestList16(t *testing.T) {
	p := parser{typ: HandshakeTypeClientHello}
	s := cryptobyte.String([]byte{0, 4, 0x0a, 0x0a, 0x00, 0x1d})
	var out []NamedGroup
	if !list16(&p, &s, &out, 2, 0xffff, "groups") || len(out) != 2 || out[0] != 0x0a0a || out[1] != GroupX25519 {
		t.Errorf("got %v, %v", out, p.err)
	}
	s = cryptobyte.String([]byte{0, 1, 0})
	p = parser{typ: HandshakeTypeClientHello}
	if list16(&p, &s, &out, 0, 0xffff, "groups") {
		t.Error("odd-length list accepted")
	}
	wantDecodeError(t, p.err, AlertDecodeError, "groups: odd length 1")
}

func TestNilIfEmpty(t *testing.T) {
	if nilIfEmpty([]byte{}) != nil || nilIfEmpty(nil) != nil || !bytes.Equal(nilIfEmpty([]byte{1}), []byte{1}) {
		t.Error("nilIfEmpty")
	}
}

func TestAppendFixed(t *testing.T) {
	got := appendFixed([]byte{9}, func(b *builder) { b.AddUint16(0x0102) })
	if !bytes.Equal(got, []byte{9, 1, 2}) {
		t.Errorf("appendFixed = %x", got)
	}
	got = appendFixed([]byte{9}, func(b *builder) {
		b.AddUint8LengthPrefixed(func(b *builder) { b.AddBytes(make([]byte, 256)) })
	})
	if got != nil {
		t.Errorf("appendFixed with an overflowing prefix = %d bytes, want nil", len(got))
	}
}

func TestEncodeError(t *testing.T) {
	de := &DecodeError{Type: HandshakeTypeFinished, What: "x", Alert: AlertInternalError}
	if got := encodeError(HandshakeTypeClientHello, de); got != de {
		t.Errorf("a *DecodeError was rewrapped: %v", got)
	}
	err := encodeError(HandshakeTypeClientHello, errors.New("cryptobyte: boom"))
	wantDecodeError(t, err, AlertInternalError, "encoding: cryptobyte: boom")
	if !errors.As(err, &de) || de.Type != HandshakeTypeClientHello {
		t.Errorf("got %v", err)
	}
}

func TestMarshalHandshakeHeader(t *testing.T) {
	b, err := marshalHandshake(HandshakeTypeFinished, func(b *builder) { b.AddBytes([]byte{1, 2, 3}) })
	if err != nil || !bytes.Equal(b, []byte{20, 0, 0, 3, 1, 2, 3}) {
		t.Errorf("marshalHandshake = %x, %v", b, err)
	}
}
