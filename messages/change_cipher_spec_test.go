package messages

import (
	"bytes"
	"errors"
	"testing"
)

func TestChangeCipherSpec(t *testing.T) {
	b := AppendChangeCipherSpec([]byte{0xaa})
	if !bytes.Equal(b, []byte{0xaa, 1}) {
		t.Fatalf("AppendChangeCipherSpec = %x", b)
	}
	if err := ParseChangeCipherSpec(b[1:]); err != nil {
		t.Fatalf("ParseChangeCipherSpec(01): %v", err)
	}
	for _, c := range capturesNamed(t, "ChangeCipherSpec") {
		if err := ParseChangeCipherSpec(c.Data); err != nil {
			t.Errorf("%s:%d: %v", c.File, c.Line, err)
		}
	}
}

func TestChangeCipherSpecErrors(t *testing.T) {
	tests := []struct {
		body []byte
		what string
	}{
		{nil, "empty"},
		{[]byte{2}, "type 2"},           // BoGo BadChangeCipherSpec-1
		{[]byte{0}, "type 0"},           //
		{[]byte{1, 1}, "1 trailing"},    // BoGo BadChangeCipherSpec-2, tlsfuzzer "two bytes long CCS"
		{[]byte{1, 0, 0}, "2 trailing"}, //
	}
	for _, tt := range tests {
		err := ParseChangeCipherSpec(tt.body)
		wantDecodeError(t, err, AlertUnexpectedMessage, tt.what)
	}
}

func FuzzChangeCipherSpec(f *testing.F) {
	f.Add([]byte{1})
	f.Add([]byte{1, 1})
	f.Fuzz(func(t *testing.T, body []byte) {
		err := ParseChangeCipherSpec(body)
		if (err == nil) != bytes.Equal(body, []byte{1}) {
			t.Fatalf("ParseChangeCipherSpec(%x) = %v", body, err)
		}
		var de *DecodeError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error %v is not a *DecodeError", err)
		}
	})
}
