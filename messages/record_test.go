package messages

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

func TestRecordLimits(t *testing.T) {
	// RFC 5246, Sections 6.2.1 and 6.2.3: 2^14 and 2^14+2048.
	if MaxPlaintext != 16384 || MaxCiphertext != 18432 || RecordHeaderLen != 5 {
		t.Errorf("MaxPlaintext=%d MaxCiphertext=%d RecordHeaderLen=%d", MaxPlaintext, MaxCiphertext, RecordHeaderLen)
	}
}

func TestRecordHeaderVector(t *testing.T) {
	// The first record header s_client sent in
	// openssl-3.0.19-ecdhe-rsa-clientauth.txt (printed by -msg): a
	// handshake record, version TLS 1.0, 0x00e6 bytes.
	b := mustHex(t, "16 03 01 00 e6")
	h, ok := ParseRecordHeader(b)
	want := RecordHeader{Type: ContentTypeHandshake, Version: VersionTLS10, Length: 0xe6}
	if !ok || h != want {
		t.Fatalf("ParseRecordHeader = %+v, %v; want %+v", h, ok, want)
	}
	if got := h.Append(nil); !bytes.Equal(got, b) {
		t.Errorf("Append = %x, want %x", got, b)
	}
}

func TestRecordHeaderRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		h := RecordHeader{
			Type:    ContentType(rapid.Uint8().Draw(t, "type")),
			Version: rapid.Uint16().Draw(t, "version"),
			Length:  rapid.Uint16().Draw(t, "length"),
		}
		prefix := genOpaque(0, 8).Draw(t, "prefix")
		b := h.Append(append([]byte(nil), prefix...))
		if len(b) != len(prefix)+RecordHeaderLen || !bytes.Equal(b[:len(prefix)], prefix) {
			t.Fatalf("Append(%x) = %x", prefix, b)
		}
		rest := genOpaque(0, 8).Draw(t, "rest")
		got, ok := ParseRecordHeader(append(b[len(prefix):], rest...))
		if !ok || got != h {
			t.Fatalf("ParseRecordHeader = %+v, %v; want %+v", got, ok, h)
		}
		for i := 0; i < RecordHeaderLen; i++ {
			if _, ok := ParseRecordHeader(b[len(prefix) : len(prefix)+i]); ok {
				t.Fatalf("a %d-byte prefix parsed", i)
			}
		}
	})
}

func FuzzRecordHeader(f *testing.F) {
	f.Add([]byte{22, 3, 1, 0, 0xe6})
	f.Add([]byte{23, 3, 3, 0x48, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, ok := ParseRecordHeader(b)
		if ok != (len(b) >= RecordHeaderLen) {
			t.Fatalf("ParseRecordHeader(%x) ok = %v", b, ok)
		}
		if ok && !bytes.Equal(h.Append(nil), b[:RecordHeaderLen]) {
			t.Fatalf("Append(ParseRecordHeader(%x)) = %x", b, h.Append(nil))
		}
	})
}
