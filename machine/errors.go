package machine

import (
	"errors"
	"fmt"

	"github.com/sanstls/sanstls/keys"
	"github.com/sanstls/sanstls/messages"
)

// Alert is a TLS alert description (RFC 5246, Section 7.2). It is an alias so
// adapters can name it without importing messages.
type Alert = messages.AlertDescription

// An AlertError is a fatal error of a connection. When Remote is false the
// machine sent Alert to the peer (the record is already in the output of the
// call that returned the error); when Remote is true the peer sent it.
type AlertError struct {
	Alert  Alert
	Remote bool
	Err    error // the underlying reason; nil for a received alert
	// Reason is a stable, machine-readable name of why a local failure
	// happened ("finished_mismatch", "no_shared_suite", "decode_error",
	// "bad_certificate", ...); see ReasonOf. Empty for received alerts.
	Reason string
}

func (e *AlertError) Error() string {
	if e.Remote {
		return "sanstls: remote error: " + e.Alert.String()
	}
	if e.Err != nil {
		return "sanstls: local error: " + e.Alert.String() + ": " + e.Err.Error()
	}
	return "sanstls: local error: " + e.Alert.String()
}

func (e *AlertError) Unwrap() error { return e.Err }

// Errors that report misuse of the API or the end of the connection. Except
// for ErrTruncated they do not make the connection fail.
var (
	// ErrNotReady is returned by Send before the handshake has completed.
	ErrNotReady = errors.New("sanstls: handshake not complete")
	// ErrPending is returned by Receive while a deferred certificate
	// verification is outstanding (see Config.DeferVerify).
	ErrPending = errors.New("sanstls: waiting for ResolveVerify")
	// ErrClosed is returned by Send after Close, and by Receive after the
	// peer's close_notify.
	ErrClosed = errors.New("sanstls: connection closed")
	// ErrTruncated is returned by ReceiveEOF when the transport ended without
	// close_notify. It is fatal.
	ErrTruncated = errors.New("sanstls: connection truncated (no close_notify)")
	// ErrWrongState is returned for calls that make no sense in the current
	// state (Start on a server, twice, ResolveVerify with nothing pending).
	ErrWrongState = errors.New("sanstls: call not valid in this state")
)

// A protocolError is a fatal failure that names its alert. Every reason the
// machine fails for is one of the values below, so that tests can match them
// with errors.Is and the alert is bound once, here (see alertFor).
type protocolError struct {
	alert  Alert
	reason string
	id     string // stable identifier, reported as AlertError.Reason
}

func (e *protocolError) Error() string { return e.reason }

func perr(a Alert, reason, id string) *protocolError { return &protocolError{a, reason, id} }

// Failure reasons, grouped by the alert they send.
var (
	errUnexpectedMessage     = perr(messages.AlertUnexpectedMessage, "unexpected handshake message", "unexpected_message")
	errUnexpectedCCS         = perr(messages.AlertUnexpectedMessage, "unexpected ChangeCipherSpec", "unexpected_ccs")
	errCCSWithPartial        = perr(messages.AlertUnexpectedMessage, "ChangeCipherSpec with a partial handshake message buffered", "ccs_with_partial")
	errUnexpectedAppData     = perr(messages.AlertUnexpectedMessage, "application data before the handshake completed", "unexpected_app_data")
	errUnknownContentType    = perr(messages.AlertUnexpectedMessage, "unknown record content type", "unknown_content_type")
	errTooManyEmpty          = perr(messages.AlertUnexpectedMessage, "too many consecutive empty records", "too_many_empty")
	errTooManyWarnings       = perr(messages.AlertUnexpectedMessage, "too many consecutive warning alerts", "too_many_warnings")
	errEmptyHandshake        = perr(messages.AlertUnexpectedMessage, "empty handshake or alert record", "empty_handshake")
	errBadCCS                = perr(messages.AlertUnexpectedMessage, "malformed ChangeCipherSpec", "bad_ccs") // as OpenSSL and tlsfuzzer expect
	errBadAlert              = perr(messages.AlertDecodeError, "malformed alert record", "bad_alert")
	errRecordOverflow        = perr(messages.AlertRecordOverflow, "record plaintext too large", "record_overflow")
	errCiphertextTooLong     = perr(messages.AlertRecordOverflow, "record ciphertext too large", "ciphertext_too_long")
	errHTTPRequest           = perr(messages.AlertProtocolVersion, "peer sent an HTTP request, not TLS", "http_request")
	errExcessHandshakeData   = perr(messages.AlertUnexpectedMessage, "handshake data after the end of a flight", "excess_handshake_data")
	errMissingTicket         = perr(messages.AlertUnexpectedMessage, "server promised a NewSessionTicket and sent none", "missing_ticket")
	errBadECCCert            = perr(messages.AlertIllegalParameter, "server ECDSA key is on a curve we did not offer", "bad_ecc_cert")
	errNoCertificateCurve    = perr(messages.AlertHandshakeFailure, "no certificate on a curve the client supports", "no_certificate_curve")
	errHandshakeTooLarge     = perr(messages.AlertIllegalParameter, "handshake message too large", "handshake_too_large")
	errBadRecordVersion      = perr(messages.AlertProtocolVersion, "wrong record version", "bad_record_version")
	errBadRecordMAC          = perr(messages.AlertBadRecordMAC, "record authentication failed", "bad_record_mac")
	errSeqExhausted          = perr(messages.AlertInternalError, "record sequence number exhausted", "seq_exhausted")
	errFinishedMismatch      = perr(messages.AlertDecryptError, "peer Finished verify_data mismatch", "finished_mismatch")
	errBadFinishedLength     = perr(messages.AlertDecryptError, "Finished verify_data has the wrong length", "bad_finished_length")
	errBadSignature          = perr(messages.AlertDecryptError, "signature verification failed", "bad_signature")
	errUnofferedSigAlg       = perr(messages.AlertIllegalParameter, "peer used a signature scheme we did not offer", "unoffered_sig_alg")
	errSigKeyMismatch        = perr(messages.AlertIllegalParameter, "signature scheme does not match the certificate key", "sig_key_mismatch")
	errVersion               = perr(messages.AlertProtocolVersion, "peer does not support TLS 1.2", "version")
	errServerVersion         = perr(messages.AlertProtocolVersion, "server chose a version other than TLS 1.2", "server_version")
	errFallback              = perr(messages.AlertInappropriateFallback, "TLS_FALLBACK_SCSV with a lower version than ours", "fallback")
	errNoSharedSuite         = perr(messages.AlertHandshakeFailure, "no cipher suite in common", "no_shared_suite")
	errNoSharedGroup         = perr(messages.AlertHandshakeFailure, "no key exchange group in common", "no_shared_group")
	errNoSharedSigAlg        = perr(messages.AlertHandshakeFailure, "no signature scheme in common", "no_shared_sig_alg")
	errNoCertificate         = perr(messages.AlertHandshakeFailure, "no certificate for this connection", "no_certificate")
	errNoCompression         = perr(messages.AlertIllegalParameter, "null compression not offered", "no_compression")
	errUnofferedSuite        = perr(messages.AlertIllegalParameter, "server chose a cipher suite we did not offer", "unoffered_suite")
	errUnofferedGroup        = perr(messages.AlertIllegalParameter, "server chose a group we did not offer", "unoffered_group")
	errBadCompression        = perr(messages.AlertIllegalParameter, "server chose a compression method other than null", "bad_compression")
	errUnsolicitedExt        = perr(messages.AlertUnsupportedExtension, "server sent an extension we did not offer", "unsolicited_ext")
	errUnofferedALPN         = perr(messages.AlertIllegalParameter, "server chose an application protocol we did not offer", "unoffered_alpn")
	errNoALPN                = perr(messages.AlertNoApplicationProtocol, "no application protocol in common", "no_alpn")
	errMissingRI             = perr(messages.AlertHandshakeFailure, "peer does not support secure renegotiation (RFC 5746)", "missing_ri")
	errBadRI                 = perr(messages.AlertHandshakeFailure, "renegotiation_info mismatch", "bad_ri")
	errMissingEMS            = perr(messages.AlertHandshakeFailure, "peer does not support extended master secret (RFC 7627)", "missing_ems")
	errBadPeerKey            = perr(messages.AlertIllegalParameter, "invalid peer key share", "bad_peer_key")
	errNoServerCert          = perr(messages.AlertDecodeError, "server sent an empty certificate list", "no_server_cert")
	errBadCertificate        = perr(messages.AlertDecodeError, "could not parse peer certificate", "bad_certificate") // BoringSSL's alert
	errUnsupportedCert       = perr(messages.AlertUnsupportedCertificate, "peer certificate key does not fit the cipher suite", "unsupported_cert")
	errCertKeyUsage          = perr(messages.AlertUnsupportedCertificate, "peer certificate key usage does not allow this key exchange", "cert_key_usage")
	errClientCertRequired    = perr(messages.AlertHandshakeFailure, "client certificate required", "client_cert_required")
	errBadStatus             = perr(messages.AlertUnexpectedMessage, "unexpected CertificateStatus", "bad_status")
	errResumeSuite           = perr(messages.AlertIllegalParameter, "server resumed a session with a different cipher suite", "resume_suite")
	errResumeEMS             = perr(messages.AlertHandshakeFailure, "server resumed a session with a different extended master secret status", "resume_ems")
	errWeakDH                = perr(messages.AlertInsufficientSecurity, "server Diffie-Hellman group rejected", "weak_dh")
	errServerIdentityChanged = perr(messages.AlertBadCertificate, "server certificate changed during renegotiation", "server_identity_changed")
)

// errVerify wraps a certificate verification failure with its alert.
type verifyError struct {
	alert Alert
	err   error
}

func (e *verifyError) Error() string { return "certificate verification failed: " + e.err.Error() }
func (e *verifyError) Unwrap() error { return e.err }

// ReasonOf returns the stable reason identifier of a local failure: the
// name of a machine failure ("bad_peer_key", "bad_signature" and
// "bad_record_mac" also for the matching errors of package keys),
// "decode_error"/"illegal_parameter" for a message that failed to parse,
// "verify" for a certificate verification failure, or "internal". It and
// the alert sent come from one classification, so they never disagree.
func ReasonOf(err error) string {
	_, reason := classify(err)
	return reason
}

// alertFor is the alert of a local failure (see classify).
func alertFor(err error) Alert {
	alert, _ := classify(err)
	return alert
}

// classify is the one mapping from a local failure to its alert and its
// reason identifier: a protocolError carries both; the errors of keys
// that can reach here unwrapped get those of the matching protocolError;
// anything else is internal_error, "internal".
func classify(err error) (Alert, string) {
	var pe *protocolError
	if errors.As(err, &pe) {
		return pe.alert, pe.id
	}
	var ve *verifyError
	if errors.As(err, &ve) {
		return ve.alert, "verify"
	}
	var de *messages.DecodeError
	if errors.As(err, &de) {
		return de.Alert, de.Alert.String()
	}
	switch {
	case errors.Is(err, keys.ErrBadRecordMAC):
		return errBadRecordMAC.alert, errBadRecordMAC.id
	case errors.Is(err, keys.ErrInvalidPeerKey):
		return errBadPeerKey.alert, errBadPeerKey.id
	case errors.Is(err, keys.ErrBadSignature):
		return errBadSignature.alert, errBadSignature.id
	}
	return messages.AlertInternalError, "internal"
}

func wrapf(base error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", base, fmt.Sprintf(format, args...))
}

var errNoServerName = errors.New("sanstls: Config.ServerName is empty: set it, or InsecureSkipVerify")

var errExporterNeedsEMS = errors.New("sanstls: keying material export requires extended master secret")
