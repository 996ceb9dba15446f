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
