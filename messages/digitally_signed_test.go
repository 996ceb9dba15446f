package messages

import (
	"bytes"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	"pgregory.net/rapid"
)

func genDigitallySigned() *rapid.Generator[DigitallySigned] {
	return rapid.Custom(func(t *rapid.T) DigitallySigned {
		return DigitallySigned{
			Algorithm: SignatureScheme(rapid.Uint16().Draw(t, "alg")),
			Signature: genOpaque(0, 80).Draw(t, "sig"),
		}
	})
}

func TestDigitallySignedAppend(t *testing.T) {
	d := DigitallySigned{Algorithm: SignatureECDSAP256SHA256, Signature: []byte{0xaa, 0xbb}}
	got := d.Append([]byte{0xff})
	if want := mustHex(t, "ff 0403 0002 aabb"); !bytes.Equal(got, want) {
		t.Errorf("Append = %x, want %x", got, want)
	}
	if got := (DigitallySigned{Signature: make([]byte, 1<<16)}).Append([]byte{1}); got != nil {
		t.Errorf("Append of an oversized signature = %d bytes, want nil", len(got))
	}
}

func TestDigitallySignedRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := genDigitallySigned().Draw(t, "d")
		b := d.Append(nil)
		p := parser{typ: HandshakeTypeCertificateVerify}
		s := cryptobyte.String(b)
		var got DigitallySigned
		if !readDigitallySigned(&p, &s, &got) || !s.Empty() {
			t.Fatalf("readDigitallySigned(%x): %v", b, p.err)
		}
		if got.Algorithm != d.Algorithm || !bytes.Equal(got.Signature, d.Signature) || (got.Signature == nil) != (d.Signature == nil) {
			t.Fatalf("got %+v, want %+v", got, d)
		}
	})
}
