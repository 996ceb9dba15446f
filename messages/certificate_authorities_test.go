package messages

import (
	"bytes"
	"errors"
	"testing"
)

func TestParseCertificateAuthorities(t *testing.T) {
	ok := []byte{0, 9, 0, 2, 'A', 'B', 0, 3, 'C', 'D', 'E'}
	got, err := ParseCertificateAuthorities(ok)
	if err != nil || len(got) != 2 || !bytes.Equal(got[0], []byte("AB")) || !bytes.Equal(got[1], []byte("CDE")) {
		t.Fatalf("got %q, %v", got, err)
	}
	ch := &ClientHello{Unknown: []Extension{{Type: 0x1a1a}, {Type: ExtensionCertificateAuthorities, Data: ok}}}
	if got, err := ch.CertificateAuthorities(); err != nil || len(got) != 2 {
		t.Fatalf("ClientHello: %q, %v", got, err)
	}
	if got, err := (&ClientHello{}).CertificateAuthorities(); got != nil || err != nil {
		t.Fatalf("absent: %q, %v", got, err)
	}
	for name, bad := range map[string][]byte{
		"empty":          {},
		"empty list":     {0, 0},
		"short list":     {0, 2, 0, 0},
		"empty name":     {0, 3, 0, 0, 'A'},
		"truncated":      {0, 9, 0, 2, 'A'},
		"trailing":       append(append([]byte{}, ok...), 0),
		"name overflows": {0, 3, 0, 5, 'A'},
	} {
		_, err := ParseCertificateAuthorities(bad)
		var de *DecodeError
		if !errors.As(err, &de) || de.Alert != AlertDecodeError {
			t.Errorf("%s: err %v, want a decode_error DecodeError", name, err)
		}
	}
}

// FuzzCertificateAuthorities: any input either fails with a DecodeError or
// yields non-empty names that re-encode to exactly the input.
func FuzzCertificateAuthorities(f *testing.F) {
	f.Add([]byte{0, 9, 0, 2, 'A', 'B', 0, 3, 'C', 'D', 'E'})
	f.Add([]byte{0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		names, err := ParseCertificateAuthorities(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a DecodeError", err)
			}
			return
		}
		var body []byte
		for _, n := range names {
			if len(n) == 0 {
				t.Fatal("empty name accepted")
			}
			body = append(body, byte(len(n)>>8), byte(len(n)))
			body = append(body, n...)
		}
		if back := append([]byte{byte(len(body) >> 8), byte(len(body))}, body...); !bytes.Equal(back, data) {
			t.Fatalf("re-encoding %x differs from input %x", back, data)
		}
	})
}
