package machine_test

import (
	"crypto/tls"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

type mapClientCache map[string]*machine.ClientSession

func (m mapClientCache) Get(k string) (*machine.ClientSession, bool) { s, ok := m[k]; return s, ok }
func (m mapClientCache) Put(k string, s *machine.ClientSession) {
	if s == nil {
		delete(m, k)
		return
	}
	m[k] = s
}

type mapServerCache map[string][]byte

func (m mapServerCache) Get(id []byte) ([]byte, bool) { s, ok := m[string(id)]; return s, ok }
func (m mapServerCache) Put(id, state []byte) {
	if state == nil {
		delete(m, string(id))
		return
	}
	m[string(id)] = state
}

// resumePair runs two handshakes with the same caches and reports whether
// the second resumed.
func resumePair(t *testing.T, ccache mapClientCache, mod func(c, s *machine.Config, round int)) [2]machine.ConnectionState {
	t.Helper()
	var states [2]machine.ConnectionState
	for round := range 2 {
		ccfg := clientConfig(t, "resume")
		ccfg.ClientSessionCache = ccache
		scfg := serverConfig(t, "resume")
		mod(ccfg, scfg, round)
		pr := newPair(t, ccfg, scfg)
		pr.handshake()
		pr.write(pr.client, []byte("ping"))
		pr.write(pr.server, []byte("pong"))
		pr.run()
		if string(pr.server.received) != "ping" || string(pr.client.received) != "pong" {
			t.Fatalf("round %d: data %q %q", round, pr.server.received, pr.client.received)
		}
		cs, ss := pr.client.conn.State(), pr.server.conn.State()
		if cs.DidResume != ss.DidResume {
			t.Fatalf("round %d: client DidResume %v, server %v", round, cs.DidResume, ss.DidResume)
		}
		states[round] = cs
	}
	return states
}

func TestResumeWithTicket(t *testing.T) {
	keys := [][32]byte{{1, 2, 3}}
	st := resumePair(t, mapClientCache{}, func(c, s *machine.Config, round int) { s.TicketKeys = keys })
	if st[0].DidResume || !st[1].DidResume {
		t.Fatalf("DidResume = %v, %v; want false, true", st[0].DidResume, st[1].DidResume)
	}
	if len(st[1].PeerCertificates) == 0 || st[1].CipherSuite != st[0].CipherSuite {
		t.Error("resumed state lost the peer certificates or the suite")
	}
}

func TestResumeWithSessionID(t *testing.T) {
	cache := mapServerCache{}
	st := resumePair(t, mapClientCache{}, func(c, s *machine.Config, round int) { s.SessionCache = cache })
	if st[0].DidResume || !st[1].DidResume {
		t.Fatalf("DidResume = %v, %v; want false, true", st[0].DidResume, st[1].DidResume)
	}
}

func TestResumeRotatedTicketKey(t *testing.T) {
	st := resumePair(t, mapClientCache{}, func(c, s *machine.Config, round int) {
		s.TicketKeys = [][32]byte{{1}}
		if round == 1 {
			s.TicketKeys = [][32]byte{{2}, {1}} // new key first, old still opens
		}
	})
	if !st[1].DidResume {
		t.Fatal("a ticket sealed with a rotated-out (but still listed) key did not resume")
	}
}

// TestResumeDeclined: each reason a server must not resume falls back to a
// full handshake that still succeeds.
func TestResumeDeclined(t *testing.T) {
	cases := map[string]func(c, s *machine.Config, round int){
		"unknown ticket key": func(c, s *machine.Config, round int) {
			s.TicketKeys = [][32]byte{{byte(round + 1)}}
		},
		"expired": func(c, s *machine.Config, round int) {
			s.TicketKeys = [][32]byte{{1}}
			if round == 1 {
				later := testNow.Add(25 * time.Hour)
				s.Time = func() time.Time { return later }
			}
		},
		"suite no longer enabled": func(c, s *machine.Config, round int) {
			s.TicketKeys = [][32]byte{{1}}
			if round == 1 {
				s.CipherSuites = []uint16{machine.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}
			}
		},
		"different server name": func(c, s *machine.Config, round int) {
			s.TicketKeys = [][32]byte{{1}}
			if round == 1 {
				c.InsecureSkipVerify = true
				c.ServerName = "other.example"
			}
		},
	}
	for name, mod := range cases {
		t.Run(name, func(t *testing.T) {
			cache := mapClientCache{}
			st := resumePair(t, cache, func(c, s *machine.Config, round int) {
				mod(c, s, round)
				if name == "different server name" && round == 1 {
					// the cache is keyed by name: copy the session over
					if sess, ok := cache["example.com"]; ok {
						cache["other.example"] = sess
					}
				}
			})
			if st[1].DidResume {
				t.Fatal("resumed although it must not")
			}
		})
	}
}

// TestResumeInteropCryptoTLS: tickets both ways with crypto/tls.
func TestResumeInteropCryptoTLS(t *testing.T) {
	p := getPKI(t)
	t.Run("our client", func(t *testing.T) {
		scfg := tlsServerConfig(t, p.tlsECDSA)
		cache := mapClientCache{}
		for round := range 2 {
			cn, sn := net.Pipe()
			srv := tls.Server(sn, scfg)
			done := make(chan error, 1)
			go func() { done <- echoServer(srv) }()
			ccfg := clientConfig(t, "resume-interop")
			ccfg.ClientSessionCache = cache
			mc, _ := machine.Client(ccfg)
			d := newDriver(mc, cn)
			cn.SetDeadline(time.Now().Add(20 * time.Second))
			if err := d.handshake(); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if got := mc.State().DidResume; got != (round == 1) {
				t.Fatalf("round %d: DidResume %v", round, got)
			}
			d.send([]byte("x"))
			if _, err := d.readN(1); err != nil {
				t.Fatal(err)
			}
			d.close()
			for !d.eof {
				if err := d.pump(); err != nil {
					t.Fatal(err)
				}
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if srv.ConnectionState().DidResume != (round == 1) {
				t.Fatalf("round %d: crypto/tls DidResume %v", round, srv.ConnectionState().DidResume)
			}
			cn.Close()
		}
	})
	t.Run("their client", func(t *testing.T) {
		cache := tls.NewLRUClientSessionCache(4)
		for round := range 2 {
			cn, sn := net.Pipe()
			scfg := serverConfig(t, "resume-interop")
			scfg.TicketKeys = [][32]byte{{9}}
			ms, _ := machine.Server(scfg)
			errc := make(chan error, 1)
			go func() {
				d := newDriver(ms, sn)
				if err := d.handshake(); err != nil {
					errc <- err
					return
				}
				for !d.eof {
					if err := d.pump(); err != nil {
						errc <- err
						return
					}
				}
				errc <- nil // crypto/tls closed the pipe after its close_notify
			}()
			cli := tls.Client(cn, &tls.Config{RootCAs: p.roots, ServerName: "example.com", Time: fixedTime,
				MaxVersion: tls.VersionTLS12, ClientSessionCache: cache})
			cli.SetDeadline(time.Now().Add(20 * time.Second))
			if err := cli.Handshake(); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if cli.ConnectionState().DidResume != (round == 1) {
				t.Fatalf("round %d: crypto/tls DidResume %v", round, cli.ConnectionState().DidResume)
			}
			cli.Close()
			if err := <-errc; err != nil {
				t.Fatalf("round %d: our server: %v", round, err)
			}
			if ms.State().DidResume != (round == 1) {
				t.Fatalf("round %d: our DidResume %v", round, ms.State().DidResume)
			}
		}
	})
}

// TestResumeEMSSessionWithoutEMS: RFC 7627, Section 5.3 — a ClientHello
// without extended_master_secret offering a session that had it is fatal,
// even on a server that allows peers without EMS.
func TestResumeEMSSessionWithoutEMS(t *testing.T) {
	keys := [][32]byte{{5}}
	cache := mapClientCache{}
	resumePair(t, cache, func(c, s *machine.Config, round int) { s.TicketKeys = keys })
	ccfg := clientConfig(t, "ems")
	ccfg.ClientSessionCache = cache
	scfg := serverConfig(t, "ems")
	scfg.TicketKeys = keys
	scfg.AllowNoExtendedMasterSecret = true
	pr := newPair(t, ccfg, scfg)
	rewriteClientHello(t, pr, func(ch *messages.ClientHello) { ch.ExtendedMasterSecret = false })
	pr.run()
	if a, _ := alertOf(t, pr.server.err); a != machine.AlertHandshakeFailure {
		t.Fatalf("server: %v, want handshake_failure", pr.server.err)
	}
	var ae *machine.AlertError
	if errors.As(pr.server.err, &ae); ae.Reason != "resume_ems" {
		t.Fatalf("reason %q, want resume_ems", ae.Reason)
	}
}

// rewriteClientHello edits the ClientHello still in flight from the client
// (one plaintext record).
func rewriteClientHello(t *testing.T, pr *pair, edit func(*messages.ClientHello)) {
	t.Helper()
	hdr, ok := messages.ParseRecordHeader(pr.c2s)
	if !ok || hdr.Type != messages.ContentTypeHandshake || len(pr.c2s) != 5+int(hdr.Length) {
		t.Fatal("no single ClientHello record in flight")
	}
	var ch messages.ClientHello
	if err := ch.Unmarshal(pr.c2s[5:]); err != nil {
		t.Fatal(err)
	}
	edit(&ch)
	ch.ExtensionOrder = nil
	raw, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	hdr.Length = uint16(len(raw))
	pr.c2s = append(hdr.Append(nil), raw...)
}

// TestRenegotiationKeepsCachedSession: a renegotiation offers no session,
// and the client's cache still lets the next connection resume (with the
// ticket the renegotiation brought, see TestRenegotiationTicket).
func TestRenegotiationKeepsCachedSession(t *testing.T) {
	keys := [][32]byte{{6}}
	cache := mapClientCache{}
	ccfg := clientConfig(t, "keep")
	ccfg.ClientSessionCache = cache
	ccfg.Renegotiation = machine.RenegotiateOnceAsClient
	scfg := serverConfig(t, "keep")
	scfg.TicketKeys = keys
	pr := newPair(t, ccfg, scfg)
	pr.handshake()
	out, err := pr.server.conn.Renegotiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	pr.send(pr.server, out)
	pr.run()
	if countDone(pr.client.events) != 2 {
		t.Fatalf("renegotiation did not complete: %v", pr.client.err)
	}
	st := resumePair(t, cache, func(c, s *machine.Config, round int) { s.TicketKeys = keys })
	if !st[0].DidResume {
		t.Fatal("the session cached before the renegotiation was lost")
	}
}

// TestRenegotiationTicket: a client with a session cache asks for a ticket
// in its renegotiation ClientHello too (an empty session_ticket, as
// crypto/tls and OpenSSL send; RFC 5077, Section 3.2 lets a server issue
// one only then), and the renegotiated session replaces the cached one.
// It used to offer none, so a server that issues a ticket in every full
// handshake (GnuTLS 3.7) sent an unsolicited one: unexpected_message.
func TestRenegotiationTicket(t *testing.T) {
	keys := [][32]byte{{6}}
	cache := mapClientCache{}
	var renegHello *messages.ClientHello
	ccfg := clientConfig(t, "reneg-ticket")
	ccfg.ClientSessionCache = cache
	ccfg.Renegotiation = machine.RenegotiateOnceAsClient
	ccfg.Trace = func(sent bool, typ machine.ContentType, body []byte) {
		if sent && typ == messages.ContentTypeHandshake && len(body) > 4 && body[0] == 1 {
			var ch messages.ClientHello
			if err := ch.Unmarshal(body); err == nil {
				renegHello = &ch // the last one is the renegotiation's
			}
		}
	}
	scfg := serverConfig(t, "reneg-ticket")
	scfg.TicketKeys = keys
	pr := newPair(t, ccfg, scfg)
	pr.handshake()
	first := cache["example.com"]
	if first == nil {
		t.Fatal("no session cached")
	}
	out, err := pr.server.conn.Renegotiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	pr.send(pr.server, out)
	pr.run()
	if pr.client.err != nil || pr.client.conn.State().Renegotiations != 1 {
		t.Fatalf("renegotiation: %v", pr.client.err)
	}
	if renegHello == nil || !renegHello.SessionTicketSupported || len(renegHello.SessionTicket) != 0 || len(renegHello.SessionID) != 0 {
		t.Fatal("the renegotiation ClientHello does not ask for a ticket without offering a session")
	}
	if cur := cache["example.com"]; cur == nil || cur == first {
		t.Fatal("the renegotiation's ticket did not replace the cached session")
	}
	st := resumePair(t, cache, func(c, s *machine.Config, round int) { s.TicketKeys = keys })
	if !st[0].DidResume {
		t.Fatal("the renegotiated session does not resume")
	}
}
