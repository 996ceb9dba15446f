package messages

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestDecodeErrorString(t *testing.T) {
	tests := []struct {
		err  *DecodeError
		want string
	}{
		{&DecodeError{Type: HandshakeTypeClientHello, What: "duplicate extension supported_groups", Alert: AlertDecodeError},
			"messages: ClientHello: duplicate extension supported_groups (decode_error)"},
		{&DecodeError{Type: HandshakeTypeNone, What: "alert: unknown level 7", Alert: AlertIllegalParameter},
			"messages: alert: unknown level 7 (illegal_parameter)"},
		{&DecodeError{Type: HandshakeType(99), What: "unknown handshake message type", Alert: AlertUnexpectedMessage},
			"messages: HandshakeType(99): unknown handshake message type (unexpected_message)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestDecodeErrorAs(t *testing.T) {
	_, err := ParseAlert([]byte{1})
	wrapped := fmt.Errorf("reading alert: %w", err)
	var de *DecodeError
	if !errors.As(wrapped, &de) {
		t.Fatalf("errors.As failed on %v", wrapped)
	}
	if de.Alert != AlertDecodeError || de.Type != HandshakeTypeNone {
		t.Errorf("got %+v, want decode_error about a non-handshake value", de)
	}
}

// TestDecodeErrorHasNoContents checks that failures describe lengths and
// code points, never the bytes of the message (which may be secret, e.g. a
// ticket or an encrypted premaster secret).
func TestDecodeErrorHasNoContents(t *testing.T) {
	secret := []byte("SECRETSECRETSECRET")
	// A NewSessionTicket whose ticket length overruns the body.
	body := append([]byte{0, 0, 0, 1, 0xff, 0xff}, secret...)
	err := new(NewSessionTicket).Unmarshal(handshake(HandshakeTypeNewSessionTicket, body))
	wantDecodeError(t, err, AlertDecodeError, "ticket: truncated")
	if s := err.Error(); strings.Contains(s, "SECRET") || strings.Contains(s, fmt.Sprintf("%x", secret)) {
		t.Errorf("error %q leaks message contents", s)
	}
}
