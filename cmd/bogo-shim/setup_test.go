package main

import (
	"slices"
	"testing"

	"github.com/sanstls/sanstls/machine"
)

func TestSupportedGroups(t *testing.T) {
	got, err := supportedGroups([]uint16{29, 23, 24})
	if err != nil || !slices.Equal(got, []machine.Group{machine.X25519, machine.CurveP256, machine.CurveP384}) {
		t.Errorf("supportedGroups = %v, %v", got, err)
	}
	if _, err := supportedGroups([]uint16{29, 4588}); err == nil {
		t.Error("X25519MLKEM768 accepted")
	}
}

func TestSignatureSchemes(t *testing.T) {
	if got := signatureSchemes(&options{}, nil); got != nil {
		t.Errorf("no prefs: %v, want nil (machine defaults)", got)
	}
	// -verify-prefs alone: exactly those, plus nothing when we have no
	// credential to sign with; MD5-SHA1 is dropped.
	o := &options{verifyPrefs: []uint16{schemeRSAPKCS1MD5SHA1, 0x0403}}
	if got := signatureSchemes(o, nil); !slices.Equal(got, []machine.SignatureScheme{0x0403}) {
		t.Errorf("verify prefs: %v", got)
	}
	// -signing-prefs come first, then the defaults.
	creds := []loadedCred{{prefs: []uint16{0x0804}}}
	got := signatureSchemes(&options{}, creds)
	if len(got) == 0 || got[0] != 0x0804 || !slices.Contains(got, machine.DefaultSignatureSchemes[0]) {
		t.Errorf("signing prefs: %v", got)
	}
	seen := map[machine.SignatureScheme]bool{}
	for _, s := range got {
		if seen[s] {
			t.Errorf("duplicate scheme %v in %v", s, got)
		}
		seen[s] = true
	}
}

func TestUsable(t *testing.T) {
	if got := usable([]uint16{schemeRSAPKCS1MD5SHA1, 1, schemeRSAPKCS1MD5SHA1, 2}); !slices.Equal(got, []uint16{1, 2}) {
		t.Errorf("usable = %v", got)
	}
}

func TestBuildConfigServerPolicy(t *testing.T) {
	v, tr := newVerifier(&options{}), &tracer{}
	cfg, err := buildConfig(&options{server: true, verifyPeer: true, requireAnyClientCert: true, selectALPN: "foo"}, nil, v, tr)
	if err != nil {
		t.Fatal(err)
	}
	// -verify-peer wins over -require-any-client-certificate, as in
	// BoringSSL's shim (SSL_VERIFY_PEER without FAIL_IF_NO_PEER_CERT).
	if cfg.ClientAuth != machine.VerifyClientCertIfGiven || !cfg.PreferClientCipherSuites ||
		!slices.Equal(cfg.NextProtos, []string{"foo"}) || !cfg.InsecureSkipVerify || cfg.VerifyPeer == nil {
		t.Errorf("config = %+v", cfg)
	}
	cfg, err = buildConfig(&options{server: true, rejectALPN: true, cipher: "AESGCM", async: true}, nil, v, tr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PreferClientCipherSuites || !slices.Equal(cfg.NextProtos, []string{alpnRejectProtocol}) || !cfg.DeferVerify || cfg.VerifyPeer != nil {
		t.Errorf("config = %+v", cfg)
	}
}
