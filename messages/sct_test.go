package messages

import (
	"bytes"
	"errors"
	"testing"
)

func TestParseSCTList(t *testing.T) {
	raw := []byte{0, 7, 0, 2, 1, 2, 0, 1, 9}
	scts, err := ParseSCTList(raw)
	if err != nil || len(scts) != 2 || !bytes.Equal(scts[0], []byte{1, 2}) || !bytes.Equal(scts[1], []byte{9}) {
		t.Fatalf("got %x, %v", scts, err)
	}
	if back := AppendSCTList(nil, scts); !bytes.Equal(back, raw) {
		t.Errorf("AppendSCTList = %x, want %x", back, raw)
	}
	for name, bad := range map[string][]byte{
		"empty list": {0, 0},
		"empty SCT":  {0, 6, 0, 2, 1, 2, 0, 0},
		"truncated":  {0, 7, 0, 2, 1},
		"trailing":   {0, 3, 0, 1, 1, 0},
		"nothing":    {},
	} {
		_, err := ParseSCTList(bad)
		var de *DecodeError
		if !errors.As(err, &de) || de.Alert != AlertDecodeError {
			t.Errorf("%s: err %v, want decode_error", name, err)
		}
	}
}

// FuzzSCTList: any input either fails with a DecodeError or is a list of
// non-empty SCTs that AppendSCTList turns back into the input.
func FuzzSCTList(f *testing.F) {
	f.Add([]byte{0, 7, 0, 2, 1, 2, 0, 1, 9})
	f.Add([]byte{0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		scts, err := ParseSCTList(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a DecodeError", err)
			}
			return
		}
		for _, s := range scts {
			if len(s) == 0 {
				t.Fatal("empty SCT accepted")
			}
		}
		if back := AppendSCTList(nil, scts); !bytes.Equal(back, data) {
			t.Fatalf("re-encoding %x differs from input %x", back, data)
		}
	})
}
