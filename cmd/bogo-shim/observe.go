package main

import (
	"bytes"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// verifier is the shim's certificate verification, standing in for
// BoringSSL's CertVerifyCallback / CustomVerifyCallback: it accepts every
// chain unless -verify-fail is set, and remembers its verdict for
// -expect-verify-result.
type verifier struct {
	fail bool // -verify-fail
	// enforce makes a failure fatal. A BoringSSL client in its default
	// SSL_VERIFY_NONE mode runs the callback but ignores its verdict.
	enforce bool
	// alert is what a fatal failure sends: the legacy callback's
	// handshake_failure or the custom callback's certificate_unknown.
	alert machine.Alert

	// failOCSP stands for -fail-ocsp-callback on a client: BoringSSL's
	// status callback runs beside certificate verification and fails the
	// handshake with bad_certificate_status_response.
	failOCSP bool

	// reverify (-reverify-on-resume): the callback also judges a cached
	// session's chain before the client offers it. Without it BoringSSL
	// does not call the callback on resumption, so a check the machine
	// asks for then (PeerCerts.Resumption) accepts without running.
	reverify bool

	ran, failed bool
}

func newVerifier(o *options) *verifier {
	v := &verifier{fail: o.verifyFail, alert: messages.AlertHandshakeFailure}
	if o.server {
		v.enforce = o.verifyPeer || o.requireAnyClientCert
	} else {
		v.enforce = o.verifyPeer
	}
	if o.customVerify {
		v.alert = messages.AlertCertificateUnknown
	}
	v.failOCSP = o.failOCSPCallback && !o.server
	v.reverify = o.reverifyOnResume
	return v
}

// check is the machine's verification hook (Config.VerifyPeer, or the
// answer to EventVerifyPeer in async mode).
func (v *verifier) check(pc *machine.PeerCerts) error {
	if pc != nil && pc.Resumption && !v.reverify {
		return nil
	}
	v.ran = true
	if v.failOCSP {
		return &machine.AlertError{Alert: messages.AlertBadCertificateStatusResponse, Err: errOCSPCallback}
	}
	if !v.fail {
		return nil
	}
	v.failed = true
	if !v.enforce {
		return nil
	}
	return &machine.AlertError{Alert: v.alert, Err: errVerifyFailed}
}

// tracer records, through machine's Config.Trace, the handshake messages
// the checks need (the peer's ClientHello or CertificateRequest and our
// Certificate) and follows the handshake far enough to name failures the way
// BoringSSL does (see failure).
type tracer struct {
	server      bool
	clientHello *messages.ClientHello
	certReq     *messages.CertificateRequest
	sentLeaf    []byte
	// sawServerHello reports that a ServerHello arrived.
	sawServerHello bool
	// badPointFormats: the peer's hello listed point formats without
	// "uncompressed".
	badPointFormats bool

	// The position in the current handshake.
	sentSessionID  []byte // (client) the session ID of our last ClientHello
	resumed        bool   // this handshake is abbreviated
	ticketPromised bool   // (client) the ServerHello acknowledged session_ticket
	clientCert     bool   // (server) the client sent a non-empty Certificate
	ourFinished    bool   // our Finished of this handshake went out
	peerFinished   bool   // the peer's Finished of this handshake arrived
	ccsNext        bool   // the peer's ChangeCipherSpec is due
	completed      int    // handshakes completed on this connection
	// renegotiating: a handshake after the first is under way.
	renegotiating bool

	// What the last received handshake message found: whether it came
	// where the peer's ChangeCipherSpec was due, or after the handshake.
	ccsNextBefore, idleBefore bool

	// refused: the machine declined a renegotiation (a warning
	// no_renegotiation alert went out), or a HelloRequest (client) or
	// ClientHello (server) came after our close_notify, when no handshake
	// can run.
	refused   bool
	closeSent bool
}

func (t *tracer) observe(sent bool, typ machine.ContentType, body []byte) {
	switch typ {
	case messages.ContentTypeAlert:
		if sent && len(body) == 2 && body[0] == byte(messages.AlertLevelWarning) {
			switch messages.AlertDescription(body[1]) {
			case messages.AlertNoRenegotiation:
				t.refused = true
			case messages.AlertCloseNotify:
				t.closeSent = true
			}
		}
		return
	case messages.ContentTypeChangeCipherSpec:
		if !sent {
			t.ccsNext = false
		}
		return
	case messages.ContentTypeHandshake:
	default:
		return
	}
	if !sent {
		t.ccsNextBefore = t.ccsNext
		t.idleBefore = t.completed > 0 && !t.renegotiating
	}
	msg, err := messages.Parse(bytes.Clone(body)) // body is only valid during the call
	if err != nil {
		return // the machine reports the failure itself
	}
	if sent {
		t.observeSent(msg)
	} else {
		t.observeReceived(msg)
	}
	if t.ourFinished && t.peerFinished {
		t.completed++
		t.ourFinished, t.peerFinished, t.renegotiating = false, false, false
	}
}

// startHandshake resets the per-handshake state at a ClientHello.
func (t *tracer) startHandshake() {
	t.resumed, t.ticketPromised, t.clientCert = false, false, false
	t.ourFinished, t.peerFinished, t.ccsNext = false, false, false
	t.renegotiating = t.completed > 0
}

func (t *tracer) observeSent(msg messages.Message) {
	switch m := msg.(type) {
	case *messages.ClientHello:
		if t.closeSent && t.completed > 0 {
			// The machine ignores a renegotiation ClientHello after our
			// close_notify; BoringSSL reports it as NO_RENEGOTIATION.
			t.refused = true
		}
		t.startHandshake()
		t.sentSessionID = m.SessionID
	case *messages.ServerHello:
		t.resumed = t.clientHello != nil && len(m.SessionID) > 0 && bytes.Equal(m.SessionID, t.clientHello.SessionID)
	case *messages.Certificate:
		if len(m.Certificates) > 0 {
			t.sentLeaf = m.Certificates[0]
		}
	case *messages.Finished:
		t.ourFinished = true
		// Our Finished went first: the peer's ChangeCipherSpec is next,
		// after the NewSessionTicket a server promised.
		if !t.peerFinished {
			t.ccsNext = t.server || !t.ticketPromised
		}
	}
}

func (t *tracer) observeReceived(msg messages.Message) {
	t.ccsNext = false
	switch m := msg.(type) {
	case *messages.HelloRequest:
		if t.closeSent {
			t.refused = true // BoringSSL cannot handshake after close_notify
		}
	case *messages.ClientHello:
		if t.closeSent && t.completed > 0 {
			// The machine ignores a renegotiation ClientHello after our
			// close_notify; BoringSSL reports it as NO_RENEGOTIATION.
			t.refused = true
		}
		t.startHandshake()
		t.clientHello = m
		t.badPointFormats = hasNoUncompressed(m.SupportedPoints)
	case *messages.ServerHello:
		t.sawServerHello = true
		t.badPointFormats = hasNoUncompressed(m.SupportedPoints)
		t.ticketPromised = m.SessionTicketSupported
		t.resumed = len(m.SessionID) > 0 && bytes.Equal(m.SessionID, t.sentSessionID)
		t.ccsNext = t.resumed && !t.ticketPromised
	case *messages.NewSessionTicket:
		t.ccsNext = true
	case *messages.Certificate:
		t.clientCert = t.server && len(m.Certificates) > 0
	case *messages.ClientKeyExchange:
		t.ccsNext = !t.clientCert
	case *messages.CertificateVerify:
		t.ccsNext = t.server
	case *messages.CertificateRequest:
		t.certReq = m
	case *messages.Finished:
		t.peerFinished = true
	}
}

// hasNoUncompressed reports whether an ec_point_formats list is present
// and lacks the uncompressed format.
func hasNoUncompressed(formats []uint8) bool {
	return formats != nil && !bytes.Contains(formats, []byte{messages.PointFormatUncompressed})
}

// refusedRenegotiation reports whether a renegotiation was refused.
// BoringSSL fails the connection there (NO_RENEGOTIATION); the machine
// warns the peer and carries on (RFC 5246, Section 7.2.2), so the shim ends
// the connection itself to behave like BoringSSL.
func (t *tracer) refusedRenegotiation() bool { return t.refused }
