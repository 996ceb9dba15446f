package machine_test

import (
	"bytes"
	"testing"

	"github.com/sanstls/sanstls/machine"
)

// handshakeKeepingDone runs a handshake and returns the EventHandshakeDone
// each side reported.
func handshakeKeepingDone(t *testing.T, ccfg, scfg *machine.Config) (c, s *machine.Conn, cdone, sdone machine.Event) {
	t.Helper()
	c, err := machine.Client(ccfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err = machine.Server(scfg)
	if err != nil {
		t.Fatal(err)
	}
	c2s, err := c.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	var s2c []byte
	feed := func(to *machine.Conn, in *[]byte, back *[]byte, done *machine.Event) {
		for len(*in) > 0 {
			out, n, err := to.Receive(nil, *in)
			if err != nil {
				t.Fatal(err)
			}
			*in = (*in)[n:]
			*back = append(*back, out...)
			for ev := to.NextEvent(); ev.Kind != machine.EventNone; ev = to.NextEvent() {
				if ev.Kind == machine.EventHandshakeDone {
					*done = ev
				}
			}
			if n == 0 {
				return
			}
		}
	}
	for i := 0; i < 20 && !(c.HandshakeComplete() && s.HandshakeComplete()); i++ {
		feed(s, &c2s, &s2c, &sdone)
		feed(c, &s2c, &c2s, &cdone)
	}
	if !c.HandshakeComplete() || !s.HandshakeComplete() {
		t.Fatal("handshake did not complete")
	}
	return c, s, cdone, sdone
}

// TestDropPeerCertificates: with the option, each side's chain is handed
// out once in EventHandshakeDone and is gone from ConnectionState; without
// it nothing changes. A client that may renegotiate keeps the leaf.
func TestDropPeerCertificates(t *testing.T) {
	p := getPKI(t)
	configs := func(drop bool) (*machine.Config, *machine.Config) {
		ccfg, scfg := clientConfig(t, "drop"), serverConfig(t, "drop", p.ecdsa)
		ccfg.Certificates = []machine.Certificate{p.client}
		scfg.ClientAuth, scfg.ClientCAs = machine.RequireAndVerifyClientCert, p.roots
		ccfg.DropPeerCertificates, scfg.DropPeerCertificates = drop, drop
		return ccfg, scfg
	}

	ccfg, scfg := configs(false)
	c, s, cdone, sdone := handshakeKeepingDone(t, ccfg, scfg)
	if cdone.Peer != nil || sdone.Peer != nil {
		t.Error("EventHandshakeDone carries Peer without DropPeerCertificates")
	}
	if len(c.State().PeerCertificates) != 2 || len(c.State().VerifiedChains) == 0 ||
		len(s.State().PeerCertificates) != 2 || len(s.State().VerifiedChains) == 0 {
		t.Fatal("default: the peer chains are not kept")
	}

	ccfg, scfg = configs(true)
	c, s, cdone, sdone = handshakeKeepingDone(t, ccfg, scfg)
	for _, tc := range []struct {
		name string
		conn *machine.Conn
		done machine.Event
		leaf []byte
	}{{"client", c, cdone, p.ecdsa.Chain[0]}, {"server", s, sdone, p.client.Chain[0]}} {
		pc := tc.done.Peer
		if pc == nil || len(pc.Certificates) != 2 || len(pc.Chain) != 2 || !bytes.Equal(pc.Chain[0], tc.leaf) ||
			!bytes.Equal(pc.Certificates[0].Raw, tc.leaf) {
			t.Fatalf("%s: EventHandshakeDone.Peer = %+v, want the peer's chain", tc.name, pc)
		}
		if st := tc.conn.State(); st.PeerCertificates != nil || st.VerifiedChains != nil {
			t.Errorf("%s: State still holds the peer chain", tc.name)
		}
	}

	ccfg, scfg = configs(true)
	ccfg.Renegotiation = machine.RenegotiateOnceAsClient
	c, _, cdone, _ = handshakeKeepingDone(t, ccfg, scfg)
	if st := c.State(); len(st.PeerCertificates) != 1 || !bytes.Equal(st.PeerCertificates[0].Raw, p.ecdsa.Chain[0]) ||
		st.VerifiedChains != nil || cdone.Peer == nil {
		t.Errorf("renegotiating client: State has %d certificates, want the leaf only", len(st.PeerCertificates))
	}
}
