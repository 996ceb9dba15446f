package sim

import (
	"cmp"
	"errors"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// phase is where a connection's script stands.
type phase uint8

const (
	phHandshake phase = iota // the first handshake runs
	phExchange               // requests and responses
	phReneg                  // a renegotiation runs
	phIdle                   // established, waiting for the close phase
	phClosing                // close_notify sent
	phDone                   // both endpoints are over; the result is final
)

// endpoint is one side of a simulated connection.
type endpoint struct {
	c    *conn
	side Side
	m    *machine.Conn
	rng  rand.PCG // Config.Rand of this side
	in   []byte   // received, not yet consumed by Receive

	hs         int   // handshakes completed
	recv, sent int64 // application data bytes received and sent
	lastIn     int   // last handshake message type received; ccsIn for ChangeCipherSpec; -1 none
	sentCCS    bool  // this handshake: we sent ChangeCipherSpec

	closeSent, peerClosed bool
	eof                   bool  // the transport toward us has ended
	err                   error // fatal error
	hung                  bool  // a Stall fault: sends and reads nothing more
	gone                  bool  // a CloseConn or ResetConn fault: this side is gone

	bytes, records int // emitted by the machine
}

const ccsIn = 256 // endpoint.lastIn value for a ChangeCipherSpec

// conn is one simulated connection.
type conn struct {
	idx   int
	plan  plan
	ep    [2]endpoint
	dir   [2]stream // by sending side
	net   rand.PCG  // jitter draws
	phase phase

	session   *machine.ClientSession // the session the client offers
	sessions  []timedSession         // sessions the client received
	reqs, req int                    // exchanges to make, made
	reqSent   bool
	responded int
	renegDone bool
	altered   bool // some application data differed from what was sent
	hsBoth    bool // both sides completed the first handshake
	idle      bool // reached phIdle

	res ConnResult
}

type timedSession struct {
	at int64
	s  *machine.ClientSession
}

// Observer sees one connection in detail (see Replay).
type Observer struct {
	// Trace receives the connection's Config.Trace calls: every handshake
	// message, ChangeCipherSpec and alert sent or received, by side.
	Trace func(side Side, sent bool, typ machine.ContentType, body []byte)
	// Send receives each output of a machine as it goes on the wire
	// (before any fault).
	Send func(at time.Duration, from Side, out []byte)
	// AppData reports application data a side sends.
	AppData func(at time.Duration, from Side, data []byte)
	// Deliver reports each segment (or the end of the stream, eof) as it
	// arrives.
	Deliver func(at time.Duration, to Side, data []byte, eof, reset bool)
	// Event reports the machine events each side sees.
	Event func(at time.Duration, side Side, ev machine.Event)
}

// sim is one run.
type sim struct {
	sc      Scenario
	pki     *pki
	plans   []plan
	conns   []*conn
	q       queue
	now     int64
	cur     *endpoint // the endpoint whose machine call is running
	scratch []byte
	payload []byte
	oneWay  int64

	ccfg, ccfgAuth, scfg, scfgAuth *machine.Config
	ids                            map[string][]byte // server session-ID cache

	only     []int // run only these connections (Replay); nil: all
	arrivals []int // connections still to arrive, in order
	obs      *Observer
	obsIdx   int
	done     int
	notify   int
	quiet    bool // the first quiet point has passed
	cpuTime  func() time.Duration
}

// Read is Config.Rand of every simulated machine: it reads from the stream
// of the endpoint whose call is running.
func (s *sim) Read(p []byte) (int, error) {
	fill(&s.cur.rng, p)
	return len(p), nil
}

// clock is Config.Time: the virtual clock.
func (s *sim) clock() time.Time { return Epoch.Add(time.Duration(s.now)) }

// Get and Put make sim the client's session cache: a client offers the
// session its plan assigned, and the sessions it receives are kept, with
// their time, for later connections.
func (s *sim) Get(string) (*machine.ClientSession, bool) {
	cs := s.cur.c.session
	return cs, cs != nil
}

func (s *sim) Put(_ string, cs *machine.ClientSession) {
	if cs != nil {
		c := s.cur.c
		c.sessions = append(c.sessions, timedSession{s.now, cs})
	}
}

// idCache is the server's session-ID cache.
type idCache map[string][]byte

func (m idCache) Get(id []byte) ([]byte, bool) { st, ok := m[string(id)]; return st, ok }
func (m idCache) Put(id, st []byte)            { m[string(id)] = append([]byte(nil), st...) }

// trace is Config.Trace of every machine.
func (s *sim) trace(sent bool, typ machine.ContentType, body []byte) {
	e := s.cur
	if e == nil {
		return
	}
	switch {
	case sent && typ == 20:
		e.sentCCS = true
	case !sent && typ == 20:
		e.lastIn = ccsIn
	case !sent && typ == 22 && len(body) > 0:
		e.lastIn = int(body[0])
		if body[0] == 0 || body[0] == 1 {
			e.sentCCS = false // a new handshake
		}
	}
	if s.obs != nil && s.obs.Trace != nil && e.c.idx == s.obsIdx {
		s.obs.Trace(e.side, sent, typ, body)
	}
}

func newSim(sc Scenario, p *pki) (*sim, error) {
	s := &sim{sc: sc, pki: p, oneWay: int64(sc.Network.RTT / 2), cpuTime: sc.CPUTime}
	s.plans = plans(sc)
	s.conns = make([]*conn, sc.Conns)
	s.ccfg = &machine.Config{Rand: s, Time: s.clock, RootCAs: p.roots, ServerName: ServerName,
		CipherSuites: sc.CipherSuites, Groups: sc.Groups, Trace: s.trace}
	if sc.Resume > 0 {
		s.ccfg.ClientSessionCache = s
	}
	if sc.Renegotiate > 0 {
		s.ccfg.Renegotiation = machine.RenegotiateFreelyAsClient
	}
	if !sc.NoCertCache {
		s.ccfg.CertCache = machine.NewCertCache(64)
	}
	auth := *s.ccfg
	auth.Certificates = []machine.Certificate{p.client}
	s.ccfgAuth = &auth
	s.scfg = &machine.Config{Rand: s, Time: s.clock, Certificates: []machine.Certificate{p.server}, Trace: s.trace}
	if sc.Resume > 0 {
		if sc.ResumeBy == SessionIDs {
			s.ids = idCache{}
			s.scfg.SessionCache = idCache(s.ids)
		} else {
			var k [32]byte
			g := newPCG(sc.Seed, streamTickets)
			fill(&g, k[:])
			s.scfg.TicketKeys = [][32]byte{k}
		}
	}
	if !sc.NoCertCache {
		s.scfg.CertCache = machine.NewCertCache(64)
	}
	sauth := *s.scfg
	sauth.ClientAuth = machine.RequireAndVerifyClientCert
	sauth.ClientCAs = p.roots
	s.scfgAuth = &sauth
	// Configurations the machine rejects are found now, not per connection.
	for _, cfg := range []*machine.Config{s.ccfg, s.ccfgAuth} {
		if _, err := machine.Client(cfg); err != nil {
			return nil, err
		}
	}
	for _, cfg := range []*machine.Config{s.scfg, s.scfgAuth} {
		if _, err := machine.Server(cfg); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// run runs the simulation to its end: arrivals and scripts until nothing is
// scheduled; then stalls are diagnosed, the heap measured, the established
// connections closed and the stalled ones abandoned; then whatever is
// still open is ended.
func (s *sim) run() (h1, h2 uint64, idle, live int) {
	// Arrivals are taken in order from a list, not the queue, so that the
	// queue holds only what is in flight.
	if s.only != nil {
		s.arrivals = slices.Clone(s.only)
		slices.SortFunc(s.arrivals, func(a, b int) int { return cmp.Or(cmp.Compare(s.plans[a].arrive, s.plans[b].arrive), a-b) })
	} else {
		s.arrivals = make([]int, len(s.plans))
		for i := range s.arrivals {
			s.arrivals[i] = i // plans arrive in index order
		}
	}
	s.loop()
	s.quiet = true
	for _, c := range s.conns {
		if c == nil || c.phase == phDone {
			continue
		}
		if c.phase == phIdle {
			idle++
		} else {
			s.stalled(c)
		}
	}
	for _, c := range s.conns {
		if c != nil && c.phase != phDone {
			for i := range c.ep {
				if c.ep[i].m != nil {
					live++
				}
			}
		}
	}
	if s.sc.HeapInUse != nil {
		s.scratch, s.payload = nil, nil // not the endpoints' memory
		h1 = s.sc.HeapInUse()
	}
	for _, c := range s.conns {
		switch {
		case c == nil || c.phase == phDone:
		case c.phase == phIdle:
			c.phase = phClosing
			s.close(&c.ep[Client])
			s.check(c)
		default:
			// The idle timeout of whoever still waits ends the transport.
			for i := range c.ep {
				if e := &c.ep[i]; !e.hung && !e.gone {
					s.endStream(e)
				}
			}
			s.check(c)
		}
	}
	s.loop()
	for _, c := range s.conns {
		if c != nil && c.phase != phDone {
			s.stalled(c)
			s.force(c)
		}
	}
	s.scratch, s.payload = nil, nil
	if s.sc.HeapInUse != nil {
		h2 = s.sc.HeapInUse()
	}
	return h1, h2, idle, live
}

func (s *sim) loop() {
	for {
		// The next arrival goes first, before any event of the same time.
		if len(s.arrivals) > 0 && (s.q.empty() || s.plans[s.arrivals[0]].arrive <= s.q.ev[0].at) {
			i := s.arrivals[0]
			s.arrivals = s.arrivals[1:]
			s.now = s.plans[i].arrive
			s.arrive(i)
			continue
		}
		if s.q.empty() {
			return
		}
		ev := s.q.pop()
		s.now = ev.at
		c := s.conns[ev.conn]
		if c.phase == phDone {
			continue
		}
		e := &c.ep[ev.to]
		c.res.Transcript = s.hashDelivery(c, ev)
		if s.obs != nil && s.obs.Deliver != nil && c.idx == s.obsIdx {
			s.obs.Deliver(time.Duration(s.now), ev.to, ev.data, ev.kind == evFIN, ev.kind == evRST)
		}
		switch ev.kind {
		case evData:
			if e.gone || e.hung || e.err != nil || e.m == nil {
				break // nobody reads
			}
			if len(e.in) == 0 {
				e.in = ev.data
			} else {
				e.in = append(e.in, ev.data...)
			}
			s.pump(e)
		case evFIN:
			s.receiveEOF(e)
		case evRST:
			c.setOutcome(Outcome{Kind: Reset, Side: e.side})
			c.ep[0].gone, c.ep[1].gone = true, true
		}
		s.script(c)
		s.check(c)
	}
}

// hashDelivery extends the connection's transcript hash with a delivery:
// its time relative to the arrival (before the close phase, whose start
// depends on the other connections: after the first quiet point only the
// order counts), receiver, kind and bytes.
func (s *sim) hashDelivery(c *conn, ev event) uint64 {
	h := c.res.Transcript
	if !s.quiet {
		h = fnvUint(h, uint64(ev.at-c.plan.arrive))
	}
	h = fnvUint(h, uint64(ev.to)|uint64(ev.kind)<<8)
	h = fnvUint(h, uint64(len(ev.data)))
	return fnv64(h, ev.data)
}

// arrive creates connection i and starts its client.
func (s *sim) arrive(i int) {
	p := s.plans[i]
	c := &conn{idx: i, plan: p, net: newPCG(s.sc.Seed, streamNet+uint64(i)), reqs: s.sc.Requests}
	c.res = ConnResult{Index: i, Arrive: time.Duration(p.arrive), Fault: p.fault, Transcript: fnvOffset}
	s.conns[i] = c
	if p.resume {
		if parent := s.conns[p.parent]; parent != nil {
			for _, ts := range parent.sessions {
				if ts.at < s.now {
					c.session = ts.s
				}
			}
		}
	}
	ccfg, scfg := s.ccfg, s.scfg
	if p.clientAuth {
		ccfg, scfg = s.ccfgAuth, s.scfgAuth
	}
	for sd := range c.ep {
		e := &c.ep[sd]
		*e = endpoint{c: c, side: Side(sd), lastIn: -1, rng: newPCG(s.sc.Seed, streamEndpoint+2*uint64(i)+uint64(sd))}
	}
	// Creating the machines is the machines' work too (for CPUTime).
	t := s.enter(&c.ep[Client])
	m, err := machine.Client(ccfg)
	s.leave(&c.ep[Client], t)
	c.ep[Client].m = m
	if err == nil {
		t = s.enter(&c.ep[Server])
		m, err = machine.Server(scfg)
		s.leave(&c.ep[Server], t)
		c.ep[Server].m = m
	}
	if err != nil { // checked in newSim: cannot happen
		c.setOutcome(Outcome{Kind: Failed, Reason: err.Error()})
		s.finish(c)
		return
	}
	e := &c.ep[Client]
	t = s.enter(e)
	out, err := e.m.Start(s.scratch[:0])
	s.leave(e, t)
	s.emit(e, out)
	if err != nil {
		s.fail(e, err)
	}
	s.check(c)
}

// enter and leave bracket a machine call: the hooks attribute randomness,
// traces and session-cache calls to e, and CPU time to its connection until
// e's first handshake completes.
func (s *sim) enter(e *endpoint) time.Duration {
	s.cur = e
	if s.cpuTime != nil {
		return s.cpuTime()
	}
	return 0
}

func (s *sim) leave(e *endpoint, start time.Duration) {
	if s.cpuTime != nil && e.hs == 0 { // (drain counts a completion after this)
		e.c.res.CPU += s.cpuTime() - start
	}
	s.cur = nil
}

// pump lets e's machine consume what it holds until it needs more bytes.
func (s *sim) pump(e *endpoint) {
	for e.err == nil && !e.gone && !e.hung {
		t := s.enter(e)
		out, n, err := e.m.Receive(s.scratch[:0], e.in)
		s.leave(e, t)
		s.scratch = out[:0]
		s.emit(e, out)
		got := s.drain(e) // before e.in moves on: AppData aliases it
		e.in = e.in[n:]
		if len(e.in) == 0 {
			e.in = nil
		}
		if err == machine.ErrClosed {
			e.in = nil // bytes after close_notify are ignored
			return
		}
		if err != nil {
			s.fail(e, err)
			return
		}
		if !got {
			return // Receive stops early only at an event
		}
	}
}

// drain handles e's queued events and reports whether there were any.
func (s *sim) drain(e *endpoint) bool {
	c := e.c
	got := false
	for ev := e.m.NextEvent(); ev.Kind != machine.EventNone; ev = e.m.NextEvent() {
		got = true
		if s.obs != nil && s.obs.Event != nil && c.idx == s.obsIdx {
			s.obs.Event(time.Duration(s.now), e.side, ev)
		}
		switch ev.Kind {
		case machine.EventHandshakeDone:
			e.hs++
			e.sentCCS = false
			s.handshakeDone(e)
		case machine.EventAppData:
			for i, b := range ev.Data {
				if b != payloadByte(c.idx, 1-e.side, e.recv+int64(i)) {
					c.altered = true
					break
				}
			}
			e.recv += int64(len(ev.Data))
		case machine.EventPeerClosed:
			e.peerClosed = true
		}
	}
	return got
}

// handshakeDone records the first handshake's figures.
func (s *sim) handshakeDone(e *endpoint) {
	c := e.c
	if e.hs == 1 && e.side == Client {
		c.res.Latency = time.Duration(s.now - c.plan.arrive)
	}
	if e.hs > 1 && c.ep[Client].hs > 1 && c.ep[Server].hs > 1 {
		c.res.Renegotiated = true
	}
	if c.hsBoth || c.ep[Client].hs < 1 || c.ep[Server].hs < 1 {
		return
	}
	c.hsBoth = true
	st := c.ep[Client].m.State()
	switch {
	case st.DidResume:
		c.res.Kind = Resumed
	case c.plan.clientAuth:
		c.res.Kind = ClientAuth
	default:
		c.res.Kind = Full
	}
	c.res.Handshake = true
	for i := range c.ep {
		c.res.HandshakeBytes += c.ep[i].bytes
		c.res.HandshakeRecords += c.ep[i].records
		c.res.HandshakeSent[i] = int64(c.ep[i].bytes)
	}
}

// script advances what the connection does once its machines are idle.
func (s *sim) script(c *conn) {
	cl, sv := &c.ep[Client], &c.ep[Server]
	for i := range c.ep {
		// Whoever receives close_notify answers it and ends its side.
		if e := &c.ep[i]; e.peerClosed && !e.closeSent && e.err == nil && !e.gone && !e.hung {
			s.close(e)
		}
	}
	for {
		if cl.err != nil || sv.err != nil || cl.gone || sv.gone || cl.hung || sv.hung ||
			cl.closeSent || sv.closeSent || cl.peerClosed || sv.peerClosed {
			return
		}
		switch c.phase {
		case phHandshake:
			// The client may send as soon as its own handshake is done
			// (in an abbreviated handshake, before the server's is).
			if cl.hs < 1 {
				return
			}
			c.phase = phExchange
		case phExchange:
			if !s.exchange(c) {
				return
			}
			if c.plan.reneg && !c.renegDone {
				c.renegDone = true
				c.phase = phReneg
				t := s.enter(sv)
				out, err := sv.m.Renegotiate(s.scratch[:0])
				s.leave(sv, t)
				s.emit(sv, out)
				if err != nil {
					s.fail(sv, err)
				}
				continue
			}
			c.phase = phIdle
			c.idle = true
			s.progress()
			return
		case phReneg:
			if cl.hs < 2 || sv.hs < 2 {
				return
			}
			if c.reqs > 0 {
				c.reqs++ // one more exchange, under the new keys
			}
			c.phase = phExchange
		default:
			return
		}
	}
}

// exchange runs the request/response script; it reports whether every
// exchange is complete.
func (s *sim) exchange(c *conn) bool {
	cl, sv := &c.ep[Client], &c.ep[Server]
	for c.req < c.reqs {
		k := int64(c.req)
		if !c.reqSent {
			c.reqSent = true
			s.sendApp(cl, s.sc.RequestSize)
		}
		if c.responded == c.req && sv.recv >= (k+1)*int64(s.sc.RequestSize) {
			c.responded++
			s.sendApp(sv, s.sc.ResponseSize)
		}
		if cl.recv < (k+1)*int64(s.sc.ResponseSize) || cl.err != nil || sv.err != nil {
			return false
		}
		c.req++
		c.reqSent = false
	}
	return true
}

// sendApp has e send n bytes of the connection's payload.
func (s *sim) sendApp(e *endpoint, n int) {
	if e.err != nil || e.gone || e.hung {
		return
	}
	if cap(s.payload) < n {
		s.payload = make([]byte, n)
	}
	data := fillPayload(s.payload[:n], e.c.idx, e.side, e.sent)
	if s.obs != nil && s.obs.AppData != nil && e.c.idx == s.obsIdx {
		s.obs.AppData(time.Duration(s.now), e.side, data)
	}
	t := s.enter(e)
	out, err := e.m.Send(s.scratch[:0], data)
	s.leave(e, t)
	s.emit(e, out)
	e.sent += int64(n)
	if err != nil {
		s.fail(e, err)
	}
}

// close has e send close_notify and end its side of the transport.
func (s *sim) close(e *endpoint) {
	if e.closeSent || e.err != nil || e.gone || e.hung {
		return
	}
	e.closeSent = true
	t := s.enter(e)
	out := e.m.Close(s.scratch[:0])
	s.leave(e, t)
	s.emit(e, out)
	s.endStream(e)
}

// receiveEOF tells e that its transport has ended.
func (s *sim) receiveEOF(e *endpoint) {
	if e.eof || e.gone || e.hung || e.m == nil {
		return
	}
	e.eof = true
	if e.err != nil {
		return
	}
	if err := e.m.ReceiveEOF(); err != nil {
		s.fail(e, err)
		return
	}
	s.close(e) // a clean end: answer with our own close_notify
}

// fail records e's fatal error; like a real adapter, e then ends its
// transport (after the alert already on the wire).
func (s *sim) fail(e *endpoint, err error) {
	if e.err != nil {
		return
	}
	e.err = err
	e.c.setOutcome(outcomeOf(err, e.side))
	s.endStream(e)
}

// outcomeOf classifies the error that ended side's machine.
func outcomeOf(err error, side Side) Outcome {
	var ae *machine.AlertError
	switch {
	case errors.As(err, &ae) && ae.Remote:
		return Outcome{Kind: Alerted, Alert: ae.Alert, Side: 1 - side}
	case errors.As(err, &ae):
		return Outcome{Kind: Alerted, Alert: ae.Alert, Side: side, Reason: ae.Reason}
	case errors.Is(err, machine.ErrTruncated):
		return Outcome{Kind: Truncated, Side: side}
	}
	return Outcome{Kind: Failed, Side: side, Reason: err.Error()}
}

func (c *conn) setOutcome(o Outcome) {
	if !c.res.outcomeSet {
		c.res.Outcome = o
		c.res.outcomeSet = true
	}
}

// emit accounts for e's output and puts what the fault leaves of it on
// the wire.
func (s *sim) emit(e *endpoint, out []byte) {
	if len(out) == 0 {
		return
	}
	c := e.c
	e.bytes += len(out)
	e.records += countRecords(out)
	if s.obs != nil && s.obs.Send != nil && c.idx == s.obsIdx {
		s.obs.Send(time.Duration(s.now), e.side, out)
	}
	st := &c.dir[e.side]
	if st.fin {
		return // this side's transport has ended: the bytes go nowhere
	}
	f := &noFault
	if c.plan.fault.From == e.side {
		f = &c.plan.fault
	}
	data, cut := st.apply(out, f)
	if st.hit {
		c.res.FaultHit = true
	}
	for mtu := s.sc.Network.MTU; len(data) > 0; {
		n := min(len(data), mtu)
		s.segment(c, e.side, evData, data[:n:n])
		data = data[n:]
	}
	if !cut {
		return
	}
	switch f.Kind {
	case Truncate:
		s.endStream(e)
	case CloseConn:
		s.endStream(e)
		e.gone = true
	case ResetConn:
		st.fin = true
		s.segment(c, e.side, evRST, nil)
		e.gone = true
	case Stall:
		st.fin = true // nothing more, not even a FIN
		e.hung = true
	}
}

var noFault Fault

// endStream ends e's outgoing stream: the peer sees a FIN after the bytes
// in flight.
func (s *sim) endStream(e *endpoint) {
	st := &e.c.dir[e.side]
	if st.fin {
		return
	}
	st.fin = true
	s.segment(e.c, e.side, evFIN, nil)
}

// segment schedules one segment of from's stream: it leaves when the link
// is free and its bits are sent, and arrives a one-way latency plus jitter
// later, never before the segment ahead of it.
func (s *sim) segment(c *conn, from Side, kind evKind, data []byte) {
	st := &c.dir[from]
	net := &s.sc.Network
	depart := max(s.now, st.free) + int64(len(data))*8*int64(time.Second)/net.Bandwidth
	st.free = depart
	at := depart + s.oneWay
	if net.Jitter > 0 {
		at += int64(c.net.Uint64() % uint64(net.Jitter))
	}
	at = max(at, st.last)
	st.last = at
	s.q.push(event{at: at, conn: int32(c.idx), kind: kind, to: 1 - from, data: data})
}

// over reports whether e will do nothing more.
func (e *endpoint) over(c *conn) bool {
	return e.gone || e.m == nil || c.dir[e.side].fin && !e.hung && (e.eof || e.err != nil)
}

// check finishes c once both endpoints are over.
func (s *sim) check(c *conn) {
	if c.phase != phDone && c.ep[Client].over(c) && c.ep[Server].over(c) {
		s.finish(c)
	}
}

// force ends whatever of c is still open after the close phase: the
// endpoints that still wait learn that their transport has ended.
func (s *sim) force(c *conn) {
	for i := range c.ep {
		s.receiveEOF(&c.ep[i])
	}
	s.finish(c)
}

// finish fixes c's result and drops its machines.
func (s *sim) finish(c *conn) {
	if c.phase == phDone {
		return
	}
	cl, sv := &c.ep[Client], &c.ep[Server]
	switch {
	case c.res.outcomeSet:
	case cl.peerClosed && sv.peerClosed && c.idle && cl.err == nil && sv.err == nil:
		c.res.Outcome = Outcome{Kind: OK}
	default:
		c.res.Outcome = Outcome{Kind: Failed, Reason: "ended without an error before its script was done"}
	}
	c.res.Altered = c.altered
	c.res.AppBytes = [2]int64{cl.recv, sv.recv}
	c.res.Sent = [2]int64{int64(cl.bytes), int64(sv.bytes)}
	if !c.idle {
		s.progress()
	}
	c.phase = phDone
	for i := range c.ep {
		c.ep[i].m, c.ep[i].in = nil, nil
	}
	c.session, c.dir[0].dup, c.dir[1].dup = nil, nil, nil
}

// stalled diagnoses c, which cannot make progress: nothing is scheduled.
func (s *sim) stalled(c *conn) {
	if c.res.outcomeSet {
		return
	}
	o := Outcome{Kind: Stalled}
	var waits []string
	for i := range c.ep {
		e := &c.ep[i]
		if e.gone || e.hung || e.err != nil || e.m == nil || e.eof && e.peerClosed {
			continue
		}
		if len(waits) == 0 {
			o.Side = e.side
		}
		waits = append(waits, s.waiting(e))
	}
	for i := range c.ep {
		if c.ep[i].hung {
			waits = append(waits, c.ep[i].side.String()+" hangs (injected stall)")
		}
	}
	o.Waiting = joinSemi(waits)
	c.setOutcome(o)
}

func joinSemi(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += "; "
		}
		out += p
	}
	return out
}

// countRecords counts the records in one machine output by their 5-byte
// headers (RFC 5246, Section 6.2.1: type, version, 16-bit length).
func countRecords(out []byte) int {
	n := 0
	for len(out) >= 5 {
		n++
		l := 5 + (int(out[3])<<8 | int(out[4]))
		if l > len(out) {
			break
		}
		out = out[l:]
	}
	return n
}

// progress counts a connection that finished its script (or ended
// without) and tells Progress about every 1%.
func (s *sim) progress() {
	s.done++
	if s.sc.Progress == nil {
		return
	}
	total := len(s.conns)
	if s.only != nil {
		total = len(s.only)
	}
	if s.done >= s.notify || s.done == total {
		s.sc.Progress(s.done, total)
		s.notify = s.done + max(total/100, 1)
	}
}
