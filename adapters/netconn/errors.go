package netconn

import (
	"crypto/tls"
	"crypto/x509"
	"errors"

	"github.com/sanstls/sanstls/machine"
)

// tlsError is a machine failure that also matches crypto/tls's error types
// with errors.As, so that code checking for them keeps working:
//
//   - tls.AlertError: the alert sent or received (crypto/tls wraps it only
//     on QUIC connections; here on every fatal alert).
//   - *tls.CertificateVerificationError: the default verification of the
//     peer's chain failed (not a hook's verdict, as in crypto/tls).
//   - tls.RecordHeaderError: the first record's header was not TLS (for
//     instance an HTTP request). Its Conn is nil: the machine has already
//     answered with a protocol_version alert, so the connection cannot
//     carry a plain-text HTTP reply as net/http sends one over crypto/tls.
//
// errors.As into *machine.AlertError and errors.Is on the machine's errors
// work as before (Unwrap).
type tlsError struct {
	err        error
	unverified []*x509.Certificate
	header     *[5]byte
}

func (e *tlsError) Error() string { return e.err.Error() }
func (e *tlsError) Unwrap() error { return e.err }

func (e *tlsError) As(target any) bool {
	var ae *machine.AlertError
	isAlert := errors.As(e.err, &ae)
	switch t := target.(type) {
	case *tls.AlertError:
		if isAlert {
			*t = tls.AlertError(ae.Alert)
			return true
		}
	case **tls.CertificateVerificationError:
		if e.unverified != nil {
			inner := error(ae)
			if isAlert && ae.Err != nil {
				inner = ae.Err
				if u := errors.Unwrap(inner); u != nil {
					inner = u // the x509 error
				}
			}
			*t = &tls.CertificateVerificationError{UnverifiedCertificates: e.unverified, Err: inner}
			return true
		}
	case *tls.RecordHeaderError:
		if e.header != nil {
			*t = tls.RecordHeaderError{Msg: e.err.Error(), RecordHeader: *e.header}
			return true
		}
	}
	return false
}

// wrapErr wraps a failure of the machine as a tlsError. Before the
// handshake completes it runs with rdMu held (the receive buffer still
// holds a rejected record header).
func (c *Conn) wrapErr(err error) error {
	var ae *machine.AlertError
	if err == nil || !errors.As(err, &ae) {
		return err
	}
	// The machine's failure is sticky: so is its wrapper, so that
	// errors.Is matches the error of an earlier call.
	if w := c.wrapped.Load(); w != nil && w.err == err {
		return w
	}
	e := &tlsError{err: err}
	defer c.wrapped.Store(e)
	if !ae.Remote {
		switch machine.ReasonOf(err) {
		case "verify":
			// Only the default verification's failures (x509's errors),
			// not a hook's verdict, as in crypto/tls.
			if isX509Error(err) {
				e.unverified = c.unverified
				if e.unverified == nil {
					// The machine verified synchronously; it records
					// the chain before judging it.
					c.mu.Lock()
					if c.m != nil {
						e.unverified = c.m.State().PeerCertificates
					}
					c.mu.Unlock()
				}
			}
		case "http_request", "bad_record_version":
			if !c.hsDone.Load() && c.rend-c.rstart >= 5 {
				var h [5]byte
				copy(h[:], c.rbuf[c.rstart:])
				e.header = &h
			}
		}
	}
	return e
}

func isX509Error(err error) bool {
	var (
		uae x509.UnknownAuthorityError
		cie x509.CertificateInvalidError
		hne x509.HostnameError
		sre x509.SystemRootsError
		uce x509.UnhandledCriticalExtension
	)
	return errors.As(err, &uae) || errors.As(err, &cie) || errors.As(err, &hne) || errors.As(err, &sre) || errors.As(err, &uce)
}
