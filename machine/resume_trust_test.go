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

// resumeRounds runs one connection per mod, sharing the client session
// cache and the server's ticket key, and returns the pairs after they
// settled. Sessions live long enough to outlast the test leaf.
func resumeRounds(t *testing.T, cache machine.ClientSessionCache, mods ...func(c, s *machine.Config)) []*pair {
	t.Helper()
	var pairs []*pair
	for _, mod := range mods {
		ccfg := clientConfig(t, "reuse")
		ccfg.ClientSessionCache = cache
		scfg := serverConfig(t, "reuse")
		scfg.TicketKeys = [][32]byte{{7}}
		scfg.SessionLifetime = 10 * 365 * 24 * time.Hour
		ccfg.SessionLifetime = scfg.SessionLifetime
		mod(ccfg, scfg)
		pr := newPair(t, ccfg, scfg)
		pr.run()
		pairs = append(pairs, pr)
	}
	return pairs
}

// sameVerification reports whether two connections report the very same
// verified chains (one slice) and the same parsed leaf: x509 verification
// builds new chains every time it runs, so the second reused the first's.
func sameVerification(a, b machine.ConnectionState) bool {
	return len(a.VerifiedChains) > 0 && len(b.VerifiedChains) > 0 && &a.VerifiedChains[0] == &b.VerifiedChains[0] &&
		len(a.PeerCertificates) > 0 && len(b.PeerCertificates) > 0 && a.PeerCertificates[0] == b.PeerCertificates[0]
}

// TestResumptionReusesVerification: a client session remembers the default
// verification of its full handshake, and a resumption under the same
// RootCAs pool and ServerName, at a Config.Time inside the chain's validity,
// reuses it instead of parsing and verifying the stored chain again (which
// cost a direct machine without CertCache ~75 µs per resumption). Any other
// settings verify in full, so a refusal stays a refusal.
func TestResumptionReusesVerification(t *testing.T) {
	p := getPKI(t)
	same := func(*machine.Config, *machine.Config) {}
	at := func(when time.Time) func(c, s *machine.Config) {
		return func(c, s *machine.Config) {
			c.Time = func() time.Time { return when }
			s.Time = c.Time
		}
	}
	expiry := p.ecdsa.Leaf.NotAfter
	if p.rsa.Leaf.NotAfter.Before(expiry) {
		expiry = p.rsa.Leaf.NotAfter
	}
	ok := func(t *testing.T, pr *pair, round int) machine.ConnectionState {
		t.Helper()
		st := pr.client.conn.State()
		if pr.client.err != nil || pr.server.err != nil || !pr.client.conn.HandshakeComplete() {
			t.Fatalf("round %d: client %v, server %v", round, pr.client.err, pr.server.err)
		}
		if round > 0 && !st.DidResume {
			t.Fatalf("round %d did not resume", round)
		}
		return st
	}
	t.Run("same-settings-reuse", func(t *testing.T) {
		prs := resumeRounds(t, mapClientCache{}, same, same, same, at(expiry.Add(-time.Minute)))
		first := ok(t, prs[0], 0)
		for i, pr := range prs[1:] {
			if st := ok(t, pr, i+1); !sameVerification(first, st) {
				t.Fatalf("round %d verified the stored chain again", i+1)
			}
		}
	})
	t.Run("leaf-expired", func(t *testing.T) {
		cache := mapClientCache{}
		prs := resumeRounds(t, cache, same, at(expiry.Add(time.Second)))
		ok(t, prs[0], 0)
		if prs[1].client.conn.State().DidResume {
			t.Fatal("resumed a session whose leaf has expired")
		}
		expectLocal(t, prs[1].client.err, messages.AlertCertificateExpired)
		if len(cache) != 0 {
			t.Fatal("the expired session is still cached")
		}
	})
	// The same CA in another pool: verified again (the record is for a
	// pool, which may differ in anything), and it passes.
	t.Run("other-pool-same-ca", func(t *testing.T) {
		clone := p.roots.Clone()
		prs := resumeRounds(t, mapClientCache{}, same,
			func(c, _ *machine.Config) { c.RootCAs = clone },
			func(c, _ *machine.Config) { c.RootCAs = clone })
		first := ok(t, prs[0], 0)
		second := ok(t, prs[1], 1)
		if sameVerification(first, second) {
			t.Fatal("a record made against another roots pool was reused")
		}
		// The session of the second round keeps its new record.
		if !sameVerification(second, ok(t, prs[2], 2)) {
			t.Fatal("the record made on resumption was not kept")
		}
	})
	t.Run("other-pool-refuses", func(t *testing.T) {
		otherRoots, _, _ := otherPKI(t)
		prs := resumeRounds(t, mapClientCache{}, same, func(c, _ *machine.Config) { c.RootCAs = otherRoots })
		ok(t, prs[0], 0)
		if prs[1].client.conn.State().DidResume {
			t.Fatal("resumed under roots that do not vouch for the chain")
		}
		expectLocal(t, prs[1].client.err, messages.AlertUnknownCA)
	})
	t.Run("other-name-refuses", func(t *testing.T) {
		prs := resumeRounds(t, &anyKeyCache{}, same, func(c, _ *machine.Config) { c.ServerName = "other.example" })
		ok(t, prs[0], 0)
		if prs[1].client.conn.State().DidResume {
			t.Fatal("resumed a session for another host name")
		}
		expectLocal(t, prs[1].client.err, messages.AlertBadCertificate)
	})
	// The hook is the caller's: it runs on every resumption.
	t.Run("hook-still-runs", func(t *testing.T) {
		calls := 0
		hook := func(c, _ *machine.Config) {
			c.VerifyPeer = func(pc *machine.PeerCerts) error { calls++; return nil }
		}
		prs := resumeRounds(t, mapClientCache{}, hook, hook, hook)
		first := ok(t, prs[0], 0)
		if !sameVerification(first, ok(t, prs[2], 2)) {
			t.Fatal("verified again")
		}
		if calls != 3 {
			t.Fatalf("hook ran %d times in 3 handshakes", calls)
		}
	})
	// DeferVerify resumes without pausing: the record stands in for the
	// default verification, under the same rule.
	t.Run("defer-verify", func(t *testing.T) {
		deferred := func(c, _ *machine.Config) { c.DeferVerify = true }
		prs := resumeRounds(t, mapClientCache{}, same, deferred, func(c, s *machine.Config) {
			deferred(c, s)
			at(expiry.Add(time.Second))(c, s)
		})
		first := ok(t, prs[0], 0)
		if !sameVerification(first, ok(t, prs[1], 1)) {
			t.Fatal("DeferVerify verified again")
		}
		if prs[2].client.conn.State().DidResume {
			t.Fatal("DeferVerify resumed a session whose leaf has expired")
		}
	})
	// MarshalBinary does not carry the record: the first resumption of a
	// decoded session verifies, and the session it gets keeps the record.
	t.Run("decoded-session", func(t *testing.T) {
		cache := mapClientCache{}
		reload := func(c, _ *machine.Config) {
			for k, s := range cache {
				b, err := s.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				var d machine.ClientSession
				if err := d.UnmarshalBinary(b); err != nil {
					t.Fatal(err)
				}
				cache[k] = &d
			}
		}
		prs := resumeRounds(t, cache, same, reload, same)
		first, second := ok(t, prs[0], 0), ok(t, prs[1], 1)
		if sameVerification(first, second) {
			t.Fatal("a decoded session carried a record")
		}
		if !sameVerification(second, ok(t, prs[2], 2)) {
			t.Fatal("the record made on resumption was not kept")
		}
	})
}
