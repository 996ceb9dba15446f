package machine

import (
	"fmt"

	"github.com/sanstls/sanstls/messages"
)

// minSendFragment is the smallest Config.MaxSendFragment (BoringSSL's
// floor): below it the per-record overhead dominates.
const minSendFragment = 512

var (
	errInvalidSCTList = perr(messages.AlertInternalError, "invalid signed certificate timestamp list", "invalid_sct_list")
	errOCSPCallback   = perr(messages.AlertInternalError, "the OCSP staple callback failed", "ocsp_callback")
	// errLocalAbort is the reason of Abort; the alert is the caller's.
	errLocalAbort = perr(messages.AlertInternalError, "connection aborted by the application", "local_abort")
)

// checkFeatures validates the optional features' settings.
func (cfg *Config) checkFeatures() error {
	if n := cfg.MaxSendFragment; n != 0 && (n < minSendFragment || n > messages.MaxPlaintext) {
		return fmt.Errorf("sanstls: MaxSendFragment %d outside [%d, %d]", n, minSendFragment, messages.MaxPlaintext)
	}
	for i, cert := range cfg.Certificates {
		// RFC 6962, Section 3.3: SerializedSCT<1..2^16-1>, in a list of
		// at most 2^16-1 bytes.
		total := 0
		for _, sct := range cert.SignedCertificateTimestamps {
			if len(sct) == 0 || len(sct) > 0xffff {
				return wrapf(errInvalidSCTList, "certificate %d: an SCT of %d bytes", i, len(sct))
			}
			total += 2 + len(sct)
		}
		if total > 0xffff {
			return wrapf(errInvalidSCTList, "certificate %d: %d bytes of SCTs", i, total)
		}
	}
	return nil
}

// maxSendFragment is the largest plaintext we put in one record.
func (cfg *Config) maxSendFragment() int {
	if cfg.MaxSendFragment > 0 {
		return cfg.MaxSendFragment
	}
	return messages.MaxPlaintext
}

// ocspStaple returns what a server staples for cert: nothing unless the
// client sent status_request (RFC 6066, Section 8), then the callback's
// answer or the certificate's own response.
func (c *Conn) ocspStaple(ch *messages.ClientHello, cert *Certificate) ([]byte, error) {
	if !ch.StatusRequest {
		return nil, nil
	}
	if c.cfg.GetOCSPStaple == nil {
		return cert.OCSPStaple, nil
	}
	staple, err := c.cfg.GetOCSPStaple(cert, ch.ServerName)
	if err != nil {
		return nil, wrapf(errOCSPCallback, "%v", err)
	}
	return staple, nil
}

// Abort ends the connection with a fatal alert of the caller's choosing
// (RFC 5246, Section 7.2.2), appended to dst: an application that finds the
// peer's data unacceptable says why. The connection then fails with an
// *AlertError carrying alert and the reason "local_abort". Nothing is
// appended after an earlier fatal error or our close_notify.
func (c *Conn) Abort(dst []byte, alert Alert) []byte {
	if c.err != nil || c.closeSent || !c.started {
		return dst
	}
	c.dst = dst
	c.hsOut = c.hsOut[:0]
	_ = c.writeAlert(messages.AlertLevelFatal, alert)
	c.forgetSession() // RFC 5246, Section 7.2.2
	c.terminate(&AlertError{Alert: alert, Err: errLocalAbort, Reason: "local_abort"})
	return c.takeOutput()
}

// errAppDataInHandshakeMsg: application data arrived between the fragments
// of one handshake message. RFC 5246, Section 6.2.1 lets a message span
// records but not be interrupted; BoringSSL and OpenSSL refuse it too.
var errAppDataInHandshakeMsg = perr(messages.AlertUnexpectedMessage, "application data inside a fragmented handshake message", "app_data_in_handshake_message")

// helloRequestByPolicy applies the client's renegotiation modes that are
// neither accept nor refuse, and reports whether it dealt with the
// HelloRequest.
func (c *Conn) helloRequestByPolicy() bool {
	switch c.cfg.Renegotiation {
	case RenegotiateIgnore:
		return true
	case RenegotiateExplicit:
		c.events.push(Event{Kind: EventRenegotiationRequested})
		return true
	}
	return false
}
