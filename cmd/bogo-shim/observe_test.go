package main

import (
	"errors"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

func TestVerifier(t *testing.T) {
	// A client without -verify-peer runs the check but ignores a failure.
	v := newVerifier(&options{verifyFail: true})
	if err := v.check(nil); err != nil || !v.ran || !v.failed {
		t.Errorf("soft fail: %v ran=%v failed=%v", err, v.ran, v.failed)
	}
	// Enforced: the legacy callback's alert, or the custom callback's.
	for _, tc := range []struct {
		o     options
		alert machine.Alert
	}{
		{options{verifyFail: true, verifyPeer: true}, messages.AlertHandshakeFailure},
		{options{verifyFail: true, server: true, requireAnyClientCert: true, customVerify: true}, messages.AlertCertificateUnknown},
	} {
		err := newVerifier(&tc.o).check(nil)
		var ae *machine.AlertError
		if !errors.As(err, &ae) || ae.Alert != tc.alert || !errors.Is(err, errVerifyFailed) {
			t.Errorf("%+v: check = %v, want alert %v", tc.o, err, tc.alert)
		}
	}
	if err := newVerifier(&options{verifyPeer: true}).check(nil); err != nil {
		t.Errorf("passing verification: %v", err)
	}
	err := newVerifier(&options{failOCSPCallback: true}).check(nil)
	if !errors.Is(err, errOCSPCallback) {
		t.Errorf("-fail-ocsp-callback: %v", err)
	}
}

func TestTracer(t *testing.T) {
	tr := &tracer{}
	ch := &messages.ClientHello{
		Version: messages.VersionTLS12, CipherSuites: []uint16{0xc02b},
		CompressionMethods: []uint8{0}, ALPNProtocols: []string{"foo"},
	}
	raw, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	tr.observe(true, messages.ContentTypeHandshake, raw) // our own: ignored
	if tr.clientHello != nil {
		t.Error("sent ClientHello recorded as the peer's")
	}
	tr.observe(false, messages.ContentTypeHandshake, raw)
	if tr.clientHello == nil || tr.clientHello.ALPNProtocols[0] != "foo" {
		t.Errorf("received ClientHello not recorded: %+v", tr.clientHello)
	}
	cert := &messages.Certificate{Certificates: [][]byte{{1, 2, 3}}}
	raw, err = cert.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	tr.observe(true, messages.ContentTypeHandshake, raw)
	if string(tr.sentLeaf) != "\x01\x02\x03" {
		t.Errorf("sentLeaf = %x", tr.sentLeaf)
	}
	tr.observe(false, messages.ContentTypeAlert, []byte{2, 40})          // not a handshake message
	tr.observe(false, messages.ContentTypeHandshake, []byte{2, 0, 0, 9}) // truncated: ignored
	if tr.sawServerHello {
		t.Error("a truncated ServerHello counted")
	}
}

// marshal encodes a handshake message for the tracer.
func marshal(t *testing.T, m interface{ Marshal() ([]byte, error) }) []byte {
	t.Helper()
	raw, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestTracerCCSDue(t *testing.T) {
	hs := messages.ContentTypeHandshake
	ch := marshal(t, &messages.ClientHello{Version: messages.VersionTLS12, CipherSuites: []uint16{0xc02b}, CompressionMethods: []uint8{0}})
	cke := marshal(t, messages.NewECDHEClientKeyExchange(make([]byte, 32)))
	fin := marshal(t, &messages.Finished{VerifyData: make([]byte, 12)})

	// A server after ClientKeyExchange (no client certificate) waits for
	// the client's ChangeCipherSpec, so a Finished there came where a CCS
	// was due; a Finished right after ClientHello did not.
	tr := &tracer{server: true}
	tr.observe(false, hs, ch)
	tr.observe(false, hs, fin)
	if tr.ccsNextBefore {
		t.Error("Finished after ClientHello counted as where CCS was due")
	}
	tr = &tracer{server: true}
	tr.observe(false, hs, ch)
	tr.observe(false, hs, cke)
	tr.observe(false, hs, fin)
	if !tr.ccsNextBefore {
		t.Error("Finished after ClientKeyExchange: CCS was due")
	}
	// The ChangeCipherSpec itself settles it.
	tr = &tracer{server: true}
	tr.observe(false, hs, ch)
	tr.observe(false, hs, cke)
	tr.observe(false, messages.ContentTypeChangeCipherSpec, []byte{1})
	tr.observe(false, hs, fin)
	if tr.ccsNextBefore {
		t.Error("Finished after ChangeCipherSpec counted as where CCS was due")
	}

	// A client whose server promised a ticket waits for NewSessionTicket
	// first, then for ChangeCipherSpec.
	sh := marshal(t, &messages.ServerHello{Version: messages.VersionTLS12, CipherSuite: 0xc02b, HasExtensions: true, SessionTicketSupported: true})
	nst := marshal(t, &messages.NewSessionTicket{Ticket: []byte{1}})
	tr = &tracer{}
	tr.observe(true, hs, ch)
	tr.observe(false, hs, sh)
	tr.observe(true, hs, fin)
	tr.observe(false, hs, fin)
	if tr.ccsNextBefore {
		t.Error("client: Finished where NewSessionTicket was due counted as CCS due")
	}
	tr = &tracer{}
	tr.observe(true, hs, ch)
	tr.observe(false, hs, sh)
	tr.observe(true, hs, fin)
	tr.observe(false, hs, nst)
	tr.observe(false, hs, fin)
	if !tr.ccsNextBefore {
		t.Error("client: Finished after NewSessionTicket: CCS was due")
	}
}

func TestTracerHandshakeCount(t *testing.T) {
	hs := messages.ContentTypeHandshake
	ch := marshal(t, &messages.ClientHello{Version: messages.VersionTLS12, CipherSuites: []uint16{0xc02b}, CompressionMethods: []uint8{0}})
	sh := marshal(t, &messages.ServerHello{Version: messages.VersionTLS12, CipherSuite: 0xc02b, HasExtensions: true, SupportedPoints: []uint8{1}})
	fin := marshal(t, &messages.Finished{VerifyData: make([]byte, 12)})
	hr := marshal(t, &messages.HelloRequest{})

	tr := &tracer{}
	tr.observe(true, hs, ch)
	tr.observe(false, hs, sh)
	if !tr.badPointFormats {
		t.Error("ec_point_formats without uncompressed not noticed")
	}
	tr.observe(true, hs, fin)
	tr.observe(false, messages.ContentTypeChangeCipherSpec, []byte{1})
	tr.observe(false, hs, fin)
	if tr.completed != 1 || tr.renegotiating {
		t.Fatalf("after one handshake: completed %d, renegotiating %v", tr.completed, tr.renegotiating)
	}
	tr.observe(false, hs, sh) // a stray message after the handshake
	if !tr.idleBefore {
		t.Error("message after the handshake not seen as post-handshake")
	}
	tr.observe(false, hs, hr)
	tr.observe(true, hs, ch)
	if !tr.renegotiating || tr.refusedRenegotiation() {
		t.Errorf("accepted renegotiation: renegotiating %v, refused %v", tr.renegotiating, tr.refused)
	}
	tr.observe(false, hs, sh)
	if tr.idleBefore {
		t.Error("message inside a renegotiation seen as post-handshake")
	}

	// A refusal is a warning no_renegotiation alert going out; a
	// HelloRequest after our close_notify cannot be honoured either.
	tr = &tracer{}
	tr.observe(true, messages.ContentTypeAlert, []byte{1, byte(messages.AlertNoRenegotiation)})
	if !tr.refusedRenegotiation() {
		t.Error("no_renegotiation warning not seen as a refusal")
	}
	tr = &tracer{}
	tr.observe(false, hs, hr)
	if tr.refusedRenegotiation() {
		t.Error("HelloRequest before close_notify seen as refused")
	}
	tr.observe(true, messages.ContentTypeAlert, []byte{1, byte(messages.AlertCloseNotify)})
	tr.observe(false, hs, hr)
	if !tr.refusedRenegotiation() {
		t.Error("HelloRequest after close_notify not seen as refused")
	}
}

// TestVerifierOnResumption: BoringSSL calls the verify callback on a
// resumed session only with -reverify-on-resume; the machine's check of a
// cached chain (PeerCerts.Resumption) follows that.
func TestVerifierOnResumption(t *testing.T) {
	cached := &machine.PeerCerts{Resumption: true, IsClient: true}
	v := newVerifier(&options{verifyFail: true, verifyPeer: true, customVerify: true})
	if err := v.check(cached); err != nil || v.ran {
		t.Fatalf("without -reverify-on-resume: %v ran=%v", err, v.ran)
	}
	v = newVerifier(&options{verifyFail: true, verifyPeer: true, customVerify: true, reverifyOnResume: true})
	var ae *machine.AlertError
	if err := v.check(cached); !errors.As(err, &ae) || ae.Alert != messages.AlertCertificateUnknown || !v.ran {
		t.Fatalf("with -reverify-on-resume: %v ran=%v", err, v.ran)
	}
}
