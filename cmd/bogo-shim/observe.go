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
	return v
}

// check is the machine's verification hook (Config.VerifyPeer, or the
// answer to EventVerifyPeer in async mode).
func (v *verifier) check(*machine.PeerCerts) error {
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
// the checks need: the peer's ClientHello or CertificateRequest and our
// Certificate.
type tracer struct {
	clientHello *messages.ClientHello
	certReq     *messages.CertificateRequest
	sentLeaf    []byte
	// sawServerHello reports that a ServerHello arrived.
	sawServerHello bool
}

func (t *tracer) observe(sent bool, typ machine.ContentType, body []byte) {
	if typ != messages.ContentTypeHandshake {
		return
	}
	msg, err := messages.Parse(bytes.Clone(body)) // body is only valid during the call
	if err != nil {
		return // the machine reports the failure itself
	}
	switch m := msg.(type) {
	case *messages.ClientHello:
		if !sent {
			t.clientHello = m
		}
	case *messages.ServerHello:
		if !sent {
			t.sawServerHello = true
		}
	case *messages.CertificateRequest:
		if !sent {
			t.certReq = m
		}
	case *messages.Certificate:
		if sent && len(m.Certificates) > 0 {
			t.sentLeaf = m.Certificates[0]
		}
	}
}
