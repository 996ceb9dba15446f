package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

func TestAlertCode(t *testing.T) {
	for a, want := range map[machine.Alert]string{
		messages.AlertUnexpectedMessage:     "SSLV3_ALERT_UNEXPECTED_MESSAGE",
		messages.AlertHandshakeFailure:      "SSLV3_ALERT_HANDSHAKE_FAILURE",
		messages.AlertIllegalParameter:      "SSLV3_ALERT_ILLEGAL_PARAMETER",
		messages.AlertDecompressionFailure:  "SSLV3_ALERT_DECOMPRESSION_FAILURE",
		messages.AlertRecordOverflow:        "TLSV1_ALERT_RECORD_OVERFLOW",
		messages.AlertAccessDenied:          "TLSV1_ALERT_ACCESS_DENIED",
		messages.AlertProtocolVersion:       "TLSV1_ALERT_PROTOCOL_VERSION",
		messages.AlertNoApplicationProtocol: "TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
		machine.Alert(200):                  "UNKNOWN_ALERT_200",
	} {
		if got := alertCode(a); got != want {
			t.Errorf("alertCode(%d) = %s, want %s", a, got, want)
		}
	}
}

func TestDecodeCodes(t *testing.T) {
	for _, tc := range []struct {
		de   messages.DecodeError
		want []string
	}{
		{messages.DecodeError{Type: messages.HandshakeTypeClientHello, What: "session_id: length 33 outside <0..32>", Alert: messages.AlertDecodeError},
			[]string{"CLIENTHELLO_PARSE_FAILED"}},
		{messages.DecodeError{Type: messages.HandshakeTypeClientHello, What: "ProtocolName: length 0 outside <1..255>", Alert: messages.AlertDecodeError},
			[]string{"ERROR_PARSING_EXTENSION", "PARSE_TLSEXT"}},
		{messages.DecodeError{Type: messages.HandshakeTypeServerHello, What: "protocol_name_list: length 1 outside <2..65535>", Alert: messages.AlertDecodeError},
			[]string{"ERROR_PARSING_EXTENSION", "PARSE_TLSEXT"}},
		{messages.DecodeError{Type: messages.HandshakeTypeServerHello, What: "cipher_suite: truncated", Alert: messages.AlertDecodeError},
			[]string{"DECODE_ERROR"}},
		{messages.DecodeError{Type: messages.HandshakeTypeServerHello, What: "duplicate extension supported_groups", Alert: messages.AlertDecodeError},
			[]string{"DUPLICATE_EXTENSION"}},
		{messages.DecodeError{What: "alert: unknown level 66", Alert: messages.AlertIllegalParameter},
			[]string{"UNKNOWN_ALERT_TYPE"}},
		{messages.DecodeError{What: "unknown handshake message type", Alert: messages.AlertUnexpectedMessage},
			[]string{"UNEXPECTED_MESSAGE"}},
		{messages.DecodeError{Type: messages.HandshakeTypeCertificate, What: "certificate_list: truncated", Alert: messages.AlertDecodeError},
			[]string{"DECODE_ERROR"}},
	} {
		if got := decodeCodes(&tc.de); !slices.Equal(got, tc.want) {
			t.Errorf("decodeCodes(%v) = %v, want %v", &tc.de, got, tc.want)
		}
	}
}

// reason builds an error whose text is a machine reason, wrapped the way
// the machine wraps it, inside an AlertError as the machine returns it.
func reason(text, detail string) error {
	var err error = errors.New(text)
	if detail != "" {
		err = fmt.Errorf("%w: %s", err, detail)
	}
	return &machine.AlertError{Alert: messages.AlertHandshakeFailure, Err: err}
}

func TestErrorCodes(t *testing.T) {
	client, server := failure{}, failure{server: true}
	for _, tc := range []struct {
		err  error
		f    failure
		want []string
	}{
		{reason("no cipher suite in common", ""), server, []string{"NO_SHARED_CIPHER"}},
		{reason("wrong record version", ""), client, []string{"WRONG_VERSION_NUMBER"}},
		{reason("no signature scheme in common", ""), client, []string{"NO_COMMON_SIGNATURE_ALGORITHMS"}},
		{reason("no signature scheme in common", ""), server, []string{"NO_SHARED_CIPHER"}},
		{reason("unexpected handshake message", "Finished before ChangeCipherSpec"), client, []string{"UNEXPECTED_RECORD"}},
		{reason("unexpected handshake message", "got Finished, want Certificate"), client, []string{"UNEXPECTED_MESSAGE"}},
		{reason("invalid peer key share", "server does not support uncompressed points"), client, []string{"ERROR_PARSING_EXTENSION"}},
		{reason("invalid peer key share", "x25519: low order point"), client, []string{"BAD_ECPOINT"}},
		{&machine.AlertError{Alert: messages.AlertHandshakeFailure, Remote: true}, client, []string{"HANDSHAKE_FAILURE_ON_CLIENT_HELLO", "SSLV3_ALERT_HANDSHAKE_FAILURE"}},
		{&machine.AlertError{Alert: messages.AlertHandshakeFailure, Remote: true}, failure{sawServerHello: true}, []string{"SSLV3_ALERT_HANDSHAKE_FAILURE"}},
		{&machine.AlertError{Alert: messages.AlertHandshakeFailure, Remote: true}, server, []string{"SSLV3_ALERT_HANDSHAKE_FAILURE"}},
		{&machine.AlertError{Alert: messages.AlertHandshakeFailure, Err: &machine.AlertError{Err: errVerifyFailed}}, client, []string{"CERTIFICATE_VERIFY_FAILED"}},
		{fmt.Errorf("read: %w", machine.ErrTruncated), client, []string{"UNEXPECTED_EOF"}},
		{errAppDataOnShutdown, client, []string{"APPLICATION_DATA_ON_SHUTDOWN"}},
		{errors.New("something else"), client, nil},
	} {
		if got := errorCodes(tc.err, tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("errorCodes(%v, %+v) = %v, want %v", tc.err, tc.f, got, tc.want)
		}
	}
}

func TestFormatError(t *testing.T) {
	got := formatError(reason("record authentication failed", ""), failure{})
	if !strings.HasSuffix(got, "\n:DECRYPTION_FAILED_OR_BAD_RECORD_MAC:\n") || !strings.Contains(got, "record authentication failed") {
		t.Errorf("formatError = %q", got)
	}
	if got := formatError(errors.New("plain"), failure{}); got != "plain\n" {
		t.Errorf("formatError(plain) = %q", got)
	}
}

// TestReasonCodesAreBoringSSLNames guards against typos: every code must be
// an upper-case identifier, as SSL_R_* names are.
func TestReasonCodesAreBoringSSLNames(t *testing.T) {
	for text, code := range reasonCodes {
		if code == "" || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
			t.Errorf("reasonCodes[%q] = %q", text, code)
		}
	}
}
