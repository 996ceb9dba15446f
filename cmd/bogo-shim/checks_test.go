package main

import (
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

func TestSelectedCredential(t *testing.T) {
	creds := []loadedCred{
		{number: 0, cert: machine.Certificate{Chain: [][]byte{{1}}}},
		{number: -1, cert: machine.Certificate{Chain: [][]byte{{2}}}},
	}
	for leaf, want := range map[byte]int{1: 0, 2: -1, 3: -1} {
		if got := selectedCredential(&tracer{sentLeaf: []byte{leaf}}, creds); got != want {
			t.Errorf("leaf %d: credential %d, want %d", leaf, got, want)
		}
	}
}

func TestSameSchemes(t *testing.T) {
	if !sameSchemes([]machine.SignatureScheme{0x0403, 0x0804}, []uint16{0x0403, 0x0804}) ||
		sameSchemes([]machine.SignatureScheme{0x0804, 0x0403}, []uint16{0x0403, 0x0804}) ||
		sameSchemes(nil, []uint16{1}) {
		t.Error("sameSchemes is not an ordered comparison")
	}
}

func TestCheckPeerOffers(t *testing.T) {
	o := &options{hasExpectCertTypes: true, expectCertificateTypes: []byte{1},
		expectPeerVerifyPrefs: []uint16{0x0403}}
	if err := checkPeerOffers(o, &tracer{}); err != nil {
		t.Errorf("no CertificateRequest, nothing to check: %v", err)
	}
	good := &messages.CertificateRequest{CertificateTypes: []uint8{1}, SignatureAlgorithms: []machine.SignatureScheme{0x0403}}
	if err := checkPeerOffers(o, &tracer{certReq: good}); err != nil {
		t.Errorf("matching CertificateRequest: %v", err)
	}
	for _, bad := range []*messages.CertificateRequest{
		{CertificateTypes: []uint8{64}, SignatureAlgorithms: []machine.SignatureScheme{0x0403}},
		{CertificateTypes: []uint8{1}, SignatureAlgorithms: []machine.SignatureScheme{0x0804}},
	} {
		if err := checkPeerOffers(o, &tracer{certReq: bad}); err == nil {
			t.Errorf("mismatching CertificateRequest %+v accepted", bad)
		}
	}
}
