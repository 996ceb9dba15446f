package messages

import (
	"bytes"
	"errors"
	"testing"

	"pgregory.net/rapid"
)

func TestAlertDescriptionString(t *testing.T) {
	// Names from RFC 5246, Section 7.2; RFC 8446, Section 6; RFC 6066,
	// Section 9; RFC 7301; RFC 7507; RFC 4279.
	for v, want := range map[AlertDescription]string{
		0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac",
		21: "decryption_failed_RESERVED", 22: "record_overflow", 30: "decompression_failure",
		40: "handshake_failure", 41: "no_certificate_RESERVED", 42: "bad_certificate",
		43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired",
		46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
		49: "access_denied", 50: "decode_error", 51: "decrypt_error",
		60: "export_restriction_RESERVED", 70: "protocol_version", 71: "insufficient_security",
		80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
		100: "no_renegotiation", 109: "missing_extension", 110: "unsupported_extension",
		111: "certificate_unobtainable", 112: "unrecognized_name",
		113: "bad_certificate_status_response", 114: "bad_certificate_hash_value",
		115: "unknown_psk_identity", 116: "certificate_required", 120: "no_application_protocol",
		1: "alert(1)", 99: "alert(99)", 255: "alert(255)",
	} {
		if got := v.String(); got != want {
			t.Errorf("AlertDescription(%d).String() = %q, want %q", uint8(v), got, want)
		}
	}
}

func TestAlertLevelString(t *testing.T) {
	for v, want := range map[AlertLevel]string{1: "warning", 2: "fatal", 0: "AlertLevel(0)", 3: "AlertLevel(3)"} {
		if got := v.String(); got != want {
			t.Errorf("AlertLevel(%d).String() = %q, want %q", uint8(v), got, want)
		}
	}
}

func TestAlertRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := Alert{
			Level:       rapid.SampledFrom([]AlertLevel{AlertLevelWarning, AlertLevelFatal}).Draw(t, "level"),
			Description: AlertDescription(rapid.Uint8().Draw(t, "desc")),
		}
		prefix := genOpaque(0, 8).Draw(t, "prefix")
		b := a.Append(append([]byte(nil), prefix...))
		if len(b) != len(prefix)+AlertLen || !bytes.Equal(b[:len(prefix)], prefix) {
			t.Fatalf("Append(%x) = %x", prefix, b)
		}
		got, err := ParseAlert(b[len(prefix):])
		if err != nil || got != a {
			t.Fatalf("ParseAlert(%x) = %v, %v; want %v", b, got, err, a)
		}
		if _, err := ParseAlert(b[len(prefix) : len(b)-1]); err == nil {
			t.Fatalf("a 1-byte prefix parsed")
		}
	})
}

func TestParseAlertCaptured(t *testing.T) {
	for _, c := range capturesNamed(t, "Alert") {
		a, err := ParseAlert(c.Data)
		if err != nil {
			t.Errorf("%s:%d: %v", c.File, c.Line, err)
			continue
		}
		if !bytes.Equal(a.Append(nil), c.Data) {
			t.Errorf("%s:%d: re-encoding differs", c.File, c.Line)
		}
	}
	// OpenSSL's s_client closes with a warning close_notify.
	a, err := ParseAlert(findCapture(t, "openssl-3.0.19-ecdhe-rsa-clientauth.txt", "c2s", "Alert", 0))
	if err != nil || a != (Alert{Level: AlertLevelWarning, Description: AlertCloseNotify}) {
		t.Errorf("got %v, %v; want warning close_notify", a, err)
	}
}

func TestParseAlertErrors(t *testing.T) {
	tests := []struct {
		body  []byte
		alert AlertDescription
		what  string
	}{
		{nil, AlertDecodeError, "truncated"},
		{[]byte{2}, AlertDecodeError, "truncated"},
		{[]byte{2, 40, 2}, AlertDecodeError, "trailing"},
		{[]byte{1, 0, 1, 0}, AlertDecodeError, "trailing"}, // two alerts in one record
		{[]byte{0, 40}, AlertIllegalParameter, "unknown level 0"},
		{[]byte{3, 40}, AlertIllegalParameter, "unknown level 3"},
		{[]byte{255, 0}, AlertIllegalParameter, "unknown level 255"},
	}
	for _, tt := range tests {
		_, err := ParseAlert(tt.body)
		wantDecodeError(t, err, tt.alert, tt.what)
		var de *DecodeError
		if errors.As(err, &de) && de.Type != HandshakeTypeNone {
			t.Errorf("ParseAlert(%x): Type = %v, want none", tt.body, de.Type)
		}
	}
}

func FuzzAlert(f *testing.F) {
	for _, c := range capturesNamed(f, "Alert") {
		f.Add(c.Data)
	}
	f.Add([]byte{2, 50})
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := ParseAlert(body)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		if !bytes.Equal(a.Append(nil), body) {
			t.Fatalf("Append(ParseAlert(%x)) = %x", body, a.Append(nil))
		}
	})
}
