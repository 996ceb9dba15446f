package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sanstls/sanstls/keys"
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

// reasonCodes maps the machine's failure reasons to BoringSSL's error codes
// (the SSL_R_* names of include/openssl/ssl.h, which the runner expects in
// stderr as ":NAME:").
//
// The machine's reason sentinels are unexported, so the shim recognises them
// by their text: the innermost error of an *machine.AlertError chain that is
// neither a fmt wrapper nor a known exported type is one of the machine's
// protocolError values, whose Error() is exactly the reason below.
var reasonCodes = map[string]string{
	"unexpected handshake message":                                            "UNEXPECTED_MESSAGE",
	"unexpected ChangeCipherSpec":                                             "UNEXPECTED_RECORD",
	"ChangeCipherSpec with a partial handshake message buffered":              "UNEXPECTED_RECORD",
	"application data before the handshake completed":                         "UNEXPECTED_RECORD",
	"unknown record content type":                                             "UNEXPECTED_RECORD",
	"too many consecutive empty records":                                      "TOO_MANY_EMPTY_FRAGMENTS",
	"too many consecutive warning alerts":                                     "TOO_MANY_WARNING_ALERTS",
	"empty handshake or alert record":                                         "UNEXPECTED_RECORD",
	"renegotiation is not enabled":                                            "NO_RENEGOTIATION",
	"malformed ChangeCipherSpec":                                              "BAD_CHANGE_CIPHER_SPEC",
	"malformed alert record":                                                  "BAD_ALERT",
	"record too large":                                                        "DATA_LENGTH_TOO_LONG",
	"handshake message too large":                                             "EXCESSIVE_MESSAGE_SIZE",
	"wrong record version":                                                    "WRONG_VERSION_NUMBER",
	"record authentication failed":                                            "DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
	"record sequence number exhausted":                                        "INTERNAL_ERROR",
	"peer Finished verify_data mismatch":                                      "DIGEST_CHECK_FAILED",
	"Finished verify_data has the wrong length":                               "DIGEST_CHECK_FAILED",
	"signature verification failed":                                           "BAD_SIGNATURE",
	"peer used a signature scheme we did not offer":                           "WRONG_SIGNATURE_TYPE",
	"signature scheme does not match the certificate key":                     "WRONG_SIGNATURE_TYPE",
	"peer does not support TLS 1.2":                                           "UNSUPPORTED_PROTOCOL",
	"server chose a version other than TLS 1.2":                               "UNSUPPORTED_PROTOCOL",
	"TLS_FALLBACK_SCSV with a lower version than ours":                        "INAPPROPRIATE_FALLBACK",
	"no cipher suite in common":                                               "NO_SHARED_CIPHER",
	"no key exchange group in common":                                         "NO_SHARED_GROUP",
	"no signature scheme in common":                                           "NO_COMMON_SIGNATURE_ALGORITHMS",
	"no certificate for this connection":                                      "NO_SHARED_CIPHER",
	"null compression not offered":                                            "INVALID_COMPRESSION_LIST",
	"server chose a cipher suite we did not offer":                            "WRONG_CIPHER_RETURNED",
	"server chose a group we did not offer":                                   "WRONG_CURVE",
	"server chose a compression method other than null":                       "UNSUPPORTED_COMPRESSION_ALGORITHM",
	"server sent an extension we did not offer":                               "UNEXPECTED_EXTENSION",
	"server chose an application protocol we did not offer":                   "INVALID_ALPN_PROTOCOL",
	"no application protocol in common":                                       "NO_APPLICATION_PROTOCOL",
	"peer does not support secure renegotiation (RFC 5746)":                   "RENEGOTIATION_MISMATCH",
	"renegotiation_info mismatch":                                             "RENEGOTIATION_MISMATCH",
	"peer does not support extended master secret (RFC 7627)":                 "EXTENDED_MASTER_SECRET_REQUIRED",
	"invalid peer key share":                                                  "BAD_ECPOINT",
	"server sent an empty certificate list":                                   "DECODE_ERROR",
	"could not parse peer certificate":                                        "CANNOT_PARSE_LEAF_CERT",
	"peer certificate key does not fit the cipher suite":                      "WRONG_CERTIFICATE_TYPE",
	"peer certificate key usage does not allow this key exchange":             "KEY_USAGE_BIT_INCORRECT",
	"server random carries a TLS 1.1 downgrade sentinel":                      "TLS13_DOWNGRADE",
	"session ID too long":                                                     "DECODE_ERROR",
	"client did not send a certificate":                                       "PEER_DID_NOT_RETURN_A_CERTIFICATE",
	"client certificate required":                                             "PEER_DID_NOT_RETURN_A_CERTIFICATE",
	"unexpected CertificateStatus":                                            "UNEXPECTED_MESSAGE",
	"no certificate for the requested server name":                            "NO_CERTIFICATE_SET",
	"server resumed a session with a different cipher suite":                  "OLD_SESSION_CIPHER_NOT_RETURNED",
	"server resumed a session with a different extended master secret status": "RESUMED_EMS_SESSION_WITHOUT_EMS_EXTENSION",
	"server Diffie-Hellman group rejected":                                    "DH_P_TOO_LONG",
	"server certificate changed during renegotiation":                         "SERVER_CERT_CHANGED",
	"internal error":                                                          "INTERNAL_ERROR",
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
	// errUncleanShutdown: the transport ended before the peer's close_notify
	// while -check-close-notify required it. BoringSSL's shim reports this
	// through SSL_shutdown's result, in these words.
	errUncleanShutdown = errors.New("Unexpected SSL_shutdown result: -1 != 1")
)

// failure describes the circumstances of an error, which BoringSSL's
// error names depend on.
type failure struct {
	server         bool // we are the server
	sawServerHello bool // (client) the ServerHello arrived
	offeredSession bool // (client) we offered a cached session
}

// wrappedCodes maps the text of a machine reason wrapped with its detail
// (machine's wrapf: "reason: detail") to a more precise code than the
// reason alone gives.
var wrappedCodes = map[string]string{
	// RFC 8422, Section 5.1.2: an ec_point_formats list without
	// "uncompressed" is an extension BoringSSL fails to parse.
	"invalid peer key share: server does not support uncompressed points":          "ERROR_PARSING_EXTENSION",
	"no key exchange group in common: client does not support uncompressed points": "ERROR_PARSING_EXTENSION",
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
	case errors.Is(err, errAppDataOnShutdown):
		return []string{"APPLICATION_DATA_ON_SHUTDOWN"}
	case errors.Is(err, machine.ErrTruncated):
		return []string{"UNEXPECTED_EOF"}
	}
	var de *messages.DecodeError
	if errors.As(err, &de) {
		return decodeCodes(de)
	}
	// Walk the wrap chain from the outside in: the first text that is
	// known wins.
	for e := err; e != nil; e = errors.Unwrap(e) {
		text := e.Error()
		if code, ok := wrappedCodes[text]; ok {
			return []string{code}
		}
		if strings.HasPrefix(text, "unexpected handshake message: ") && strings.HasSuffix(text, " before ChangeCipherSpec") {
			// BoringSSL waits for a ChangeCipherSpec record and calls
			// anything else an unexpected record.
			return []string{"UNEXPECTED_RECORD"}
		}
		if code, ok := reasonCodes[text]; ok {
			if code == "EXTENDED_MASTER_SECRET_REQUIRED" && f.offeredSession && f.sawServerHello {
				// RFC 7627, Section 5.3: the server answered our offer of
				// a session (all of ours have EMS, which the machine
				// requires) without the extension.
				code = "RESUMED_EMS_SESSION_WITHOUT_EMS_EXTENSION"
			}
			if code == "NO_COMMON_SIGNATURE_ALGORITHMS" && f.server {
				// A TLS 1.2 server picks the cipher suite and signature
				// algorithm together, and names a failure after the former.
				code = "NO_SHARED_CIPHER"
			}
			return []string{code}
		}
	}
	switch {
	case errors.Is(err, keys.ErrInvalidPeerKey):
		return []string{"BAD_ECPOINT"}
	case errors.Is(err, keys.ErrBadSignature):
		return []string{"BAD_SIGNATURE"}
	case errors.Is(err, keys.ErrBadRecordMAC):
		return []string{"DECRYPTION_FAILED_OR_BAD_RECORD_MAC"}
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
