package machine_test

// RFC 5246, Section 7.2.2: "any connection terminated with a fatal alert
// MUST NOT be resumed". Sessions used to stay in both caches after a fatal
// alert, sent or received, and were resumed by the next connection.

import (
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// forgetConfigs are the caches two connections share: a client cache and,
// with tickets off, a server session-ID cache.
func forgetConfigs(t *testing.T, ccache mapClientCache, scache mapServerCache, tickets bool) (*machine.Config, *machine.Config) {
	ccfg := clientConfig(t, "forget")
	ccfg.ClientSessionCache = ccache
	scfg := serverConfig(t, "forget")
	if tickets {
		scfg.TicketKeys = [][32]byte{{7}}
	} else {
		scfg.SessionCache = scache
	}
	return ccfg, scfg
}

func TestFatalAlertForgetsSession(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tickets bool
		resumed bool // the failing connection is itself a resumption
		fail    func(pr *pair)
	}{
		{"client-sends-abort", false, false, func(pr *pair) {
			pr.send(pr.client, pr.client.conn.Abort(nil, messages.AlertAccessDenied))
		}},
		{"server-sends-abort", false, false, func(pr *pair) {
			pr.send(pr.server, pr.server.conn.Abort(nil, messages.AlertAccessDenied))
		}},
		{"tickets-server-sends-abort", true, false, func(pr *pair) {
			pr.send(pr.server, pr.server.conn.Abort(nil, messages.AlertInternalError))
		}},
		// A forged record after the handshake: the receiver sends
		// bad_record_mac itself.
		{"client-gets-bad-record", false, false, func(pr *pair) {
			pr.send(pr.server, []byte{23, 3, 3, 0, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32})
		}},
		{"resumed-then-abort", false, true, func(pr *pair) {
			pr.send(pr.client, pr.client.conn.Abort(nil, messages.AlertAccessDenied))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccache, scache := mapClientCache{}, mapServerCache{}
			rounds := 1
			if tc.resumed {
				rounds = 2
			}
			var pr *pair
			for range rounds {
				ccfg, scfg := forgetConfigs(t, ccache, scache, tc.tickets)
				pr = newPair(t, ccfg, scfg)
				pr.handshake()
			}
			if tc.resumed != pr.client.conn.State().DidResume {
				t.Fatalf("DidResume = %v", !tc.resumed)
			}
			if len(ccache) != 1 || (!tc.tickets && len(scache) != 1) {
				t.Fatalf("before the alert: %d client, %d server sessions", len(ccache), len(scache))
			}
			tc.fail(pr)
			pr.run()
			if pr.client.err == nil || pr.server.err == nil {
				t.Fatalf("no failure: client %v, server %v", pr.client.err, pr.server.err)
			}
			if len(ccache) != 0 || len(scache) != 0 {
				t.Fatalf("after the fatal alert: %d client, %d server sessions cached", len(ccache), len(scache))
			}
			ccfg, scfg := forgetConfigs(t, ccache, scache, tc.tickets)
			next := newPair(t, ccfg, scfg)
			next.handshake()
			if next.client.conn.State().DidResume {
				t.Fatal("a session of a connection ended by a fatal alert was resumed")
			}
		})
	}
}

// TestFatalAlertKeepsOthersSession: a client removes only its own session;
// a session another connection stored since under the same key stays.
func TestFatalAlertKeepsOthersSession(t *testing.T) {
	ccache, scache := mapClientCache{}, mapServerCache{}
	ccfg, scfg := forgetConfigs(t, ccache, scache, true)
	first := newPair(t, ccfg, scfg)
	first.handshake()
	ccfg, scfg = forgetConfigs(t, ccache, scache, true)
	ccfg.ClientSessionCache = mapClientCache{} // a full handshake, stored apart
	second := newPair(t, ccfg, scfg)
	second.handshake()
	other := ccfg.ClientSessionCache.(mapClientCache)["example.com"]
	if other == nil {
		t.Fatal("the second connection stored no session")
	}
	ccache["example.com"] = other
	first.send(first.client, first.client.conn.Abort(nil, messages.AlertAccessDenied))
	first.run()
	if ccache["example.com"] != other {
		t.Fatal("a failed connection removed a session that is not its own")
	}
}

// TestFailedOfferForgetsSession: a server that answers our offer with a
// fatal alert makes the client forget the offered session; one that chose a
// full handshake does not make the failure the session's.
func TestFailedOfferForgetsSession(t *testing.T) {
	ccache := mapClientCache{}
	ccfg, scfg := forgetConfigs(t, ccache, nil, true)
	pr := newPair(t, ccfg, scfg)
	pr.handshake()
	ccfg, _ = forgetConfigs(t, ccache, nil, true)
	c, err := machine.Client(ccfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(nil); err != nil {
		t.Fatal(err)
	}
	// handshake_failure before any ServerHello.
	if _, _, err := c.Receive(nil, []byte{21, 3, 3, 0, 2, 2, 40}); err == nil {
		t.Fatal("fatal alert accepted")
	}
	if len(ccache) != 0 {
		t.Fatal("the session offered to a connection that failed is still cached")
	}
}
