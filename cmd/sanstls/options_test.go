package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

func TestCommaList(t *testing.T) {
	var l commaList
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&l, "alpn", "")
	if err := fs.Parse([]string{"-alpn", "h2, http/1.1", "--alpn=spdy/3"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"h2", "http/1.1", "spdy/3"}; !slices.Equal(l, want) {
		t.Fatalf("got %q, want %q", l, want)
	}
	if l.String() != "h2,http/1.1,spdy/3" {
		t.Errorf("String() = %q", l.String())
	}
	if err := l.Set("a,,b"); err == nil {
		t.Errorf("an empty element was accepted")
	}
}

func TestParseSuite(t *testing.T) {
	for name, want := range map[string]uint16{
		"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": machine.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		"ECDHE-ECDSA-CHACHA20-POLY1305":         machine.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		"ecdhe-rsa-aes256-gcm-sha384":           machine.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		"0xc02c":                                machine.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		"0xCCA8":                                machine.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": machine.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		// legacy suites are opt-in, but they can be named
		"AES128-SHA":                   machine.TLS_RSA_WITH_AES_128_CBC_SHA,
		"TLS_RSA_WITH_AES_128_CBC_SHA": machine.TLS_RSA_WITH_AES_128_CBC_SHA,
		"0x002f":                       machine.TLS_RSA_WITH_AES_128_CBC_SHA,
	} {
		got, err := parseSuite(name)
		if err != nil || got != want {
			t.Errorf("parseSuite(%q) = %#04x, %v; want %#04x", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "RC4-SHA", "TLS_RSA_WITH_RC4_128_SHA", "0x0005", "0xzz"} {
		if _, err := parseSuite(bad); err == nil {
			t.Errorf("parseSuite(%q) accepted", bad)
		}
	}
	got, err := parseSuites([]string{"ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"})
	if err != nil || !slices.Equal(got, []uint16{0xc02f, 0xc02b}) {
		t.Errorf("parseSuites = %x, %v", got, err)
	}
	if !suiteNeedsRSA(0xc02f) || suiteNeedsRSA(0xc02b) || suiteNeedsRSA(0xcca9) || !suiteNeedsRSA(0xcca8) {
		t.Errorf("suiteNeedsRSA misclassifies")
	}
}

func TestParseGroup(t *testing.T) {
	for name, want := range map[string]machine.Group{
		"X25519": machine.X25519, "x25519": machine.X25519,
		"P-256": machine.CurveP256, "prime256v1": machine.CurveP256, "SECP256R1": machine.CurveP256,
		"P-384": machine.CurveP384, "secp384r1": machine.CurveP384, "P384": machine.CurveP384, "secp521r1": machine.CurveP521,
		"ffdhe2048": messages.GroupFFDHE2048, "FFDHE3072": messages.GroupFFDHE3072, "ffdhe4096": messages.GroupFFDHE4096,
	} {
		if got, err := parseGroup(name); err != nil || got != want {
			t.Errorf("parseGroup(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "P-224", "ffdhe6144", "X448"} {
		if _, err := parseGroup(bad); err == nil {
			t.Errorf("parseGroup(%q) accepted", bad)
		}
	}
	if gs, err := parseGroups(nil); err != nil || gs != nil {
		t.Errorf("parseGroups(nil) = %v, %v; want the default (nil)", gs, err)
	}
}

func TestParseClientAuth(t *testing.T) {
	for s, want := range map[string]machine.ClientAuthType{
		"none": machine.NoClientCert, "request": machine.RequestClientCert, "require": machine.RequireAnyClientCert,
		"verify-if-given": machine.VerifyClientCertIfGiven, "verify": machine.RequireAndVerifyClientCert,
	} {
		if got, err := parseClientAuth(s); err != nil || got != want {
			t.Errorf("parseClientAuth(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := parseClientAuth("always"); err == nil {
		t.Errorf("parseClientAuth(always) accepted")
	}
}

func TestParseFlags(t *testing.T) {
	newFS := func() (*flag.FlagSet, *string) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return fs, fs.String("connect", "", "")
	}
	for _, args := range [][]string{{"-connect", "x:1"}, {"--connect", "x:1"}, {"--connect=x:1"}, {"-connect=x:1"}} {
		fs, v := newFS()
		if err := parseFlags(fs, args); err != nil || *v != "x:1" {
			t.Errorf("%q: %q, %v", args, *v, err)
		}
	}
	fs, _ := newFS()
	if err := parseFlags(fs, []string{"-bogus"}); !errors.Is(err, errFlagParse) {
		t.Errorf("unknown flag: %v", err)
	}
	fs, _ = newFS()
	if err := parseFlags(fs, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	fs, _ = newFS()
	if err := parseFlags(fs, []string{"stray"}); !errors.Is(err, errUsage) {
		t.Errorf("stray argument: %v", err)
	}
}

// writeCertFiles writes cert's chain and key as PEM files in dir.
func writeCertFiles(t *testing.T, dir, name string, cert machine.Certificate) (certFile, keyFile string) {
	t.Helper()
	key := cert.PrivateKey
	if s, ok := key.(rfc6979Signer); ok {
		key = s.PrivateKey
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = filepath.Join(dir, name+".pem")
	keyFile = filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, certPEM(cert.Chain...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestLoadCertificates(t *testing.T) {
	dir := t.TempDir()
	ca, err := newAuthority("test CA", pkiOptions{Rand: seededReader(1, "t"), NotBefore: demoTime})
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ca.issue("ec", "ecdsa", false, "localhost")
	if err != nil {
		t.Fatal(err)
	}
	ed, err := ca.issue("ed", "ed25519", false, "localhost")
	if err != nil {
		t.Fatal(err)
	}
	ecCert, ecKey := writeCertFiles(t, dir, "ec", ec)
	edCert, edKey := writeCertFiles(t, dir, "ed", ed)
	certs, err := loadCertificates([]string{ecCert, edCert}, []string{ecKey, edKey})
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 || len(certs[0].Chain) != 2 || certs[0].Leaf.Subject.CommonName != "ec" || certs[1].Leaf.Subject.CommonName != "ed" {
		t.Fatalf("loaded %d certificates, wrong content", len(certs))
	}
	if _, err := loadCertificates([]string{ecCert}, nil); err == nil {
		t.Errorf("unpaired -cert accepted")
	}
	if _, err := loadCertificates([]string{ecCert}, []string{edKey}); err == nil {
		t.Errorf("mismatched key accepted")
	}
	if _, err := loadCertificates([]string{filepath.Join(dir, "missing.pem")}, []string{ecKey}); err == nil {
		t.Errorf("missing file accepted")
	}
	pool, err := loadPool(ecCert)
	if err != nil {
		t.Fatal(err)
	}
	// The file holds the leaf and the CA, so the leaf verifies against it.
	if _, err := ec.Leaf.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: demoTime.Add(time.Hour)}); err != nil {
		t.Errorf("pool from %s does not verify the leaf: %v", ecCert, err)
	}
	if _, err := loadPool(ecKey); err == nil {
		t.Errorf("a key file was accepted as a CA file")
	}
}

func TestOpenKeyLog(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	w, err := openKeyLog("", getenv)
	if err != nil || w != nil {
		t.Fatalf("no -keylog, no SSLKEYLOGFILE: %v, %v", w, err)
	}
	env["SSLKEYLOGFILE"] = filepath.Join(dir, "env")
	for _, path := range []string{"", filepath.Join(dir, "flag")} {
		w, err := openKeyLog(path, getenv)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, "line 1\n")
		io.WriteString(w, "line 2\n")
		w.Close()
		want := env["SSLKEYLOGFILE"]
		if path != "" {
			want = path
		}
		data, err := os.ReadFile(want)
		if err != nil || !bytes.Equal(data, []byte("line 1\nline 2\n")) {
			t.Errorf("%s: %q, %v", want, data, err)
		}
	}
	if _, err := openKeyLog(filepath.Join(dir, "no", "such", "dir"), getenv); err == nil || !strings.Contains(err.Error(), "key log") {
		t.Errorf("unwritable path: %v", err)
	}
}

func TestSuiteShorthands(t *testing.T) {
	all, err := parseSuites([]string{"ALL"})
	if err != nil || len(all) != len(machine.SupportedCipherSuites()) {
		t.Fatalf("ALL = %d suites, %v; want %d", len(all), err, len(machine.SupportedCipherSuites()))
	}
	if !slices.Equal(all[:len(machine.DefaultCipherSuites())], machine.DefaultCipherSuites()) {
		t.Errorf("ALL does not start with the defaults: %x", all)
	}
	def, _ := parseSuites([]string{"default"})
	if !slices.Equal(def, machine.DefaultCipherSuites()) {
		t.Errorf("DEFAULT = %x", def)
	}
	legacy, _ := parseSuites([]string{"LEGACY"})
	if len(legacy)+len(def) != len(all) || slices.ContainsFunc(legacy, func(id uint16) bool { return slices.Contains(def, id) }) {
		t.Errorf("LEGACY = %x is not ALL minus DEFAULT", legacy)
	}
	mixed, err := parseSuites([]string{"AES128-SHA", "DEFAULT", "AES128-SHA"})
	if err != nil || mixed[0] != 0x002f || len(mixed) != len(def)+1 {
		t.Errorf("AES128-SHA,DEFAULT = %x, %v", mixed, err)
	}
}

func TestParseSigAlgs(t *testing.T) {
	got, err := parseSigAlgs([]string{"rsa_pss_rsae_sha256", "ECDSA+SHA256", "0x0401", "ed25519"})
	want := []machine.SignatureScheme{messages.SignatureRSAPSSRSAESHA256, messages.SignatureECDSAP256SHA256,
		messages.SignatureRSAPKCS1SHA256, messages.SignatureEd25519}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("parseSigAlgs = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"rsa_pkcs1_sha1", "RSA+SHA1", "0x0201", "dsa"} {
		if _, err := parseSigAlgs([]string{bad}); err == nil {
			t.Errorf("parseSigAlgs(%q) accepted", bad)
		}
	}
}
