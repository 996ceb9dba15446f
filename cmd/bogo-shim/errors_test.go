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
		{messages.DecodeError{Type: messages.HandshakeTypeHelloRequest, What: "HelloRequest body: 1 trailing bytes", Alert: messages.AlertDecodeError},
			[]string{"BAD_HELLO_REQUEST"}},
	} {
		if got := decodeCodes(&tc.de); !slices.Equal(got, tc.want) {
			t.Errorf("decodeCodes(%v) = %v, want %v", &tc.de, got, tc.want)
		}
	}
}

// reason builds an AlertError as the machine returns it for a local
// failure: with a stable Reason and some underlying error whose text the
// shim must not depend on.
func reason(id string) error {
	return &machine.AlertError{Alert: messages.AlertHandshakeFailure, Err: errors.New("text the shim ignores"), Reason: id}
}

func TestErrorCodes(t *testing.T) {
	client, server := failure{}, failure{server: true}
	for _, tc := range []struct {
		err  error
		f    failure
		want []string
	}{
		{reason("no_shared_suite"), server, []string{"NO_SHARED_CIPHER"}},
		{reason("bad_record_version"), client, []string{"WRONG_VERSION_NUMBER"}},
		{reason("excess_handshake_data"), client, []string{"EXCESS_HANDSHAKE_DATA"}},
		{reason("ciphertext_too_long"), client, []string{"ENCRYPTED_LENGTH_TOO_LONG"}},
		{reason("record_overflow"), client, []string{"DATA_LENGTH_TOO_LONG"}},
		{reason("no_shared_sig_alg"), client, []string{"NO_COMMON_SIGNATURE_ALGORITHMS"}},
		{reason("no_shared_sig_alg"), server, []string{"NO_SHARED_CIPHER"}},
		// The circumstances refine some reasons.
		{reason("unexpected_message"), failure{ccsNext: true}, []string{"UNEXPECTED_RECORD"}},
		{reason("unexpected_message"), client, []string{"UNEXPECTED_MESSAGE"}},
		{reason("unexpected_message"), failure{postHandshake: true}, []string{"BAD_HELLO_REQUEST"}},
		{reason("unexpected_message"), failure{postHandshake: true, server: true}, []string{"UNEXPECTED_MESSAGE"}},
		{reason("http_request"), client, []string{"HTTP_REQUEST"}},
		{reason("http_request"), failure{proxyRequest: true}, []string{"HTTPS_PROXY_REQUEST"}},
		{reason("bad_peer_key"), failure{badPointFormats: true}, []string{"ERROR_PARSING_EXTENSION"}},
		{reason("no_shared_group"), failure{badPointFormats: true, server: true}, []string{"ERROR_PARSING_EXTENSION"}},
		{reason("bad_peer_key"), client, []string{"BAD_ECPOINT"}},
		{reason("server_version"), client, []string{"UNSUPPORTED_PROTOCOL"}},
		{reason("server_version"), failure{renegotiating: true}, []string{"WRONG_SSL_VERSION"}},
		{reason("missing_ems"), client, []string{"EXTENDED_MASTER_SECRET_REQUIRED"}},
		{reason("missing_ems"), failure{offeredSession: true, sawServerHello: true}, []string{"RESUMED_EMS_SESSION_WITHOUT_EMS_EXTENSION"}},
		{reason("missing_ems"), failure{renegotiating: true}, []string{"RENEGOTIATION_EMS_MISMATCH"}},
		// Reason is authoritative; ReasonOf(Err) stands in only when empty.
		{&machine.AlertError{Alert: messages.AlertDecodeError, Err: &messages.DecodeError{Type: messages.HandshakeTypeHelloRequest, What: "x", Alert: messages.AlertDecodeError}, Reason: "decode_error"},
			client, []string{"BAD_HELLO_REQUEST"}},
		{&machine.AlertError{Alert: messages.AlertInternalError, Err: errors.New("opaque")}, client, []string{"INTERNAL_ERROR"}},
		{reason("no_such_reason"), client, nil},
		// Received alerts.
		{&machine.AlertError{Alert: messages.AlertHandshakeFailure, Remote: true}, client, []string{"HANDSHAKE_FAILURE_ON_CLIENT_HELLO", "SSLV3_ALERT_HANDSHAKE_FAILURE"}},
		{&machine.AlertError{Alert: messages.AlertHandshakeFailure, Remote: true}, failure{sawServerHello: true}, []string{"SSLV3_ALERT_HANDSHAKE_FAILURE"}},
		{&machine.AlertError{Alert: messages.AlertHandshakeFailure, Remote: true}, server, []string{"SSLV3_ALERT_HANDSHAKE_FAILURE"}},
		// The shim's own errors.
		{&machine.AlertError{Alert: messages.AlertHandshakeFailure, Err: &machine.AlertError{Err: errVerifyFailed}, Reason: "verify"}, client, []string{"CERTIFICATE_VERIFY_FAILED"}},
		{fmt.Errorf("read: %w", machine.ErrTruncated), client, []string{"UNEXPECTED_EOF"}},
		{errAppDataOnShutdown, client, []string{"APPLICATION_DATA_ON_SHUTDOWN"}},
		{errRenegotiationRefused, client, []string{"NO_RENEGOTIATION"}},
		{errors.New("something else"), client, nil},
	} {
		if got := errorCodes(tc.err, tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("errorCodes(%v, %+v) = %v, want %v", tc.err, tc.f, got, tc.want)
		}
	}
}

func TestFormatError(t *testing.T) {
	got := formatError(reason("bad_record_mac"), failure{})
	if !strings.HasSuffix(got, "\n:DECRYPTION_FAILED_OR_BAD_RECORD_MAC:\n") || !strings.Contains(got, "text the shim ignores") {
		t.Errorf("formatError = %q", got)
	}
	if got := formatError(errors.New("plain"), failure{}); got != "plain\n" {
		t.Errorf("formatError(plain) = %q", got)
	}
}

// TestReasonCodesAreBoringSSLNames guards against typos: every code must be
// an upper-case identifier, as SSL_R_* names are.
func TestReasonCodesAreBoringSSLNames(t *testing.T) {
	for id, code := range reasonCodes {
		if code == "" || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
			t.Errorf("reasonCodes[%q] = %q", id, code)
		}
	}
}

// TestMachineReasonsAreMapped checks that the reasons the machine reports
// for failures the runner provokes reach the table: ReasonOf of a
// DecodeError and of an opaque error, which the shim relies on, are stable.
func TestMachineReasonsAreMapped(t *testing.T) {
	if got := machine.ReasonOf(&messages.DecodeError{Alert: messages.AlertDecodeError}); got != "decode_error" {
		t.Errorf("ReasonOf(DecodeError) = %q", got)
	}
	if got := machine.ReasonOf(errors.New("x")); got != "internal" || reasonCodes[got] != "INTERNAL_ERROR" {
		t.Errorf("ReasonOf(opaque) = %q -> %q", got, reasonCodes[got])
	}
}
