package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// Exit codes the runner understands (ssl/test/runner/runner.go, runTest).
const (
	exitOK            = 0
	exitFailure       = 1
	exitUnimplemented = 89
)

// unimplementedError reports a test that needs something sanstls does not
// do; it makes the shim exit 89.
type unimplementedError struct{ what string }

func (e *unimplementedError) Error() string { return "unimplemented: " + e.what }

func unimplementedf(format string, args ...any) error {
	return &unimplementedError{fmt.Sprintf(format, args...)}
}

// reasonCodes maps the machine's failure reasons (machine.ReasonOf, which
// *machine.AlertError carries as Reason) to BoringSSL's error codes: the
// SSL_R_* names of include/openssl/ssl.h, which the runner expects in
// stderr as ":NAME:". A few reasons need the circumstances of the failure
// to be named exactly; errorCodes refines those.
var reasonCodes = map[string]string{
	"unexpected_message":            "UNEXPECTED_MESSAGE",
	"unexpected_ccs":                "UNEXPECTED_RECORD",
	"ccs_with_partial":              "UNEXPECTED_RECORD",
	"unexpected_app_data":           "UNEXPECTED_RECORD",
	"unknown_content_type":          "UNEXPECTED_RECORD",
	"empty_handshake":               "UNEXPECTED_RECORD",
	"too_many_empty":                "TOO_MANY_EMPTY_FRAGMENTS",
	"too_many_warnings":             "TOO_MANY_WARNING_ALERTS",
	"bad_ccs":                       "BAD_CHANGE_CIPHER_SPEC",
	"bad_alert":                     "BAD_ALERT",
	"record_overflow":               "DATA_LENGTH_TOO_LONG",
	"ciphertext_too_long":           "ENCRYPTED_LENGTH_TOO_LONG",
	"http_request":                  "HTTP_REQUEST",
	"excess_handshake_data":         "EXCESS_HANDSHAKE_DATA",
	"missing_ticket":                "UNEXPECTED_RECORD", // the server's CCS came instead
	"bad_ecc_cert":                  "BAD_ECC_CERT",
	"no_certificate_curve":          "WRONG_CURVE",
	"handshake_too_large":           "EXCESSIVE_MESSAGE_SIZE",
	"bad_record_version":            "WRONG_VERSION_NUMBER",
	"bad_record_mac":                "DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
	"seq_exhausted":                 "INTERNAL_ERROR",
	"finished_mismatch":             "DIGEST_CHECK_FAILED",
	"bad_finished_length":           "DIGEST_CHECK_FAILED",
	"bad_signature":                 "BAD_SIGNATURE",
	"unoffered_sig_alg":             "WRONG_SIGNATURE_TYPE",
	"sig_key_mismatch":              "WRONG_SIGNATURE_TYPE",
	"version":                       "UNSUPPORTED_PROTOCOL",
	"server_version":                "UNSUPPORTED_PROTOCOL",
	"fallback":                      "INAPPROPRIATE_FALLBACK",
	"no_shared_suite":               "NO_SHARED_CIPHER",
	"no_shared_group":               "NO_SHARED_GROUP",
	"no_shared_sig_alg":             "NO_COMMON_SIGNATURE_ALGORITHMS",
	"no_certificate":                "NO_SHARED_CIPHER",
	"no_compression":                "INVALID_COMPRESSION_LIST",
	"unoffered_suite":               "WRONG_CIPHER_RETURNED",
	"unoffered_group":               "WRONG_CURVE",
	"bad_compression":               "UNSUPPORTED_COMPRESSION_ALGORITHM",
	"unsolicited_ext":               "UNEXPECTED_EXTENSION",
	"unoffered_alpn":                "INVALID_ALPN_PROTOCOL",
	"no_alpn":                       "NO_APPLICATION_PROTOCOL",
	"missing_ri":                    "RENEGOTIATION_MISMATCH",
	"bad_ri":                        "RENEGOTIATION_MISMATCH",
	"missing_ems":                   "EXTENDED_MASTER_SECRET_REQUIRED",
	"bad_peer_key":                  "BAD_ECPOINT",
	"no_server_cert":                "DECODE_ERROR",
	"bad_certificate":               "CANNOT_PARSE_LEAF_CERT",
	"unsupported_cert":              "WRONG_CERTIFICATE_TYPE",
	"cert_key_usage":                "KEY_USAGE_BIT_INCORRECT",
	"client_cert_required":          "PEER_DID_NOT_RETURN_A_CERTIFICATE",
	"bad_status":                    "UNEXPECTED_MESSAGE",
	"resume_suite":                  "OLD_SESSION_CIPHER_NOT_RETURNED",
	"resume_ems":                    "RESUMED_EMS_SESSION_WITHOUT_EMS_EXTENSION",
	"weak_dh":                       "DH_P_TOO_LONG",
	"server_identity_changed":       "SERVER_CERT_CHANGED",
	"ocsp_callback":                 "OCSP_CB_ERROR",
	"no_matching_issuer":            "NO_MATCHING_ISSUER",
	"invalid_sct_list":              "INVALID_SCT_LIST",
	"no_uncompressed_points":        "ERROR_PARSING_EXTENSION",
	"app_data_in_handshake_message": "UNEXPECTED_RECORD",
	"internal":                      "INTERNAL_ERROR",
}

// alertCode returns BoringSSL's name for a received alert: the reason
// codes SSL_R_SSLV3_ALERT_* and SSL_R_TLSV1_ALERT_* (ssl.h), which are
// 1000 plus the alert number.
func alertCode(a machine.Alert) string {
	switch a {
	case messages.AlertCloseNotify:
		return "SSLV3_ALERT_CLOSE_NOTIFY"
	case messages.AlertUnexpectedMessage:
		return "SSLV3_ALERT_UNEXPECTED_MESSAGE"
	case messages.AlertBadRecordMAC:
		return "SSLV3_ALERT_BAD_RECORD_MAC"
	case messages.AlertDecryptionFailed:
		return "TLSV1_ALERT_DECRYPTION_FAILED"
	case messages.AlertRecordOverflow:
		return "TLSV1_ALERT_RECORD_OVERFLOW"
	case messages.AlertDecompressionFailure:
		return "SSLV3_ALERT_DECOMPRESSION_FAILURE"
	case messages.AlertHandshakeFailure:
		return "SSLV3_ALERT_HANDSHAKE_FAILURE"
	case messages.AlertNoCertificate:
		return "SSLV3_ALERT_NO_CERTIFICATE"
	case messages.AlertBadCertificate:
		return "SSLV3_ALERT_BAD_CERTIFICATE"
	case messages.AlertUnsupportedCertificate:
		return "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE"
	case messages.AlertCertificateRevoked:
		return "SSLV3_ALERT_CERTIFICATE_REVOKED"
	case messages.AlertCertificateExpired:
		return "SSLV3_ALERT_CERTIFICATE_EXPIRED"
	case messages.AlertCertificateUnknown:
		return "SSLV3_ALERT_CERTIFICATE_UNKNOWN"
	case messages.AlertIllegalParameter:
		return "SSLV3_ALERT_ILLEGAL_PARAMETER"
	case messages.AlertUnknownCA:
		return "TLSV1_ALERT_UNKNOWN_CA"
	case messages.AlertAccessDenied:
		return "TLSV1_ALERT_ACCESS_DENIED"
	case messages.AlertDecodeError:
		return "TLSV1_ALERT_DECODE_ERROR"
	case messages.AlertDecryptError:
		return "TLSV1_ALERT_DECRYPT_ERROR"
	case messages.AlertExportRestriction:
		return "TLSV1_ALERT_EXPORT_RESTRICTION"
	case messages.AlertProtocolVersion:
		return "TLSV1_ALERT_PROTOCOL_VERSION"
	case messages.AlertInsufficientSecurity:
		return "TLSV1_ALERT_INSUFFICIENT_SECURITY"
	case messages.AlertInternalError:
		return "TLSV1_ALERT_INTERNAL_ERROR"
	case messages.AlertInappropriateFallback:
		return "TLSV1_ALERT_INAPPROPRIATE_FALLBACK"
	case messages.AlertUserCanceled:
		return "TLSV1_ALERT_USER_CANCELLED"
	case messages.AlertNoRenegotiation:
		return "TLSV1_ALERT_NO_RENEGOTIATION"
	case messages.AlertUnsupportedExtension:
		return "TLSV1_ALERT_UNSUPPORTED_EXTENSION"
	case messages.AlertCertificateUnobtainable:
		return "TLSV1_ALERT_CERTIFICATE_UNOBTAINABLE"
	case messages.AlertUnrecognizedName:
		return "TLSV1_ALERT_UNRECOGNIZED_NAME"
	case messages.AlertBadCertificateStatusResponse:
		return "TLSV1_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE"
	case messages.AlertBadCertificateHashValue:
		return "TLSV1_ALERT_BAD_CERTIFICATE_HASH_VALUE"
	case messages.AlertUnknownPSKIdentity:
		return "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY"
	case messages.AlertCertificateRequired:
		return "TLSV1_ALERT_CERTIFICATE_REQUIRED"
	case messages.AlertNoApplicationProtocol:
		return "TLSV1_ALERT_NO_APPLICATION_PROTOCOL"
	}
	return fmt.Sprintf("UNKNOWN_ALERT_%d", uint8(a))
}

// Errors the shim itself raises, with the code BoringSSL's shim would print
// for the same situation.
var (
	// errVerifyFailed is what -verify-fail makes the verification hook
	// return (BoringSSL: X509_V_ERR_APPLICATION_VERIFICATION).
	errVerifyFailed = errors.New("certificate verification failed (-verify-fail)")
	// errOCSPCallback is what -fail-ocsp-callback makes a client's status
	// check return.
	errOCSPCallback = errors.New("OCSP status callback failed (-fail-ocsp-callback)")
	// errAppDataOnShutdown: application data arrived after our close_notify.
	errAppDataOnShutdown = errors.New("application data while shutting down")
	// errRenegotiationRefused: the peer asked for a renegotiation that our
	// policy refuses; BoringSSL fails the connection there.
	errRenegotiationRefused = errors.New("renegotiation refused")
	// errUncleanShutdown: the transport ended before the peer's close_notify
	// while -check-close-notify required it. BoringSSL's shim reports this
	// through SSL_shutdown's result, in these words.
	errUncleanShutdown = errors.New("Unexpected SSL_shutdown result: -1 != 1")
)

// failure describes the circumstances of an error, which BoringSSL's
// error names depend on. The shim learns them from the wire (Config.Trace
// and the first bytes received), never from error text.
type failure struct {
	server         bool // we are the server
	sawServerHello bool // (client) the ServerHello arrived
	offeredSession bool // (client) we offered a cached session
	// ccsNext: the message the machine rejected arrived where the peer's
	// ChangeCipherSpec was due. BoringSSL reads a record there and calls a
	// handshake record an unexpected record.
	ccsNext bool
	// badPointFormats: the peer's hello listed ec_point_formats without
	// "uncompressed" (RFC 8422, Section 5.1.2), an extension BoringSSL
	// fails to parse.
	badPointFormats bool
	// renegotiating: the failure happened in a renegotiation, whose
	// failures BoringSSL names apart.
	renegotiating bool
	// postHandshake: the message the machine rejected came after a
	// completed handshake, where a TLS 1.2 client accepts only HelloRequest.
	postHandshake bool
	// proxyRequest: the stream began with "CONNE", a plaintext HTTPS proxy
	// request, which BoringSSL names apart from other HTTP requests.
	proxyRequest bool
}

// helloFields are the names messages.DecodeError uses for the fixed parts
// of a ClientHello or ServerHello; any other name in a hello's DecodeError
// is inside an extension.
var helloFields = map[string]bool{
	"client_version": true, "server_version": true, "random": true,
	"session_id": true, "cipher_suites": true, "cipher_suite": true,
	"compression_methods": true, "compression_method": true,
	"extensions": true, "hello body": true, "extension_type": true,
	"extension_data": true, "handshake header": true, "handshake body": true,
}

// decodeCodes names a messages.DecodeError the way BoringSSL's parsers do:
// a ClientHello that does not parse is CLIENTHELLO_PARSE_FAILED; a broken
// extension is ERROR_PARSING_EXTENSION, which BoringSSL's caller follows
// with PARSE_TLSEXT; anything else is DECODE_ERROR.
func decodeCodes(de *messages.DecodeError) []string {
	switch {
	case strings.HasPrefix(de.What, "duplicate extension"):
		return []string{"DUPLICATE_EXTENSION"}
	case strings.HasPrefix(de.What, "alert: unknown level"):
		return []string{"UNKNOWN_ALERT_TYPE"}
	case de.Alert == messages.AlertUnexpectedMessage:
		return []string{"UNEXPECTED_MESSAGE"}
	case de.Type == messages.HandshakeTypeHelloRequest:
		return []string{"BAD_HELLO_REQUEST"}
	}
	field, _, _ := strings.Cut(de.What, ":")
	hello := de.Type == messages.HandshakeTypeClientHello || de.Type == messages.HandshakeTypeServerHello
	switch {
	case hello && !helloFields[field]:
		return []string{"ERROR_PARSING_EXTENSION", "PARSE_TLSEXT"}
	case de.Type == messages.HandshakeTypeClientHello:
		return []string{"CLIENTHELLO_PARSE_FAILED"}
	}
	return []string{"DECODE_ERROR"}
}

// errorCodes returns the BoringSSL error codes for err, without colons, in
// the order BoringSSL's error queue would hold them; none when there is no
// equivalent (the message alone is then printed).
func errorCodes(err error, f failure) []string {
	var ae *machine.AlertError
	if errors.As(err, &ae) && ae.Remote {
		code := alertCode(ae.Alert)
		if !f.server && !f.sawServerHello && ae.Alert == messages.AlertHandshakeFailure {
			// The server refused our ClientHello.
			return []string{"HANDSHAKE_FAILURE_ON_CLIENT_HELLO", code}
		}
		return []string{code}
	}
	switch {
	case errors.Is(err, errVerifyFailed):
		return []string{"CERTIFICATE_VERIFY_FAILED"}
	case errors.Is(err, errOCSPCallback):
		return []string{"OCSP_CB_ERROR"}
	case errors.Is(err, errInvalidSCTList):
		return []string{"INVALID_SCT_LIST"}
	case errors.Is(err, errAppDataOnShutdown):
		return []string{"APPLICATION_DATA_ON_SHUTDOWN"}
	case errors.Is(err, errRenegotiationRefused):
		return []string{"NO_RENEGOTIATION"}
	case errors.Is(err, machine.ErrTruncated):
		return []string{"UNEXPECTED_EOF"}
	}
	if ae == nil {
		return nil // not a machine failure
	}
	var de *messages.DecodeError
	if errors.As(err, &de) {
		return decodeCodes(de)
	}
	reason := ae.Reason
	if reason == "" {
		reason = machine.ReasonOf(ae.Err)
	}
	switch reason {
	case "unexpected_message":
		switch {
		case f.ccsNext:
			return []string{"UNEXPECTED_RECORD"}
		case f.postHandshake && !f.server:
			return []string{"BAD_HELLO_REQUEST"}
		}
	case "server_version":
		if f.renegotiating {
			return []string{"WRONG_SSL_VERSION"}
		}
	case "http_request":
		if f.proxyRequest {
			return []string{"HTTPS_PROXY_REQUEST"}
		}
	case "bad_peer_key", "no_shared_group", "no_uncompressed_points":
		if f.badPointFormats {
			return []string{"ERROR_PARSING_EXTENSION"}
		}
	case "missing_ems":
		if f.renegotiating {
			return []string{"RENEGOTIATION_EMS_MISMATCH"}
		}
		if f.offeredSession && f.sawServerHello {
			// RFC 7627, Section 5.3: the server answered our offer of a
			// session (all of ours have EMS, which the machine requires)
			// without the extension.
			return []string{"RESUMED_EMS_SESSION_WITHOUT_EMS_EXTENSION"}
		}
	case "no_shared_sig_alg":
		if f.server {
			// A TLS 1.2 server picks the cipher suite and signature
			// algorithm together, and names a failure after the former.
			return []string{"NO_SHARED_CIPHER"}
		}
	}
	if code, ok := reasonCodes[reason]; ok {
		return []string{code}
	}
	return nil
}

// formatError renders err the way the runner reads it: the message, then
// each BoringSSL code between colons on its own line.
func formatError(err error, f failure) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v\n", err)
	for _, code := range errorCodes(err, f) {
		fmt.Fprintf(&b, ":%s:\n", code)
	}
	return b.String()
}
