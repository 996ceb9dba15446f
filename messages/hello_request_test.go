package messages

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

func TestHelloRequest(t *testing.T) {
	b, err := new(HelloRequest).Marshal()
	if err != nil || !bytes.Equal(b, []byte{0, 0, 0, 0}) {
		t.Fatalf("Marshal = %x, %v", b, err)
	}
	// OpenSSL's s_server asked for renegotiation with this message.
	data := findCapture(t, "openssl-3.0.19-dhe-rsa-renegotiation.txt", "s2c", "HelloRequest", 0)
	if err := new(HelloRequest).Unmarshal(data); err != nil {
		t.Fatalf("captured HelloRequest: %v", err)
	}
}

func TestHelloRequestRoundTrip(t *testing.T) {
	checkRoundTrip[HelloRequest](t, rapid.Just(HelloRequest{}))
}

func TestHelloRequestErrors(t *testing.T) {
	err := new(HelloRequest).Unmarshal([]byte{0, 0, 0, 1, 0})
	wantDecodeError(t, err, AlertDecodeError, "HelloRequest body: 1 trailing bytes")
	err = new(HelloRequest).Unmarshal([]byte{0, 0, 0, 0, 0})
	wantDecodeError(t, err, AlertDecodeError, "handshake message: 1 trailing bytes")
	err = new(HelloRequest).Unmarshal([]byte{14, 0, 0, 0})
	wantDecodeError(t, err, AlertUnexpectedMessage, "handshake type is ServerHelloDone")
}

func FuzzHelloRequest(f *testing.F) {
	fuzzCanonical[HelloRequest](f, "HelloRequest")
}
