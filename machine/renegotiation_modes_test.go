package machine_test

import (
	"slices"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// serverHelloRequest makes the server of pr send a HelloRequest and runs
// the pair.
func serverHelloRequest(t *testing.T, pr *pair) {
	t.Helper()
	out, err := pr.server.conn.Renegotiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	pr.send(pr.server, out)
	pr.run()
}

// TestRenegotiateIgnore: the client drops a HelloRequest silently (no
// no_renegotiation warning, no handshake) and data keeps flowing.
func TestRenegotiateIgnore(t *testing.T) {
	ccfg := clientConfig(t, "ignore")
	ccfg.Renegotiation = machine.RenegotiateIgnore
	pr := newPair(t, ccfg, serverConfig(t, "ignore"))
	pr.handshake()
	before := len(pr.client.wire)
	serverHelloRequest(t, pr)
	if len(pr.client.wire) != before {
		t.Errorf("client answered the HelloRequests with %d bytes", len(pr.client.wire)-before)
	}
	if len(pr.server.alerts) != 0 || pr.client.err != nil || pr.server.err != nil {
		t.Fatalf("alerts %v, errors %v / %v", pr.server.alerts, pr.client.err, pr.server.err)
	}
	pr.write(pr.client, []byte("still here"))
	pr.write(pr.server, []byte("me too"))
	pr.run()
	if string(pr.server.received) != "still here" || string(pr.client.received) != "me too" || pr.client.conn.State().Renegotiations != 0 {
		t.Errorf("server got %q, renegotiations %d", pr.server.received, pr.client.conn.State().Renegotiations)
	}
}

// TestRenegotiateExplicit: a HelloRequest becomes
// EventRenegotiationRequested and nothing more, until the application
// calls Renegotiate.
func TestRenegotiateExplicit(t *testing.T) {
	ccfg := clientConfig(t, "explicit")
	ccfg.Renegotiation = machine.RenegotiateExplicit
	pr := newPair(t, ccfg, serverConfig(t, "explicit"))
	pr.handshake()
	before := len(pr.client.wire)
	serverHelloRequest(t, pr)
	if !slices.Contains(pr.client.events, machine.EventRenegotiationRequested) {
		t.Fatalf("client events %v, want RenegotiationRequested", pr.client.events)
	}
	if len(pr.client.wire) != before || len(pr.server.alerts) != 0 {
		t.Fatalf("client answered on its own (%d bytes, server alerts %v)", len(pr.client.wire)-before, pr.server.alerts)
	}
	for round := 1; round <= 2; round++ {
		out, err := pr.client.conn.Renegotiate(nil)
		if err != nil {
			t.Fatal(err)
		}
		pr.send(pr.client, out)
		pr.run()
		cs, ss := pr.client.conn.State(), pr.server.conn.State()
		if cs.Renegotiations != round || ss.Renegotiations != round {
			t.Fatalf("round %d: renegotiations client %d, server %d", round, cs.Renegotiations, ss.Renegotiations)
		}
		serverHelloRequest(t, pr)
	}
}

// TestAppDataInsideHandshakeMessage: application data between two
// fragments of one handshake message (half a HelloRequest, then data) is
// unexpected_message (BoGo SendHalfHelloRequest).
func TestAppDataInsideHandshakeMessage(t *testing.T) {
	for _, mode := range []machine.RenegotiationSupport{machine.RenegotiateNever, machine.RenegotiateIgnore} {
		h := newAttack(t, "half-hello-request", false, func(c, s *machine.Config) { c.Renegotiation = mode })
		h.handshake()
		// The server's Finished was its record 0 under the new keys.
		half := h.seal(h.s, 1, messages.ContentTypeHandshake, []byte{byte(messages.HandshakeTypeHelloRequest), 0})
		data := h.seal(h.s, 2, messages.ContentTypeApplicationData, []byte("data"))
		h.c.feed(t, flight{half, data}.bytes())
		h.expectFatal(h.c, messages.AlertUnexpectedMessage)
		if r := machine.ReasonOf(h.c.err); r != "app_data_in_handshake_message" {
			t.Errorf("mode %v: reason %q", mode, r)
		}
		if len(h.c.data) != 0 {
			t.Errorf("mode %v: data delivered: %q", mode, h.c.data)
		}
	}
}
