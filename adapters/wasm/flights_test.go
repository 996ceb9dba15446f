package wasm

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sanstls/sanstls/machine"
)

// flightPair is a client and a server of one traced module, driven through
// the buffered API.
type flightPair struct {
	t      *testing.T
	m      *Module
	c, s   int32
	events map[int32][]HostEvent
}

func newFlightPair(t *testing.T, m *Module, cli, srv HostConfig) *flightPair {
	t.Helper()
	p := &flightPair{t: t, m: m, events: map[int32][]HostEvent{}}
	for _, x := range []struct {
		isClient bool
		hc       HostConfig
		h        *int32
	}{{true, cli, &p.c}, {false, srv, &p.s}} {
		doc, err := json.Marshal(x.hc)
		if err != nil {
			t.Fatal(err)
		}
		if *x.h, err = m.CreateConn(x.isClient, doc); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// take drains h's events into p.events.
func (p *flightPair) take(h int32) {
	ev, err := p.m.TakeEvents(h)
	if err != nil {
		p.t.Fatal(err)
	}
	p.events[h] = append(p.events[h], ev...)
}

// run delivers flights back and forth, starting with b going to "to",
// until neither side has anything to say. tamper, if set, may change a
// flight before delivery. It returns the first error.
func (p *flightPair) run(to int32, b []byte, tamper func(from int32, b []byte)) error {
	for range 20 {
		if len(b) == 0 {
			return nil
		}
		if tamper != nil {
			tamper(p.other(to), b)
		}
		out, err := p.m.ReceiveFlight(to, b)
		p.take(to)
		if err != nil {
			// The alert in out still goes to the peer.
			p.m.ReceiveFlight(p.other(to), out)
			p.take(p.other(to))
			return err
		}
		to, b = p.other(to), out
	}
	p.t.Fatal("flights did not end")
	return nil
}

func (p *flightPair) other(h int32) int32 {
	if h == p.c {
		return p.s
	}
	return p.c
}

func (p *flightPair) handshake() {
	p.t.Helper()
	hello, err := p.m.StartFlight(p.c)
	if err != nil {
		p.t.Fatal(err)
	}
	p.take(p.c)
	if err := p.run(p.s, hello, nil); err != nil {
		p.t.Fatal(err)
	}
}

// sentNames lists the names of the messages h sent, in order.
func (p *flightPair) sentNames(h int32) []string {
	var names []string
	for _, e := range p.events[h] {
		if e.Kind == KindMessage && e.Sent {
			names = append(names, e.Name)
		}
	}
	return names
}

func (p *flightPair) has(h int32, kind string) bool {
	for _, e := range p.events[h] {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

func tracedModule() *Module {
	m := newTestModule()
	m.EnableTrace(nil)
	return m
}

func TestFlightsHandshakeDataClose(t *testing.T) {
	pki := loadPKI(t)
	p := newFlightPair(t, tracedModule(), pki.client(), pki.server())
	p.handshake()
	if !p.has(p.c, KindHandshakeDone) || !p.has(p.s, KindHandshakeDone) {
		t.Fatal("handshake did not complete")
	}
	// Without a decoder the names are the content types.
	got := strings.Join(p.sentNames(p.c), " ")
	if got != "handshake handshake change_cipher_spec handshake" {
		t.Errorf("client sent %q", got)
	}
	// The server's Finished follows its ChangeCipherSpec, so it is marked
	// encrypted; its ServerHello is not.
	var enc []bool
	for _, e := range p.events[p.s] {
		if e.Kind == KindMessage && e.Sent {
			enc = append(enc, e.Encrypted)
		}
	}
	if len(enc) < 3 || enc[0] || !enc[len(enc)-1] {
		t.Errorf("server encryption marks %v", enc)
	}
	if kl, _ := p.m.KeyLog(p.c); !strings.HasPrefix(kl, "CLIENT_RANDOM ") {
		t.Errorf("client key log %q", kl)
	}
	st, err := p.m.ConnStateOf(p.c)
	if err != nil || !st.HandshakeComplete || st.Group != "x25519" || st.SignatureScheme == "" {
		t.Errorf("client state %+v, %v", st, err)
	}

	rec, err := p.m.SendFlight(p.c, []byte("ping"))
	if err != nil {
		t.Fatal(err)
	}
	// Half a record is kept until the rest arrives.
	if out, err := p.m.ReceiveFlight(p.s, rec[:7]); err != nil || len(out) != 0 {
		t.Fatalf("partial record: %x, %v", out, err)
	}
	if n, _ := p.m.Pending(p.s); n != 7 {
		t.Errorf("pending %d, want 7", n)
	}
	if _, err := p.m.ReceiveFlight(p.s, rec[7:]); err != nil {
		t.Fatal(err)
	}
	p.take(p.s)
	var data []byte
	for _, e := range p.events[p.s] {
		if e.Kind == KindData {
			data = append(data, e.Raw...)
		}
	}
	if string(data) != "ping" {
		t.Errorf("server received %q", data)
	}
	bye, err := p.m.CloseFlight(p.c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.m.ReceiveFlight(p.s, bye); err != nil {
		t.Fatal(err)
	}
	p.take(p.s)
	if !p.has(p.s, KindPeerClosed) {
		t.Error("no peer_closed event")
	}
	if err := p.m.ReceiveEOFErr(p.s); err != nil {
		t.Errorf("ReceiveEOF after close_notify: %v", err)
	}
}

func TestFlightsTamperedFinished(t *testing.T) {
	pki := loadPKI(t)
	p := newFlightPair(t, tracedModule(), pki.client(), pki.server())
	hello, _ := p.m.StartFlight(p.c)
	flights := 0
	err := p.run(p.s, hello, func(from int32, b []byte) {
		flights++
		if flights == 3 { // the client's second flight: its Finished is the last record
			b[len(b)-1] ^= 0x01
		}
	})
	var ae *machine.AlertError
	if !errorsAs(err, &ae) || ae.Alert != machine.Alert(20) || ae.Remote {
		t.Fatalf("server error %v, want a bad_record_mac it sent", err)
	}
	var srvErr, cliErr *HostEvent
	for i, e := range p.events[p.s] {
		if e.Kind == KindError {
			srvErr = &p.events[p.s][i]
		}
	}
	for i, e := range p.events[p.c] {
		if e.Kind == KindError {
			cliErr = &p.events[p.c][i]
		}
	}
	if srvErr == nil || srvErr.AlertName != "bad_record_mac" || srvErr.Remote || srvErr.Code != AlertCode(20, false) {
		t.Errorf("server error event %+v", srvErr)
	}
	if cliErr == nil || cliErr.AlertName != "bad_record_mac" || !cliErr.Remote {
		t.Errorf("client error event %+v", cliErr)
	}
	// Reported once, even though later calls fail again.
	p.m.ReceiveFlight(p.s, []byte{22, 3, 3, 0, 1, 0})
	p.take(p.s)
	n := 0
	for _, e := range p.events[p.s] {
		if e.Kind == KindError {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d error events, want 1", n)
	}
}

func TestFlightsResumptionAndRenegotiation(t *testing.T) {
	pki := loadPKI(t)
	m := tracedModule()
	cli, srv := pki.client(), pki.server()
	cli.SessionCache, srv.SessionCache = "page", "page"
	srv.TicketKey = strings.Repeat("ab", 32)
	cli.Renegotiation = "once"
	p := newFlightPair(t, m, cli, srv)
	p.handshake()

	// The server asks for a renegotiation; a full handshake follows.
	hr, err := m.RenegotiateFlight(p.s)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.run(p.c, hr, nil); err != nil {
		t.Fatal(err)
	}
	st, _ := m.ConnStateOf(p.c)
	if st.Renegotiations != 1 {
		t.Errorf("renegotiations %d, want 1", st.Renegotiations)
	}

	q := newFlightPair(t, m, cli, srv)
	q.handshake()
	st, _ = m.ConnStateOf(q.c)
	if !st.Resumed {
		t.Error("the second connection did not resume")
	}
	if len(q.sentNames(q.c)) != 3 { // ClientHello, ChangeCipherSpec, Finished
		t.Errorf("resumed client sent %v", q.sentNames(q.c))
	}
}

func TestFlightsSeedReproducible(t *testing.T) {
	pki := loadPKI(t)
	hello := func(seed string) []byte {
		cli := pki.client()
		cli.Seed = seed
		p := newFlightPair(t, tracedModule(), cli, pki.server())
		b, err := p.m.StartFlight(p.c)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b, c := hello("1"), hello("1"), hello("2")
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Error("the seed does not determine the ClientHello")
	}
}

func TestFlightsConfigErrors(t *testing.T) {
	m := tracedModule()
	for _, doc := range []string{
		`{"server_name":"a","groups":["P-999"]}`,
		`{"server_name":"a","renegotiation":"always"}`,
		`{"server_name":"a","ticket_key":"00"}`,
	} {
		if _, err := m.CreateConn(true, []byte(doc)); err == nil {
			t.Errorf("%s: accepted", doc)
		}
	}
	for _, name := range []string{"X25519", "P-256", "secp384r1", "ffdhe2048"} {
		if _, ok := groupByName(name); !ok {
			t.Errorf("group %s not found", name)
		}
	}
	if _, err := m.StartFlight(99); err == nil {
		t.Error("bad handle accepted")
	}
}

func errorsAs(err error, target **machine.AlertError) bool { return errors.As(err, target) }
