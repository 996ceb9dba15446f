package messages

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

func genFinished() *rapid.Generator[Finished] {
	return rapid.Custom(func(t *rapid.T) Finished {
		return Finished{VerifyData: genOpaque(0, 48).Draw(t, "verify_data")}
	})
}

func TestFinishedRoundTrip(t *testing.T) {
	checkRoundTrip[Finished](t, genFinished())
}

func TestFinishedCaptured(t *testing.T) {
	for _, c := range capturesNamed(t, "Finished") {
		var m Finished
		if err := m.Unmarshal(c.Data); err != nil {
			t.Errorf("%s:%d: %v", c.File, c.Line, err)
			continue
		}
		// Every TLS 1.2 suite in these captures has verify_data_length 12.
		if len(m.VerifyData) != 12 {
			t.Errorf("%s:%d: verify_data is %d bytes, want 12", c.File, c.Line, len(m.VerifyData))
		}
		if !bytes.Equal(m.VerifyData, c.Data[4:]) {
			t.Errorf("%s:%d: VerifyData is not the body", c.File, c.Line)
		}
	}
}

func TestFinishedAliasesInput(t *testing.T) {
	data := []byte{20, 0, 0, 2, 7, 8}
	var m Finished
	if err := m.Unmarshal(data); err != nil {
		t.Fatal(err)
	}
	data[4] = 9
	if m.VerifyData[0] != 9 {
		t.Errorf("VerifyData does not alias the input, as documented")
	}
}

func TestFinishedErrors(t *testing.T) {
	var m Finished
	err := m.Unmarshal([]byte{20, 0, 0, 12, 1, 2})
	wantDecodeError(t, err, AlertDecodeError, "handshake body: truncated")
	err = m.Unmarshal([]byte{20, 0, 0, 1, 1, 2})
	wantDecodeError(t, err, AlertDecodeError, "handshake message: 1 trailing bytes")
	err = m.Unmarshal([]byte{2, 0, 0, 0})
	wantDecodeError(t, err, AlertUnexpectedMessage, "handshake type is ServerHello")
	if m.VerifyData != nil {
		t.Errorf("failed Unmarshal modified the message")
	}
	// A verify_data too long for the 24-bit length cannot be encoded.
	_, err = (&Finished{VerifyData: make([]byte, 1<<24)}).Marshal()
	wantDecodeError(t, err, AlertInternalError, "encoding")
}

func FuzzFinished(f *testing.F) {
	fuzzCanonical[Finished](f, "Finished")
}
