package messages

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

func TestParseHandshakeHeader(t *testing.T) {
	typ, n, ok := ParseHandshakeHeader([]byte{1, 0x01, 0x02, 0x03, 0xff})
	if !ok || typ != HandshakeTypeClientHello || n != 0x010203 {
		t.Errorf("got %v, %d, %v", typ, n, ok)
	}
	typ, n, ok = ParseHandshakeHeader([]byte{20, 0xff, 0xff, 0xff})
	if !ok || typ != HandshakeTypeFinished || n != 1<<24-1 {
		t.Errorf("got %v, %d, %v", typ, n, ok)
	}
	for i := 0; i < HandshakeHeaderLen; i++ {
		if _, _, ok := ParseHandshakeHeader(make([]byte, i)); ok {
			t.Errorf("a %d-byte input parsed", i)
		}
	}
}

// TestParseCaptured parses every captured handshake message, checks that
// Parse picks the type named in the file, and that the message re-encodes
// to the captured bytes.
func TestParseCaptured(t *testing.T) {
	n := 0
	for _, c := range loadCaptures(t) {
		if c.Name == "Alert" || c.Name == "ChangeCipherSpec" {
			continue
		}
		n++
		m, err := Parse(c.Data)
		if err != nil {
			t.Errorf("%s:%d %s: %v", c.File, c.Line, c.Name, err)
			continue
		}
		if m.Type().String() != c.Name {
			t.Errorf("%s:%d: Parse returned a %v, want %s", c.File, c.Line, m.Type(), c.Name)
		}
		out, err := m.Marshal()
		if err != nil || !bytes.Equal(out, c.Data) {
			t.Errorf("%s:%d %s: re-encoding differs (%v)", c.File, c.Line, c.Name, err)
		}
	}
	if n < 60 {
		t.Errorf("only %d captured handshake messages", n)
	}
}

func TestParseErrors(t *testing.T) {
	_, err := Parse([]byte{1, 0, 0})
	wantDecodeError(t, err, AlertDecodeError, "handshake header: truncated")
	// Types this package does not parse, including TLS 1.3-only ones.
	for _, typ := range []HandshakeType{3, 5, 8, 21, 24, 254, 255} {
		_, err := Parse([]byte{byte(typ), 0, 0, 0})
		wantDecodeError(t, err, AlertUnexpectedMessage, "unknown handshake message type")
		var de *DecodeError
		if errors.As(err, &de) && de.Type != typ {
			t.Errorf("Type = %v, want %v", de.Type, typ)
		}
	}
	// A known type whose body is bad reports the message's own error.
	_, err = Parse([]byte{14, 0, 0, 1, 0})
	wantDecodeError(t, err, AlertDecodeError, "ServerHelloDone body")
	// A length that does not match the input.
	_, err = Parse([]byte{14, 0, 0, 0, 0})
	wantDecodeError(t, err, AlertDecodeError, "handshake message: 1 trailing bytes")
}

// asMessage turns a generator of message values into one of Messages.
func asMessage[T any, PT message[T]](g *rapid.Generator[T]) *rapid.Generator[Message] {
	return rapid.Map(g, func(m T) Message { return PT(&m) })
}

// genMessage generates any valid handshake message.
func genMessage() *rapid.Generator[Message] {
	return rapid.OneOf(
		asMessage[HelloRequest](rapid.Just(HelloRequest{})),
		asMessage[ServerHelloDone](rapid.Just(ServerHelloDone{})),
		asMessage[ClientHello](genClientHello()),
		asMessage[ServerHello](genServerHello()),
		asMessage[Certificate](genCertificate()),
		asMessage[ServerKeyExchange](genServerKeyExchange()),
		asMessage[CertificateRequest](genCertificateRequest()),
		asMessage[ClientKeyExchange](genClientKeyExchange()),
		asMessage[CertificateVerify](genCertificateVerify()),
		asMessage[Finished](genFinished()),
		asMessage[NewSessionTicket](genNewSessionTicket()),
		asMessage[CertificateStatus](genCertificateStatus()),
	)
}

// TestParseDispatch checks that Parse returns the message that was
// marshalled, whatever its type.
func TestParseDispatch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genMessage().Draw(t, "m")
		b, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if HandshakeType(b[0]) != m.Type() {
			t.Fatalf("Marshal wrote type %d for a %v", b[0], m.Type())
		}
		typ, n, ok := ParseHandshakeHeader(b)
		if !ok || typ != m.Type() || n != len(b)-HandshakeHeaderLen {
			t.Fatalf("header %v %d %v for %d bytes", typ, n, ok, len(b))
		}
		got, err := Parse(b)
		if err != nil || !reflect.DeepEqual(got, m) {
			t.Fatalf("Parse = %#v, %v; want %#v", got, err, m)
		}
	})
}

// FuzzParse checks that Parse never panics on any input, fails only with
// a *DecodeError, and that what it accepts re-encodes to the input. Every
// message except ClientHello re-encodes byte for byte; a ClientHello may
// differ only by an ignored non-ocsp status_request, and then Marshal must
// be idempotent.
func FuzzParse(f *testing.F) {
	for _, c := range loadCaptures(f) {
		if c.Name != "Alert" && c.Name != "ChangeCipherSpec" {
			f.Add(c.Data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			if de.Alert != AlertDecodeError && de.Alert != AlertIllegalParameter && de.Alert != AlertUnexpectedMessage {
				t.Fatalf("unexpected alert in %v", err)
			}
			return
		}
		if HandshakeType(data[0]) != m.Type() {
			t.Fatalf("Parse returned a %v for type %d", m.Type(), data[0])
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed %v: %v", m.Type(), err)
		}
		if bytes.Equal(out, data) {
			return
		}
		if _, ok := m.(*ClientHello); !ok || !hasIgnoredStatusRequest(data) {
			t.Fatalf("%v re-encodes differently\n got %x\nwant %x", m.Type(), out, data)
		}
		m2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(m)): %v", err)
		}
		if out2, err := m2.Marshal(); err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("Marshal is not idempotent (%v)", err)
		}
	})
}

func BenchmarkParseCertificate(b *testing.B) {
	data := findCapture(b, "openssl-3.0.19-ecdhe-rsa-clientauth.txt", "s2c", "Certificate", 0)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
