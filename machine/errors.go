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
}

func (e *protocolError) Error() string { return e.reason }

func perr(a Alert, reason string) *protocolError { return &protocolError{a, reason} }

// Failure reasons, grouped by the alert they send.
var (
	errUnexpectedMessage     = perr(messages.AlertUnexpectedMessage, "unexpected handshake message")
	errUnexpectedCCS         = perr(messages.AlertUnexpectedMessage, "unexpected ChangeCipherSpec")
	errCCSWithPartial        = perr(messages.AlertUnexpectedMessage, "ChangeCipherSpec with a partial handshake message buffered")
	errUnexpectedAppData     = perr(messages.AlertUnexpectedMessage, "application data before the handshake completed")
	errUnknownContentType    = perr(messages.AlertUnexpectedMessage, "unknown record content type")
	errTooManyEmpty          = perr(messages.AlertUnexpectedMessage, "too many consecutive empty records")
	errTooManyWarnings       = perr(messages.AlertUnexpectedMessage, "too many consecutive warning alerts")
	errEmptyHandshake        = perr(messages.AlertUnexpectedMessage, "empty handshake or alert record")
	errRenegotiation         = perr(messages.AlertNoRenegotiation, "renegotiation is not enabled")
	errBadCCS                = perr(messages.AlertUnexpectedMessage, "malformed ChangeCipherSpec") // as OpenSSL and tlsfuzzer expect
	errBadAlert              = perr(messages.AlertDecodeError, "malformed alert record")
	errRecordOverflow        = perr(messages.AlertRecordOverflow, "record too large")
	errHandshakeTooLarge     = perr(messages.AlertIllegalParameter, "handshake message too large")
	errBadRecordVersion      = perr(messages.AlertProtocolVersion, "wrong record version")
	errBadRecordMAC          = perr(messages.AlertBadRecordMAC, "record authentication failed")
	errSeqExhausted          = perr(messages.AlertInternalError, "record sequence number exhausted")
	errFinishedMismatch      = perr(messages.AlertDecryptError, "peer Finished verify_data mismatch")
	errBadFinishedLength     = perr(messages.AlertDecodeError, "Finished verify_data has the wrong length")
	errBadSignature          = perr(messages.AlertDecryptError, "signature verification failed")
	errUnofferedSigAlg       = perr(messages.AlertIllegalParameter, "peer used a signature scheme we did not offer")
	errSigKeyMismatch        = perr(messages.AlertIllegalParameter, "signature scheme does not match the certificate key")
	errVersion               = perr(messages.AlertProtocolVersion, "peer does not support TLS 1.2")
	errServerVersion         = perr(messages.AlertProtocolVersion, "server chose a version other than TLS 1.2")
	errFallback              = perr(messages.AlertInappropriateFallback, "TLS_FALLBACK_SCSV with a lower version than ours")
	errNoSharedSuite         = perr(messages.AlertHandshakeFailure, "no cipher suite in common")
	errNoSharedGroup         = perr(messages.AlertHandshakeFailure, "no key exchange group in common")
	errNoSharedSigAlg        = perr(messages.AlertHandshakeFailure, "no signature scheme in common")
	errNoCertificate         = perr(messages.AlertHandshakeFailure, "no certificate for this connection")
	errNoCompression         = perr(messages.AlertIllegalParameter, "null compression not offered")
	errUnofferedSuite        = perr(messages.AlertIllegalParameter, "server chose a cipher suite we did not offer")
	errUnofferedGroup        = perr(messages.AlertIllegalParameter, "server chose a group we did not offer")
	errBadCompression        = perr(messages.AlertIllegalParameter, "server chose a compression method other than null")
	errUnsolicitedExt        = perr(messages.AlertUnsupportedExtension, "server sent an extension we did not offer")
	errUnofferedALPN         = perr(messages.AlertIllegalParameter, "server chose an application protocol we did not offer")
	errNoALPN                = perr(messages.AlertNoApplicationProtocol, "no application protocol in common")
	errMissingRI             = perr(messages.AlertHandshakeFailure, "peer does not support secure renegotiation (RFC 5746)")
	errBadRI                 = perr(messages.AlertHandshakeFailure, "renegotiation_info mismatch")
	errMissingEMS            = perr(messages.AlertHandshakeFailure, "peer does not support extended master secret (RFC 7627)")
	errBadPeerKey            = perr(messages.AlertIllegalParameter, "invalid peer key share")
	errNoServerCert          = perr(messages.AlertDecodeError, "server sent an empty certificate list")
	errBadCertificate        = perr(messages.AlertBadCertificate, "could not parse peer certificate")
	errUnsupportedCert       = perr(messages.AlertUnsupportedCertificate, "peer certificate key does not fit the cipher suite")
	errCertKeyUsage          = perr(messages.AlertUnsupportedCertificate, "peer certificate key usage does not allow this key exchange")
	errDowngrade             = perr(messages.AlertIllegalParameter, "server random carries a TLS 1.1 downgrade sentinel")
	errBadSessionID          = perr(messages.AlertIllegalParameter, "session ID too long")
	errNoClientCert          = perr(messages.AlertHandshakeFailure, "client did not send a certificate")
	errClientCertRequired    = perr(messages.AlertHandshakeFailure, "client certificate required")
	errBadStatus             = perr(messages.AlertUnexpectedMessage, "unexpected CertificateStatus")
	errUnrecognizedName      = perr(messages.AlertUnrecognizedName, "no certificate for the requested server name")
	errResumeSuite           = perr(messages.AlertIllegalParameter, "server resumed a session with a different cipher suite")
	errResumeEMS             = perr(messages.AlertHandshakeFailure, "server resumed a session with a different extended master secret status")
	errWeakDH                = perr(messages.AlertInsufficientSecurity, "server Diffie-Hellman group rejected")
	errServerIdentityChanged = perr(messages.AlertBadCertificate, "server certificate changed during renegotiation")
	errAlertInternalFailed   = perr(messages.AlertInternalError, "internal error")
)

// errVerify wraps a certificate verification failure with its alert.
type verifyError struct {
	alert Alert
	err   error
}

func (e *verifyError) Error() string { return "certificate verification failed: " + e.err.Error() }
func (e *verifyError) Unwrap() error { return e.err }

// alertFor is the only function that chooses the alert for a local failure.
// Unknown errors get internal_error.
func alertFor(err error) Alert {
	var pe *protocolError
	if errors.As(err, &pe) {
		return pe.alert
	}
	var ve *verifyError
	if errors.As(err, &ve) {
		return ve.alert
	}
	var de *messages.DecodeError
	if errors.As(err, &de) {
		return de.Alert
	}
	switch {
	case errors.Is(err, keys.ErrBadRecordMAC):
		return messages.AlertBadRecordMAC
	case errors.Is(err, keys.ErrInvalidPeerKey):
		return messages.AlertIllegalParameter
	case errors.Is(err, keys.ErrBadSignature):
		return messages.AlertDecryptError
	}
	return messages.AlertInternalError
}

func wrapf(base error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", base, fmt.Sprintf(format, args...))
}

var errNoServerName = errors.New("sanstls: Config.ServerName is empty: set it, or InsecureSkipVerify")

var errExporterNeedsEMS = errors.New("sanstls: keying material export requires extended master secret")
