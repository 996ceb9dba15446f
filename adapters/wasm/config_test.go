package wasm

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

func TestParseHostConfig(t *testing.T) {
	hc, err := parseHostConfig([]byte(`{"server_name":"a.test","alpn":["h2"],"client_auth":"request",
		"cipher_suites":["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"],"insecure_skip_verify":true} `))
	if err != nil {
		t.Fatal(err)
	}
	if hc.ServerName != "a.test" || len(hc.ALPN) != 1 || hc.ALPN[0] != "h2" || hc.ClientAuth != "request" ||
		len(hc.CipherSuites) != 1 || !hc.InsecureSkipVerify {
		t.Errorf("parsed %+v", hc)
	}
	for _, c := range []struct{ name, doc, want string }{
		{"unknown field", `{"servername":"a.test"}`, "unknown field"},
		{"wrong type", `{"alpn":"h2"}`, "alpn"},
		{"trailing data", `{} {}`, "data after"},
		{"truncated", `{"server_name":`, "config"},
		{"not an object", `[]`, "config"},
		{"empty", ``, "config"},
	} {
		if _, err := parseHostConfig([]byte(c.doc)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error mentioning %q", c.name, err, c.want)
		}
	}
}

func TestMachineConfig(t *testing.T) {
	pki := loadPKI(t)
	now := func() time.Time { return time.Unix(0, 0) }

	cfg, err := (&HostConfig{
		ServerName: "a.test", ALPN: []string{"h2"}, RootsPEM: pki.caPEM, CertPEM: pki.leafPEM, KeyPEM: pki.keyPEM,
		CipherSuites: []string{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
	}).machineConfig(true, rand.Reader, now)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ServerName != "a.test" || cfg.RootCAs == nil || cfg.ClientCAs != nil || len(cfg.Certificates) != 1 ||
		len(cfg.CipherSuites) != 1 || cfg.CipherSuites[0] != machine.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ||
		cfg.Rand != rand.Reader || !cfg.Time().Equal(now()) {
		t.Errorf("client config %+v", cfg)
	}

	// On a server, roots verify clients.
	scfg := pki.server()
	scfg.RootsPEM, scfg.ClientAuth = pki.caPEM, "require_and_verify"
	cfg, err = scfg.machineConfig(false, rand.Reader, now)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientCAs == nil || cfg.RootCAs != nil || cfg.ClientAuth != machine.RequireAndVerifyClientCert {
		t.Errorf("server config: ClientCAs %v RootCAs %v ClientAuth %v", cfg.ClientCAs, cfg.RootCAs, cfg.ClientAuth)
	}
	for name, want := range clientAuthNames {
		cfg, err := (&HostConfig{ClientAuth: name}).machineConfig(true, rand.Reader, now)
		if err != nil || cfg.ClientAuth != want {
			t.Errorf("client_auth %q: %v, %v", name, cfg, err)
		}
	}

	for _, c := range []struct {
		name     string
		hc       HostConfig
		isClient bool
		want     error  // or, if nil,
		text     string // a substring of the error
	}{
		{"cert without key", HostConfig{CertPEM: pki.leafPEM}, true, errKeyWithout, ""},
		{"key without cert", HostConfig{KeyPEM: pki.keyPEM}, true, errKeyWithout, ""},
		{"server without cert", HostConfig{}, false, errServerCert, ""},
		{"roots without certificates", HostConfig{RootsPEM: "not PEM"}, true, errNoRoots, ""},
		{"key of another certificate", HostConfig{CertPEM: pki.caPEM, KeyPEM: pki.keyPEM}, true, nil, "does not match"},
		{"unknown client_auth", HostConfig{ClientAuth: "always"}, true, nil, `"always"`},
		{"unknown cipher suite", HostConfig{CipherSuites: []string{"TLS_RSA_WITH_RC4_128_MD5"}}, true, nil, "RC4"},
	} {
		_, err := c.hc.machineConfig(c.isClient, rand.Reader, now)
		switch {
		case err == nil:
			t.Errorf("%s: accepted", c.name)
		case c.want != nil && !errors.Is(err, c.want):
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		case c.want == nil && !strings.Contains(err.Error(), c.text):
			t.Errorf("%s: %v, want it to mention %s", c.name, err, c.text)
		}
	}
}
