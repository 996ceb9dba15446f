package main

import (
	"errors"
	"slices"
	"testing"

	"github.com/sanstls/sanstls/machine"
)

func TestParseCipherString(t *testing.T) {
	const (
		ecdsa128 = machine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
		rsa128   = machine.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
		ecdsa256 = machine.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
		rsa256   = machine.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
		ecdsaCC  = machine.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
		rsaCC    = machine.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
		// Legacy suites BoringSSL also implements.
		ecdsaCBC128 = machine.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
		rsaCBC128   = machine.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
		rsaCBC256   = machine.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
		ecdsaCBC256 = machine.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
		rsaCBC256b  = machine.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
		kRSA128GCM  = machine.TLS_RSA_WITH_AES_128_GCM_SHA256
		kRSA256GCM  = machine.TLS_RSA_WITH_AES_256_GCM_SHA384
		kRSA128CBC  = machine.TLS_RSA_WITH_AES_128_CBC_SHA
		kRSA256CBC  = machine.TLS_RSA_WITH_AES_256_CBC_SHA
	)
	aead := []uint16{ecdsa128, rsa128, ecdsa256, rsa256, ecdsaCC, rsaCC}
	all := append(slices.Clone(aead), ecdsaCBC128, rsaCBC128, ecdsaCBC256, rsaCBC256b, kRSA128GCM, kRSA256GCM, kRSA128CBC, kRSA256CBC)
	for _, tc := range []struct {
		in   string
		want []uint16
	}{
		{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", []uint16{rsa128}},
		{"ECDHE-RSA-AES128-GCM-SHA256", []uint16{rsa128}},
		{"ALL", all},
		{defaultCipherString, append(slices.Clone(all), rsaCBC256)},
		{"DEFAULT:!AES", []uint16{ecdsaCC, rsaCC}},
		{"AES128", []uint16{ecdsa128, rsa128, ecdsaCBC128, rsaCBC128, rsaCBC256, kRSA128GCM, kRSA128CBC}},
		{"ECDHE+AESGCM+aRSA", []uint16{rsa128, rsa256}},
		{"CHACHA20:AESGCM", []uint16{ecdsaCC, rsaCC, ecdsa128, rsa128, ecdsa256, rsa256, kRSA128GCM, kRSA256GCM}},
		{"ALL:!kRSA:+CHACHA20", []uint16{ecdsa128, rsa128, ecdsa256, rsa256, ecdsaCBC128, rsaCBC128, ecdsaCBC256, rsaCBC256b, ecdsaCC, rsaCC}},
		{"ALL:-AES:AES256+AESGCM", []uint16{ecdsaCC, rsaCC, ecdsa256, rsa256, kRSA256GCM}},
		{"ALL:!AES:AES256", []uint16{ecdsaCC, rsaCC}},
		// Equal-preference groups are flattened in the order written.
		{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:[TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384|TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256|TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA]:TLS_RSA_WITH_AES_128_GCM_SHA256",
			[]uint16{rsa128, rsa256, rsaCC, rsaCBC256b, kRSA128GCM}},
		// Suites sanstls lacks are dropped.
		{"3DES:ECDHE-PSK-CHACHA20-POLY1305:AES128-SHA", []uint16{kRSA128CBC}},
	} {
		got, err := parseCipherString(tc.in)
		if err != nil {
			t.Errorf("parseCipherString(%q): %v", tc.in, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("parseCipherString(%q) = %04x, want %04x", tc.in, got, tc.want)
		}
	}
}

func TestParseCipherStringUnimplemented(t *testing.T) {
	for _, in := range []string{
		"3DES",
		"TLS_RSA_WITH_3DES_EDE_CBC_SHA",
		"ECDHE-PSK-CHACHA20-POLY1305",
		"kPSK",
	} {
		_, err := parseCipherString(in)
		var ue *unimplementedError
		if !errors.As(err, &ue) {
			t.Errorf("parseCipherString(%q) = %v, want an unimplementedError", in, err)
		}
	}
}

func TestParseCipherStringErrors(t *testing.T) {
	for _, in := range []string{
		"NOT-A-CIPHER",
		"4865",
		"ALL:!ALL",
		"[AES128",
		"ECDHE+NOPE",
	} {
		_, err := parseCipherString(in)
		var ue *unimplementedError
		if err == nil || errors.As(err, &ue) {
			t.Errorf("parseCipherString(%q) = %v, want a plain error", in, err)
		}
	}
}

// TestCipherTable checks the BoringSSL table against the machine: where
// both have a suite, they must agree on its names, and every suite in the
// machine's defaults must be selectable with -cipher.
func TestCipherTable(t *testing.T) {
	names := map[uint16]machine.CipherSuiteInfo{}
	for _, info := range machine.SupportedCipherSuites() {
		names[info.ID] = info
	}
	for _, s := range bsslSuites {
		if info, ok := names[s.id]; ok && (info.Name != s.name || info.OpenSSLName != s.ossl) {
			t.Errorf("%04x: table names %q/%q, machine %q/%q", s.id, s.name, s.ossl, info.Name, info.OpenSSLName)
		}
	}
	for _, id := range machine.DefaultCipherSuites() {
		if !slices.ContainsFunc(bsslSuites, func(s bsslSuite) bool { return s.id == id }) {
			t.Errorf("default suite %04x missing from bsslSuites", id)
		}
	}
}
