package machine_test

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// TestCertCacheHonoursContext: after a chain was verified and cached, a
// handshake at a time outside its validity, against other roots, or for
// another name fails exactly as without the cache.
func TestCertCacheHonoursContext(t *testing.T) {
	_, otherServer, _ := otherPKI(t)
	otherRoots := x509.NewCertPool() // a different pool, without the CA
	for _, tc := range []struct {
		name   string
		client func(*machine.Config)
		want   machine.Alert
	}{
		{"expired", func(c *machine.Config) {
			c.Time = func() time.Time { return testNow.Add(2 * 365 * 24 * time.Hour) }
		}, messages.AlertCertificateExpired},
		{"not-yet-valid", func(c *machine.Config) {
			c.Time = func() time.Time { return testNow.Add(-48 * time.Hour) }
		}, messages.AlertCertificateExpired},
		{"other-roots", func(c *machine.Config) { c.RootCAs = otherRoots }, messages.AlertUnknownCA},
		{"other-name", func(c *machine.Config) { c.ServerName = "other.example" }, messages.AlertBadCertificate},
		{"same", func(*machine.Config) {}, 0},
	} {
		for _, cache := range []bool{true, false} {
			name := tc.name + "/cache-off"
			if cache {
				name = tc.name + "/cache-on"
			}
			t.Run(name, func(t *testing.T) {
				var cc machine.CertCache
				if cache {
					cc = machine.NewCertCache(64)
				}
				// Prime the cache with a successful verification.
				prime := clientConfig(t, "prime")
				prime.CertCache = cc
				newPair(t, prime, serverConfig(t, "prime")).handshake()
				ccfg := clientConfig(t, "cached")
				ccfg.CertCache = cc
				tc.client(ccfg)
				p := newPair(t, ccfg, serverConfig(t, "cached"))
				p.run()
				if tc.want == 0 {
					if p.client.err != nil || !p.client.conn.HandshakeComplete() {
						t.Fatalf("handshake failed: %v", p.client.err)
					}
					if len(p.client.conn.State().VerifiedChains) == 0 {
						t.Fatal("no verified chains")
					}
					return
				}
				var ae *machine.AlertError
				if !errors.As(p.client.err, &ae) || ae.Alert != tc.want || ae.Remote {
					t.Fatalf("client error %v, want local alert %v", p.client.err, tc.want)
				}
			})
		}
	}
	// A chain signed by another CA is not taken for the cached one.
	t.Run("other-chain", func(t *testing.T) {
		cc := machine.NewCertCache(64)
		prime := clientConfig(t, "prime")
		prime.CertCache = cc
		newPair(t, prime, serverConfig(t, "prime")).handshake()
		ccfg := clientConfig(t, "x")
		ccfg.CertCache = cc
		p := newPair(t, ccfg, serverConfig(t, "x", otherServer))
		p.run()
		var ae *machine.AlertError
		if !errors.As(p.client.err, &ae) || ae.Alert != messages.AlertUnknownCA {
			t.Fatalf("client error %v, want unknown_ca", p.client.err)
		}
	})
}

// TestCertCacheSharesParses: repeated handshakes reuse one parse of the
// server's certificates.
func TestCertCacheSharesParses(t *testing.T) {
	cc := machine.NewCertCache(64)
	acfg, bcfg := clientConfig(t, "a"), clientConfig(t, "b")
	acfg.CertCache, bcfg.CertCache = cc, cc
	a := newPair(t, acfg, serverConfig(t, "a"))
	a.handshake()
	b := newPair(t, bcfg, serverConfig(t, "b"))
	b.handshake()
	ca, cb := a.client.conn.State().PeerCertificates, b.client.conn.State().PeerCertificates
	if len(ca) == 0 || len(ca) != len(cb) || ca[0] != cb[0] {
		t.Fatal("second handshake did not reuse the cached parse")
	}
}
