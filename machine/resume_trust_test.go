package machine_test

// Client resumption and trust (security.md rows 18 and 19): a resumed
// session skips the server's Certificate, so the client must only offer a
// session whose chain its current settings would accept now.

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// anyKeyCache is a faulty ClientSessionCache that returns its one session
// whatever the key.
type anyKeyCache struct{ s *machine.ClientSession }

func (c *anyKeyCache) Get(string) (*machine.ClientSession, bool) { return c.s, c.s != nil }
func (c *anyKeyCache) Put(_ string, s *machine.ClientSession)    { c.s = s }

// twoConnections runs a connection with first's configuration, which must
// succeed, then one with second's, sharing the client session cache and the
// server's ticket key, and returns the second pair after it settled.
func twoConnections(t *testing.T, cache machine.ClientSessionCache, first, second func(c, s *machine.Config)) *pair {
	t.Helper()
	var last *pair
	for round, mod := range []func(c, s *machine.Config){first, second} {
		ccfg := clientConfig(t, "trust")
		ccfg.ClientSessionCache = cache
		scfg := serverConfig(t, "trust")
		scfg.TicketKeys = [][32]byte{{9}}
		scfg.SessionLifetime = 365 * 24 * time.Hour
		ccfg.SessionLifetime = 365 * 24 * time.Hour
		mod(ccfg, scfg)
		pr := newPair(t, ccfg, scfg)
		pr.run()
		if round == 0 {
			if pr.client.err != nil || pr.server.err != nil || !pr.client.conn.HandshakeComplete() {
				t.Fatalf("first connection: client %v, server %v", pr.client.err, pr.server.err)
			}
		}
		last = pr
	}
	return last
}

// TestResumptionRechecksTrust: a session verified under one set of settings
// (or not verified at all) used to be resumed by a Config that verifies
// differently, since resumption checked only age, suite and EMS: the
// attacker's leaf became the peer of a verifying client, with DidResume set
// and no verified chain. The client now offers a session only if it was
// verified and its stored chain still verifies, with the host name, under
// the current roots at Config.Time; otherwise it makes a full handshake,
// which fails with the alert of the verification.
func TestResumptionRechecksTrust(t *testing.T) {
	otherRoots, attacker, _ := otherPKI(t)
	serveAttacker := func(_, s *machine.Config) { s.Certificates = []machine.Certificate{attacker} }
	for _, tc := range []struct {
		name          string
		first, second func(c, s *machine.Config)
		want          machine.Alert
	}{
		{"insecure-skip-verify-then-verifying",
			func(c, s *machine.Config) { serveAttacker(c, s); c.InsecureSkipVerify = true },
			serveAttacker, messages.AlertUnknownCA},
		{"other-roots-then-default-roots",
			func(c, s *machine.Config) { serveAttacker(c, s); c.RootCAs = otherRoots },
			serveAttacker, messages.AlertUnknownCA},
		{"permissive-hook-then-verifying",
			func(c, s *machine.Config) {
				serveAttacker(c, s)
				c.InsecureSkipVerify = true
				c.VerifyPeer = func(*machine.PeerCerts) error { return nil }
			},
			serveAttacker, messages.AlertUnknownCA},
		// The attacker's leaf expires 30 days after testNow.
		{"expired-leaf",
			func(c, s *machine.Config) { serveAttacker(c, s); c.RootCAs = otherRoots },
			func(c, s *machine.Config) {
				serveAttacker(c, s)
				c.RootCAs = otherRoots
				later := testNow.Add(31 * 24 * time.Hour)
				c.Time = func() time.Time { return later }
				s.Time = c.Time
			},
			messages.AlertCertificateExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := mapClientCache{}
			pr := twoConnections(t, cache, tc.first, tc.second)
			if pr.client.conn.State().DidResume {
				t.Fatal("the client resumed a session its settings do not trust")
			}
			expectLocal(t, pr.client.err, tc.want)
			if tc.name == "expired-leaf" && len(cache) != 0 {
				t.Fatal("the stale session is still cached")
			}
		})
	}
	// A cache that ignores its key hands a session for example.com to a
	// client for other.example: the host name is checked again.
	t.Run("host-name-faulty-cache", func(t *testing.T) {
		pr := twoConnections(t, &anyKeyCache{}, func(*machine.Config, *machine.Config) {},
			func(c, _ *machine.Config) { c.ServerName = "other.example" })
		if pr.client.conn.State().DidResume {
			t.Fatal("the client resumed a session for another host name")
		}
		expectLocal(t, pr.client.err, messages.AlertBadCertificate)
	})
	// Sessions verified under the same settings resume, and report the
	// chains they verify to now.
	t.Run("same-settings", func(t *testing.T) {
		pr := twoConnections(t, mapClientCache{}, func(*machine.Config, *machine.Config) {}, func(*machine.Config, *machine.Config) {})
		st := pr.client.conn.State()
		if pr.client.err != nil || !st.DidResume {
			t.Fatalf("no resumption: %v", pr.client.err)
		}
		if len(st.VerifiedChains) == 0 {
			t.Fatal("a resumed session reports no verified chain")
		}
	})
	// InsecureSkipVerify resumes whatever it stored: it verifies nothing.
	t.Run("insecure-skip-verify-both", func(t *testing.T) {
		insecure := func(c, s *machine.Config) { serveAttacker(c, s); c.InsecureSkipVerify = true }
		pr := twoConnections(t, mapClientCache{}, insecure, insecure)
		if pr.client.err != nil || !pr.client.conn.State().DidResume {
			t.Fatalf("no resumption: %v", pr.client.err)
		}
	})
	// The hook of the current Config runs on the stored chain too.
	t.Run("hook-refuses-on-resumption", func(t *testing.T) {
		refuse := errors.New("pinned key changed")
		pr := twoConnections(t, mapClientCache{}, func(*machine.Config, *machine.Config) {},
			func(c, _ *machine.Config) { c.VerifyPeer = func(*machine.PeerCerts) error { return refuse } })
		if pr.client.conn.State().DidResume {
			t.Fatal("resumed a session the hook refuses")
		}
		if !errors.Is(pr.client.err, refuse) {
			t.Fatalf("client error %v, want the hook's", pr.client.err)
		}
	})
	// Under InsecureSkipVerify the hook still judges the stored chain
	// before the session is offered, as a full handshake would run it
	// (BoGo CertificateVerificationFailsOnResume-*-CustomCallback). It used
	// to be skipped: the session resumed although the hook now refused.
	t.Run("insecure-skip-verify-hook-refuses-on-resumption", func(t *testing.T) {
		refuse := &machine.AlertError{Alert: messages.AlertCertificateUnknown, Err: errors.New("pin changed")}
		var sawResumption, sawFull int
		cache := mapClientCache{}
		pr := twoConnections(t, cache,
			func(c, s *machine.Config) {
				serveAttacker(c, s)
				c.InsecureSkipVerify = true
				c.VerifyPeer = func(*machine.PeerCerts) error { return nil }
			},
			func(c, s *machine.Config) {
				serveAttacker(c, s)
				c.InsecureSkipVerify = true
				c.VerifyPeer = func(pc *machine.PeerCerts) error {
					if pc.Resumption {
						sawResumption++
					} else {
						sawFull++
					}
					if len(pc.Chain) == 0 || !bytes.Equal(pc.Chain[0], attacker.Chain[0]) {
						t.Error("the hook did not see the stored chain")
					}
					return refuse
				}
			})
		if pr.client.conn.State().DidResume {
			t.Fatal("resumed a session the hook refuses")
		}
		if sawResumption != 1 || sawFull != 1 {
			t.Fatalf("hook calls: %d on resumption, %d in the full handshake; want 1 and 1", sawResumption, sawFull)
		}
		expectLocal(t, pr.client.err, messages.AlertCertificateUnknown)
		if len(cache) != 0 {
			t.Fatal("the refused session is still cached")
		}
	})
	// A hook that accepts lets InsecureSkipVerify resume, and sees the
	// stored chain marked as a resumption.
	t.Run("insecure-skip-verify-hook-accepts-on-resumption", func(t *testing.T) {
		var sawResumption bool
		insecure := func(c, s *machine.Config) {
			serveAttacker(c, s)
			c.InsecureSkipVerify = true
			c.VerifyPeer = func(pc *machine.PeerCerts) error { sawResumption = sawResumption || pc.Resumption; return nil }
		}
		pr := twoConnections(t, mapClientCache{}, insecure, insecure)
		if pr.client.err != nil || !pr.client.conn.State().DidResume {
			t.Fatalf("no resumption: %v", pr.client.err)
		}
		if !sawResumption {
			t.Fatal("the hook was not asked about the resumed session")
		}
	})
}
