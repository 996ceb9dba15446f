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
	if got := verifySchemes(&options{}); got != nil {
		t.Errorf("no -verify-prefs: %v, want nil (machine defaults)", got)
	}
	// -verify-prefs is Config.SignatureSchemes; MD5-SHA1 is dropped.
	o := &options{verifyPrefs: []uint16{schemeRSAPKCS1MD5SHA1, 0x0403, 0x0804}}
	if got := verifySchemes(o); !slices.Equal(got, []machine.SignatureScheme{0x0403, 0x0804}) {
		t.Errorf("verify prefs: %v", got)
	}
	// -signing-prefs belong to their credential.
	if got := signingSchemes(o, []uint16{0x0804}); !slices.Equal(got, []machine.SignatureScheme{0x0804}) {
		t.Errorf("signing prefs: %v", got)
	}
	// Without them a credential signs with the defaults, not with the
	// narrower -verify-prefs...
	if got := signingSchemes(o, nil); !slices.Equal(got, append(slices.Clone(machine.DefaultSignatureSchemes()), schemeECDSAP521SHA512)) {
		t.Errorf("signing without prefs, with -verify-prefs: %v", got)
	}
	// ...and with nothing set, the machine decides.
	if got := signingSchemes(&options{}, []uint16{schemeRSAPKCS1MD5SHA1}); got != nil {
		t.Errorf("signing without usable prefs: %v, want nil", got)
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
	if cfg.ClientAuth != machine.VerifyClientCertIfGiven || !cfg.PreferClientCipherSuites || cfg.Renegotiation != machine.RenegotiateNever ||
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

func TestBuildConfigClientRenegotiation(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want machine.RenegotiationSupport
	}{
		{nil, machine.RenegotiateNever},
		{[]string{"-renegotiate-once"}, machine.RenegotiateOnceAsClient},
		{[]string{"-renegotiate-freely"}, machine.RenegotiateFreelyAsClient},
		{[]string{"-forbid-renegotiation-after-handshake"}, machine.RenegotiateNever},
	} {
		p, err := parseFlags(tc.args)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := buildConfig(p.initial, nil, newVerifier(p.initial), &tracer{})
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Renegotiation != tc.want {
			t.Errorf("%q: Renegotiation = %v, want %v", tc.args, cfg.Renegotiation, tc.want)
		}
	}
}

func TestBuildConfigCredentialSchemes(t *testing.T) {
	o := &options{verifyPrefs: []uint16{0x0403}}
	creds := []loadedCred{{number: 0, prefs: []uint16{0x0503}}, {number: -1}}
	cfg, err := buildConfig(o, creds, newVerifier(o), &tracer{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.SignatureSchemes, []machine.SignatureScheme{0x0403}) ||
		!slices.Equal(cfg.Certificates[0].SignatureSchemes, []machine.SignatureScheme{0x0503}) ||
		!slices.Equal(cfg.Certificates[1].SignatureSchemes, append(slices.Clone(machine.DefaultSignatureSchemes()), schemeECDSAP521SHA512)) {
		t.Errorf("Config %v, certificates %v / %v", cfg.SignatureSchemes, cfg.Certificates[0].SignatureSchemes, cfg.Certificates[1].SignatureSchemes)
	}
}
