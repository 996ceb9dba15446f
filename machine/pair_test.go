package machine_test

import (
	"errors"
	"testing"

	"github.com/sanstls/sanstls/machine"
)

// side is one end of an in-memory connection driven by pair.
type side struct {
	name     string
	conn     *machine.Conn
	inbox    []byte // bytes delivered to this side, not yet consumed
	received []byte // application data received
	events   []machine.EventKind
	alerts   []machine.Alert // warning alerts received
	err      error
	wire     []byte // everything this side ever sent
	closed   bool   // saw close_notify
}

// pair drives a client and a server in one goroutine. chunk limits how many
// bytes move per delivery (0: everything), to test reassembly.
type pair struct {
	t              testing.TB
	client, server *side
	c2s, s2c       []byte // in flight
	chunk          func() int
	steps          int
}

func newPair(t testing.TB, ccfg, scfg *machine.Config) *pair {
	t.Helper()
	c, err := machine.Client(ccfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := machine.Server(scfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &pair{t: t, client: &side{name: "client", conn: c}, server: &side{name: "server", conn: s}}
	out, err := c.Start(nil)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	p.send(p.client, out)
	return p
}

func (p *pair) send(from *side, b []byte) {
	from.wire = append(from.wire, b...)
	if from == p.client {
		p.c2s = append(p.c2s, b...)
	} else {
		p.s2c = append(p.s2c, b...)
	}
}

// deliver moves in-flight bytes to the receiver and lets it process them.
// It reports whether anything happened.
func (p *pair) deliver(to *side) bool {
	flight := &p.c2s
	from := p.client
	if to == p.client {
		flight, from = &p.s2c, p.server
	}
	progress := false
	if len(*flight) > 0 {
		n := len(*flight)
		if p.chunk != nil {
			if k := p.chunk(); k > 0 && k < n {
				n = k
			}
		}
		to.inbox = append(to.inbox, (*flight)[:n]...)
		*flight = (*flight)[n:]
		progress = true
	}
	if to.err != nil {
		return progress
	}
	for {
		out, n, err := to.conn.Receive(nil, to.inbox)
		to.inbox = to.inbox[n:]
		if len(out) > 0 {
			p.send(to, out)
			progress = true
		}
		got := false
		for ev := to.conn.NextEvent(); ev.Kind != machine.EventNone; ev = to.conn.NextEvent() {
			got = true
			to.events = append(to.events, ev.Kind)
			switch ev.Kind {
			case machine.EventAppData:
				to.received = append(to.received, ev.Data...)
			case machine.EventPeerClosed:
				to.closed = true
			case machine.EventWarningAlert:
				to.alerts = append(to.alerts, ev.Alert)
			}
		}
		if err != nil && !errors.Is(err, machine.ErrPending) {
			to.err = err
			return true
		}
		if n > 0 || got {
			progress = true
			continue
		}
		_ = from
		return progress
	}
}

// run steps both sides until nothing moves (bounded).
func (p *pair) run() {
	for i := 0; i < 100000; i++ {
		a := p.deliver(p.server)
		b := p.deliver(p.client)
		if !a && !b {
			return
		}
	}
	p.t.Fatal("pair did not quiesce")
}

func (p *pair) handshake() {
	p.t.Helper()
	p.run()
	if p.client.err != nil || p.server.err != nil {
		p.t.Fatalf("handshake failed: client %v, server %v", p.client.err, p.server.err)
	}
	if !p.client.conn.HandshakeComplete() || !p.server.conn.HandshakeComplete() {
		p.t.Fatal("handshake did not complete")
	}
}

func (p *pair) write(from *side, data []byte) {
	p.t.Helper()
	out, err := from.conn.Send(nil, data)
	if err != nil {
		p.t.Fatalf("%s Send: %v", from.name, err)
	}
	p.send(from, out)
}

func (p *pair) close(from *side) {
	p.send(from, from.conn.Close(nil))
}
