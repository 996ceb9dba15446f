package messages

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

func genNewSessionTicket() *rapid.Generator[NewSessionTicket] {
	return rapid.Custom(func(t *rapid.T) NewSessionTicket {
		return NewSessionTicket{
			LifetimeHint: rapid.Uint32().Draw(t, "lifetime"),
			Ticket:       genOpaque(0, 64).Draw(t, "ticket"),
		}
	})
}

func TestNewSessionTicketRoundTrip(t *testing.T) {
	checkRoundTrip[NewSessionTicket](t, genNewSessionTicket())
}

func TestNewSessionTicketCaptured(t *testing.T) {
	// OpenSSL's default ticket lifetime hint is 7200 s; Go sends 0
	// (unspecified) in TLS 1.2.
	for file, hint := range map[string]uint32{
		"openssl-3.0.19-ecdhe-rsa-clientauth.txt":   7200,
		"openssl-3.0.19-rsa-kex-ocsp.txt":           7200,
		"go-1.26.8-ecdsa-clientauth-resumption.txt": 0,
	} {
		data := findCapture(t, file, "s2c", "NewSessionTicket", 0)
		var m NewSessionTicket
		if err := m.Unmarshal(data); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if m.LifetimeHint != hint || len(m.Ticket) == 0 {
			t.Errorf("%s: hint %d, %d-byte ticket; want hint %d and a ticket", file, m.LifetimeHint, len(m.Ticket), hint)
		}
		if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
			t.Errorf("%s: re-encoding differs (%v)", file, err)
		}
	}
}

func TestNewSessionTicketEmpty(t *testing.T) {
	// RFC 5077, Section 3.3: a server may send a zero-length ticket.
	data := []byte{4, 0, 0, 6, 0, 0, 0, 0, 0, 0}
	var m NewSessionTicket
	if err := m.Unmarshal(data); err != nil || m.Ticket != nil {
		t.Fatalf("Unmarshal = %+v, %v", m, err)
	}
}

func TestNewSessionTicketErrors(t *testing.T) {
	tests := []struct{ body, what string }{
		{"000000", "ticket_lifetime_hint: truncated"},
		{"00001c20", "ticket: truncated"},
		{"00001c20 0003 aabb", "ticket: truncated"},
		{"00001c20 0001 aa bb", "NewSessionTicket body: 1 trailing bytes"},
	}
	for _, tt := range tests {
		err := new(NewSessionTicket).Unmarshal(handshake(HandshakeTypeNewSessionTicket, mustHex(t, tt.body)))
		wantDecodeError(t, err, AlertDecodeError, tt.what)
	}
	_, err := (&NewSessionTicket{Ticket: make([]byte, 1<<16)}).Marshal()
	wantDecodeError(t, err, AlertInternalError, "ticket: length 65536")
}

func FuzzNewSessionTicket(f *testing.F) {
	fuzzCanonical[NewSessionTicket](f, "NewSessionTicket")
}
