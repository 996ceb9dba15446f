package messages

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

func TestServerHelloDone(t *testing.T) {
	b, err := new(ServerHelloDone).Marshal()
	if err != nil || !bytes.Equal(b, []byte{14, 0, 0, 0}) {
		t.Fatalf("Marshal = %x, %v", b, err)
	}
	for _, c := range capturesNamed(t, "ServerHelloDone") {
		if err := new(ServerHelloDone).Unmarshal(c.Data); err != nil {
			t.Errorf("%s:%d: %v", c.File, c.Line, err)
		}
	}
}

func TestServerHelloDoneRoundTrip(t *testing.T) {
	checkRoundTrip[ServerHelloDone](t, rapid.Just(ServerHelloDone{}))
}

func TestServerHelloDoneErrors(t *testing.T) {
	err := new(ServerHelloDone).Unmarshal([]byte{14, 0, 0, 2, 0, 0})
	wantDecodeError(t, err, AlertDecodeError, "ServerHelloDone body: 2 trailing bytes")
	err = new(ServerHelloDone).Unmarshal([]byte{14, 0, 0, 1})
	wantDecodeError(t, err, AlertDecodeError, "handshake body: truncated")
}

func FuzzServerHelloDone(f *testing.F) {
	fuzzCanonical[ServerHelloDone](f, "ServerHelloDone")
}
