package machine_test

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// statesDoc is the generated legality table; `go test ./machine -run
// TestStatesDoc -update` rewrites it.
const statesDoc = "../docs/states.md"

// edge is one transition seen: from a state, on a received message, to the
// state after it.
type edge struct {
	client        bool
	from, via, to string
}

// transitionRecorder watches one Conn through Config.Trace: each received
// handshake message or ChangeCipherSpec starts an edge from the current
// state, and the state at the next received message (or at mark) ends it.
type transitionRecorder struct {
	client  bool
	path    string
	conn    *machine.Conn
	pending *edge
	seen    map[edge][]string // edge → paths that took it
	order   *[]edge
}

func (r *transitionRecorder) trace(sent bool, typ machine.ContentType, body []byte) {
	if sent || r.conn == nil {
		return
	}
	var via string
	switch typ {
	case messages.ContentTypeHandshake:
		via = messages.HandshakeType(body[0]).String()
	case messages.ContentTypeChangeCipherSpec:
		via = "ChangeCipherSpec"
	default:
		return
	}
	r.mark()
	r.pending = &edge{client: r.client, from: machine.StateName(r.conn), via: via}
}

// mark ends the pending edge at the current state.
func (r *transitionRecorder) mark() {
	if r.pending == nil {
		return
	}
	e := *r.pending
	e.to = machine.StateName(r.conn)
	r.pending = nil
	if _, ok := r.seen[e]; !ok {
		*r.order = append(*r.order, e)
	}
	if !slices.Contains(r.seen[e], r.path) {
		r.seen[e] = append(r.seen[e], r.path)
	}
}

// call records an edge taken by a method call rather than a message.
func (r *transitionRecorder) call(via string, f func()) {
	r.mark()
	r.pending = &edge{client: r.client, from: machine.StateName(r.conn), via: via}
	f()
	r.mark()
}

// statesPaths are the handshakes the table's transitions are taken from.
// Each gets fresh configs; caches carry over between the rounds of a path.
func statesPaths(t *testing.T) []struct {
	name   string
	rounds int
	setup  func(c, s *machine.Config)
	after  func(t *testing.T, pr *pair, cr, sr *transitionRecorder)
	drive  func(t *testing.T, pr *pair, cr, sr *transitionRecorder)
} {
	p := getPKI(t)
	ticketCache, idCache, idServer := mapClientCache{}, mapClientCache{}, mapServerCache{}
	return []struct {
		name   string
		rounds int
		setup  func(c, s *machine.Config)
		after  func(t *testing.T, pr *pair, cr, sr *transitionRecorder)
		drive  func(t *testing.T, pr *pair, cr, sr *transitionRecorder)
	}{
		{name: "full", rounds: 1, setup: func(c, s *machine.Config) {}},
		{name: "rsa-kex", rounds: 1, setup: func(c, s *machine.Config) {
			c.CipherSuites = []uint16{machine.TLS_RSA_WITH_AES_128_GCM_SHA256}
			s.CipherSuites = c.CipherSuites
			s.Certificates = []machine.Certificate{p.rsa}
		}},
		{name: "client-auth", rounds: 1, setup: func(c, s *machine.Config) {
			s.ClientAuth = machine.RequireAndVerifyClientCert
			s.ClientCAs = p.roots
			c.Certificates = []machine.Certificate{p.client}
		}},
		{name: "session-id", rounds: 2, setup: func(c, s *machine.Config) {
			c.ClientSessionCache, s.SessionCache = idCache, idServer
		}},
		{name: "ticket", rounds: 2, setup: func(c, s *machine.Config) {
			c.ClientSessionCache, s.TicketKeys = ticketCache, [][32]byte{{7}}
		}},
		{name: "deferred-verify", rounds: 1, setup: func(c, s *machine.Config) {
			c.DeferVerify, s.DeferVerify = true, true
			s.ClientAuth = machine.RequireAnyClientCert
			c.Certificates = []machine.Certificate{p.client}
		}, drive: func(t *testing.T, pr *pair, cr, sr *transitionRecorder) {
			// Each side pauses on the peer's chain until it is resolved.
			for _, s := range []struct {
				side *side
				r    *transitionRecorder
			}{{pr.client, cr}, {pr.server, sr}} {
				pr.run()
				var out []byte
				var err error
				s.r.call("ResolveVerify()", func() { out, err = s.side.conn.ResolveVerify(nil, nil) })
				if err != nil {
					t.Fatal(err)
				}
				pr.send(s.side, out)
			}
			pr.handshake()
		}},
		{name: "renegotiation", rounds: 1, setup: func(c, s *machine.Config) {
			c.Renegotiation = machine.RenegotiateFreelyAsClient
			s.AllowClientRenegotiation = true
		}, after: func(t *testing.T, pr *pair, cr, sr *transitionRecorder) {
			// Server-requested (HelloRequest), then client-initiated.
			renegotiate := func(s *side, r *transitionRecorder) {
				var out []byte
				var err error
				r.call("Renegotiate()", func() { out, err = s.conn.Renegotiate(nil) })
				if err != nil {
					t.Fatal(err)
				}
				pr.send(s, out)
				pr.handshake()
				cr.mark()
				sr.mark()
			}
			renegotiate(pr.server, sr)
			renegotiate(pr.client, cr)
		}},
	}
}

// TestStatesDoc drives the paths above, checks that every transition taken
// is one the legality table allows, and renders table and transitions to
// docs/states.md.
func TestStatesDoc(t *testing.T) {
	seen := map[edge][]string{}
	var order []edge
	var pathNames []string
	for _, path := range statesPaths(t) {
		pathNames = append(pathNames, path.name)
		for round := range path.rounds {
			ccfg, scfg := clientConfig(t, "states-"+path.name), serverConfig(t, "states-"+path.name)
			path.setup(ccfg, scfg)
			cr := &transitionRecorder{client: true, path: path.name, seen: seen, order: &order}
			sr := &transitionRecorder{client: false, path: path.name, seen: seen, order: &order}
			ccfg.Trace, scfg.Trace = cr.trace, sr.trace
			pr := newPair(t, ccfg, scfg)
			cr.conn, sr.conn = pr.client.conn, pr.server.conn
			if path.drive != nil {
				path.drive(t, pr, cr, sr)
			} else {
				pr.handshake()
			}
			cr.mark()
			sr.mark()
			if path.after != nil {
				path.after(t, pr, cr, sr)
			}
			if want := round > 0; pr.client.conn.State().DidResume != want {
				t.Fatalf("%s round %d: DidResume %v", path.name, round, !want)
			}
		}
	}

	rows := machine.LegalityTable()
	known := map[string]machine.LegalityRow{}
	for _, r := range rows {
		known[sideName(r.Client)+r.State] = r
	}
	for _, e := range order {
		r, ok := known[sideName(e.client)+e.from]
		if !ok {
			t.Errorf("%s state %s is not in LegalityTable", sideName(e.client), e.from)
			continue
		}
		if strings.HasSuffix(e.via, "()") {
			continue // a method call, not a message
		}
		if e.via == "ChangeCipherSpec" {
			if !r.CCS {
				t.Errorf("%s: %s took ChangeCipherSpec but does not declare it", sideName(e.client), e.from)
			}
		} else if !slices.ContainsFunc(r.Accepts, func(h messages.HandshakeType) bool { return h.String() == e.via }) {
			t.Errorf("%s: %s took %s, which it does not accept", sideName(e.client), e.from, e.via)
		}
	}

	got := renderStates(rows, order, seen, pathNames)
	if *update {
		if err := os.WriteFile(statesDoc, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(statesDoc)
	if err != nil {
		t.Fatalf("%v (run go test ./machine -run TestStatesDoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go test ./machine -run TestStatesDoc -update", statesDoc)
	}
}

func sideName(client bool) string {
	if client {
		return "client"
	}
	return "server"
}

func renderStates(rows []machine.LegalityRow, order []edge, seen map[edge][]string, paths []string) []byte {
	var b strings.Builder
	b.WriteString("# Handshake states and what each accepts\n\n")
	b.WriteString("Generated by `go test ./machine -run TestStatesDoc -update` from the\n")
	b.WriteString("states' `accepts` lists, as the dispatcher applies them\n")
	b.WriteString("(`machine/guard.go`), and from the transitions taken by in-memory\n")
	b.WriteString("handshakes on these paths: " + strings.Join(paths, ", ") + ".\n")
	b.WriteString("Do not edit by hand; the test fails when this file is stale.\n\n")
	b.WriteString("A handshake message of a type its state does not accept is refused with\n")
	b.WriteString("`unexpected_message` on its 4-byte header, before the body is buffered or\n")
	b.WriteString("parsed (RFC 5246, Section 7.3). ChangeCipherSpec is taken only by the\n")
	b.WriteString("states marked so, and never while a partial message is buffered.\n")
	b.WriteString("A transition named with `()` is a method call of the caller's.\n")
	for _, client := range []bool{true, false} {
		fmt.Fprintf(&b, "\n## %s\n\n", strings.ToUpper(sideName(client)[:1])+sideName(client)[1:])
		b.WriteString("| state | accepts | ChangeCipherSpec | transitions seen (message → next state: paths) |\n")
		b.WriteString("|---|---|---|---|\n")
		for _, r := range rows {
			if r.Client != client {
				continue
			}
			var acc []string
			for _, h := range r.Accepts {
				acc = append(acc, h.String())
			}
			ccs := ""
			if r.CCS {
				ccs = "yes"
			}
			var tr []string
			for _, e := range order {
				if e.client == client && e.from == r.State {
					tr = append(tr, fmt.Sprintf("%s → %s: %s", e.via, e.to, strings.Join(seen[e], ", ")))
				}
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.State, orDash(strings.Join(acc, ", ")), ccs, orDash(strings.Join(tr, "<br>")))
		}
		b.WriteString("\n```mermaid\nstateDiagram-v2\n")
		if client {
			b.WriteString("    [*] --> clientExpectServerHello: Start (ClientHello sent)\n")
		} else {
			b.WriteString("    [*] --> serverExpectClientHello\n")
		}
		for _, e := range order {
			if e.client == client {
				fmt.Fprintf(&b, "    %s --> %s: %s\n", e.from, e.to, e.via)
			}
		}
		b.WriteString("```\n")
	}
	return []byte(b.String())
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// TestRenegotiationKeepsState: a renegotiation negotiates into its own
// ConnectionState, so State() reports the completed handshake until the new
// one completes, and a declined renegotiation leaves it as it was.
func TestRenegotiationKeepsState(t *testing.T) {
	ccfg, scfg := clientConfig(t, "keep-state"), serverConfig(t, "keep-state")
	ccfg.Renegotiation = machine.RenegotiateOnceAsClient
	pr := newPair(t, ccfg, scfg)
	pr.handshake()
	before := pr.server.conn.State()
	out, err := pr.server.conn.Renegotiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	pr.send(pr.server, out)
	pr.deliver(pr.client) // HelloRequest in, ClientHello out
	pr.deliver(pr.server) // ClientHello in, the server's flight out
	mid := pr.server.conn.State()
	if !bytes.Equal(mid.TLSUnique, before.TLSUnique) || mid.Renegotiations != 0 || !mid.HandshakeComplete {
		t.Fatalf("mid-renegotiation State() changed: %+v", mid)
	}
	pr.handshake()
	after := pr.server.conn.State()
	if after.Renegotiations != 1 || bytes.Equal(after.TLSUnique, before.TLSUnique) {
		t.Fatalf("after renegotiation: Renegotiations %d, tls-unique unchanged %v", after.Renegotiations, bytes.Equal(after.TLSUnique, before.TLSUnique))
	}

	// RenegotiateOnceAsClient: the second request is declined.
	out, err = pr.server.conn.Renegotiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	pr.send(pr.server, out)
	pr.run()
	if len(pr.server.alerts) != 1 || pr.server.alerts[0] != machine.AlertNoRenegotiation {
		t.Fatalf("server alerts %v, want one no_renegotiation", pr.server.alerts)
	}
	declined := pr.server.conn.State()
	if !bytes.Equal(declined.TLSUnique, after.TLSUnique) || declined.Renegotiations != 1 || declined.CipherSuite != after.CipherSuite {
		t.Fatalf("declined renegotiation changed State(): %+v", declined)
	}
	pr.write(pr.client, []byte("still here"))
	pr.run()
	if string(pr.server.received) != "still here" {
		t.Fatalf("server received %q", pr.server.received)
	}
}
