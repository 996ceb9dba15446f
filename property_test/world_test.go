package property_test

import (
	"bytes"
	"encoding/binary"
	"errors"

	"pgregory.net/rapid"

	"github.com/sanstls/sanstls/machine"
)

// Wire constants (RFC 5246): record content types (Section 6.2.1), alert
// levels (Section 7.2) and the handshake types the model follows (Section
// 7.4).
const (
	typeCCS       = 20
	typeAlert     = 21
	typeHandshake = 22
	typeAppData   = 23

	levelWarning = 1
	levelFatal   = 2

	hsHelloRequest = 0
	hsClientHello  = 1

	recordHeaderLen = 5
)

// maxConns bounds the connections of one world (each after the first may
// resume the session of the one before).
const maxConns = 3

// maxWarningRun is how many consecutive warning alerts the machine accepts
// before failing with unexpected_message (machine/conn.go, maxWarningAlerts).
const maxWarningRun = 4

const exporterLabel = "EXPERIMENTAL property test"

// tracedAlert is an alert as Config.Trace reported it.
type tracedAlert struct {
	level uint8
	desc  machine.Alert
}

// An endpoint is one side of the connection under test: the machine, the
// bytes around it, and what the model knows and expects of it.
type endpoint struct {
	name   string
	client bool
	conn   *machine.Conn
	peer   *endpoint

	out     []byte // emitted, not yet delivered to the peer
	in      []byte // delivered, not yet consumed by Receive
	ending  bool   // the outgoing transport ends once out drains
	eofSent bool   // and that end has reached the peer

	emitted      int   // bytes emitted
	alertRecords int   // alert records emitted, from the record headers
	err          error // the fatal error, as first returned
	failEmitted  int   // emitted when err was returned
	discarded    int   // bytes emitted after the transport ended

	sent     []byte // application data Send accepted
	received []byte // application data received
	dropped  []byte // bytes received after the peer's close_notify
	events   []machine.EventKind
	dones    int    // EventHandshakeDone count
	exporter []byte // keying material at the last EventHandshakeDone

	sentAlerts, recvAlerts []tracedAlert
	closeNotified          bool // Close emitted close_notify
	peerClosed             bool // EventPeerClosed

	// The renegotiation model.
	inHandshake  bool // a handshake runs (the machine's state is not nil)
	pendingHR    bool // server: HelloRequest sent, no answer yet
	declined     bool // client: the server declined its last renegotiation
	wantHello    bool // client: a ClientHello must answer a HelloRequest
	wantRefusals int  // no_renegotiation warnings the machine owes
	refused      int  // renegotiation requests refused so far
	warnRun      int  // consecutive warning alerts received

	wantFail    machine.Alert // the local failure the model predicts
	wantFailSet bool
}

// A world is a client and a server Config and the connection between them
// that the actions drive; Reconnect replaces the connection, keeping the
// configurations and their session caches.
type world struct {
	t          *rapid.T
	sc         scenario
	ccfg, scfg *machine.Config
	c, s       *endpoint
	conns      int
	cached     string // what the client's session cache holds: "", "ticket" or "id"
	resume     bool   // the current connection must resume
	log        []byte // transcript: every emission and delivery
}

func newWorld(t *rapid.T, sc scenario) *world {
	w := &world{t: t, sc: sc}
	w.ccfg, w.scfg = sc.configs()
	w.ccfg.Trace = func(sent bool, typ machine.ContentType, body []byte) { w.trace(w.c, sent, typ, body) }
	w.scfg.Trace = func(sent bool, typ machine.ContentType, body []byte) { w.trace(w.s, sent, typ, body) }
	w.connect()
	return w
}

func (w *world) fatalf(format string, args ...any) {
	w.t.Helper()
	w.t.Fatalf("[%s, connection %d] "+format, append([]any{w.sc, w.conns}, args...)...)
}

// connect starts a new connection between the two configurations.
func (w *world) connect() {
	w.conns++
	w.resume = w.sc.clientCache &&
		(w.cached == "ticket" && w.sc.tickets || w.cached == "id" && w.sc.sessionCache)
	cm, err := machine.Client(w.ccfg)
	if err != nil {
		w.fatalf("machine.Client: %v", err)
	}
	sm, err := machine.Server(w.scfg)
	if err != nil {
		w.fatalf("machine.Server: %v", err)
	}
	w.c = &endpoint{name: "client", client: true, conn: cm}
	w.s = &endpoint{name: "server", conn: sm}
	w.c.peer, w.s.peer = w.s, w.c
	if a, ok := w.sc.wantFailure(); ok {
		w.s.wantFail, w.s.wantFailSet = a, true
	}
	out, err := cm.Start(nil)
	if err != nil {
		w.fatalf("Start: %v", err)
	}
	if len(out) == 0 {
		w.fatalf("Start emitted nothing")
	}
	w.emit(w.c, out)
}

// trace is Config.Trace of both sides: it follows alerts and the
// renegotiation messages and checks the machine's reactions against the
// model.
func (w *world) trace(e *endpoint, sent bool, typ machine.ContentType, body []byte) {
	switch typ {
	case typeAlert:
		if len(body) != 2 {
			w.fatalf("%s: traced alert body % x", e.name, body)
		}
		a := tracedAlert{body[0], machine.Alert(body[1])}
		if sent {
			e.sentAlerts = append(e.sentAlerts, a)
			if a.level == levelWarning && a.desc == machine.AlertNoRenegotiation {
				if e.wantRefusals == 0 {
					w.fatalf("%s refused a renegotiation the model did not ask it to refuse", e.name)
				}
				e.wantRefusals--
			}
			return
		}
		e.recvAlerts = append(e.recvAlerts, a)
		if a.level != levelWarning || a.desc == machine.AlertCloseNotify {
			return
		}
		if e.warnRun++; e.warnRun > maxWarningRun {
			w.expectFailure(e, machine.AlertUnexpectedMessage)
			return
		}
		// The peer declined the renegotiation this side asked for: the
		// connection goes on as it was.
		if a.desc == machine.AlertNoRenegotiation {
			if e.client && e.inHandshake && e.dones > 0 {
				e.inHandshake, e.declined = false, true
			}
			if !e.client {
				e.pendingHR = false
			}
		}
	case typeCCS:
		if !sent {
			e.warnRun = 0
		}
	case typeHandshake:
		if len(body) == 0 {
			w.fatalf("%s: empty traced handshake message", e.name)
		}
		if !sent {
			e.warnRun = 0
		}
		switch {
		case sent && body[0] == hsClientHello:
			if !e.client {
				w.fatalf("server sent a ClientHello")
			}
			e.wantHello = false
			e.inHandshake = true
		case !sent && e.client && body[0] == hsHelloRequest:
			// RFC 5246, Section 7.4.1.1: ignored during a handshake, and
			// after our close_notify; otherwise the client's policy
			// decides.
			switch {
			case e.inHandshake || e.closeNotified:
			case w.sc.acceptsHelloRequest(e.dones - 1):
				e.wantHello = true
			default:
				w.refuse(e)
			}
		case !sent && !e.client && body[0] == hsClientHello:
			switch {
			case e.inHandshake:
				w.fatalf("server received a ClientHello during a handshake")
			case e.dones > 0 && e.closeNotified && !e.pendingHR:
				// After our close_notify a renegotiation ClientHello is
				// ignored: nothing but alerts may follow it (RFC 5246,
				// Section 7.2.1).
			case e.dones == 0 || e.pendingHR || w.sc.allowClientReneg:
				e.inHandshake, e.pendingHR = true, false
			default:
				w.refuse(e)
			}
		}
	}
}

// expectFailure records that e must now fail locally with alert a.
func (w *world) expectFailure(e *endpoint, a machine.Alert) {
	if e.wantFailSet && e.wantFail != a && e.dones == 0 {
		return // the configuration failure comes first
	}
	e.wantFail, e.wantFailSet = a, true
}

// emit accounts for bytes e's machine produced and puts them on its wire.
// The machine emits whole records only.
func (w *world) emit(e *endpoint, out []byte) {
	if len(out) == 0 {
		return
	}
	if e.err != nil {
		w.fatalf("%s emitted %d bytes after its fatal error %v", e.name, len(out), e.err)
	}
	for rest := out; len(rest) > 0; {
		if len(rest) < recordHeaderLen {
			w.fatalf("%s emitted a partial record header % x", e.name, rest)
		}
		n := recordHeaderLen + int(binary.BigEndian.Uint16(rest[3:5]))
		if n > len(rest) {
			w.fatalf("%s emitted a partial record (%d of %d bytes)", e.name, len(rest), n)
		}
		if rest[0] == typeAlert {
			e.alertRecords++
		} else if e.closeNotified && !(knownBugHandshakeAfterClose && rest[0] != typeAppData) {
			// RFC 5246, Section 7.2.1: close_notify "notifies the recipient
			// that the sender will not send any more messages".
			w.fatalf("%s sent a record of type %d after its close_notify", e.name, rest[0])
		}
		rest = rest[n:]
	}
	e.emitted += len(out)
	w.record('E', e, out)
	if e.eofSent {
		e.discarded += len(out)
		return
	}
	e.out = append(e.out, out...)
}

// record appends an entry to the transcript.
func (w *world) record(tag byte, e *endpoint, data []byte) {
	side := byte('c')
	if !e.client {
		side = 's'
	}
	w.log = append(w.log, tag, side)
	w.log = binary.AppendUvarint(w.log, uint64(len(data)))
	w.log = append(w.log, data...)
}

// fail records e's fatal error and checks that the model allowed it.
func (w *world) fail(e *endpoint, err error) {
	e.err, e.failEmitted, e.ending = err, e.emitted, true
	if got := e.conn.Err(); got != err {
		w.fatalf("%s: Err() = %v, want the returned %v", e.name, got, err)
	}
	var ae *machine.AlertError
	switch {
	case errors.As(err, &ae) && !ae.Remote:
		if !e.wantFailSet {
			w.fatalf("%s failed unexpectedly: %v (reason %q)", e.name, err, ae.Reason)
		}
		if ae.Alert != e.wantFail {
			w.fatalf("%s failed with %v (%v), want %v", e.name, ae.Alert, err, e.wantFail)
		}
	case errors.As(err, &ae):
		sent := false
		for _, a := range e.peer.sentAlerts {
			sent = sent || a.desc == ae.Alert && (a.level == levelFatal || a.desc == machine.AlertCloseNotify)
		}
		if !sent {
			w.fatalf("%s reports remote alert %v, which %s never sent", e.name, ae.Alert, e.peer.name)
		}
	case err == machine.ErrTruncated:
	default:
		w.fatalf("%s failed with %v (%T), neither an *machine.AlertError nor ErrTruncated", e.name, err, err)
	}
}

// pump lets e's machine consume its input until it needs more bytes or
// fails.
func (w *world) pump(e *endpoint) {
	for e.err == nil && len(e.in) > 0 {
		out, n, err := e.conn.Receive(nil, e.in)
		if n < 0 || n > len(e.in) {
			w.fatalf("%s: Receive consumed %d of %d bytes", e.name, n, len(e.in))
		}
		e.in = e.in[n:]
		got := w.drain(e)
		w.emit(e, out)
		if err == machine.ErrClosed {
			// RFC 5246, Section 7.2.1: data after close_notify is ignored.
			if !e.peerClosed {
				w.fatalf("%s: Receive returned ErrClosed before close_notify", e.name)
			}
			if n != 0 || len(out) != 0 {
				w.fatalf("%s: Receive consumed %d and emitted %d bytes with ErrClosed", e.name, n, len(out))
			}
			// The ignored bytes start at a record boundary and stay
			// contiguous, so their record types can be read.
			e.dropped = append(e.dropped, e.in...)
			e.in = nil
			for rest := e.dropped; len(rest) >= recordHeaderLen; {
				if rest[0] == typeAppData {
					w.fatalf("%s sent application data after its close_notify", e.peer.name)
				}
				rest = rest[min(len(rest), recordHeaderLen+int(binary.BigEndian.Uint16(rest[3:5]))):]
			}
			break
		}
		if err != nil {
			w.fail(e, err)
			break
		}
		if !got {
			if complete(e.in) {
				w.fatalf("%s: Receive left a complete record unprocessed", e.name)
			}
			break
		}
	}
	if e.err == nil && (e.wantHello || e.wantRefusals > 0) {
		w.fatalf("%s did not react to a renegotiation request (ClientHello owed: %v, refusals owed: %d)",
			e.name, e.wantHello, e.wantRefusals)
	}
	if e.err == nil && e.wantFailSet && e.wantFail == machine.AlertUnexpectedMessage && e.warnRun > maxWarningRun {
		w.fatalf("%s accepted %d consecutive warning alerts", e.name, e.warnRun)
	}
}

// complete reports whether b starts with a whole record.
func complete(b []byte) bool {
	return len(b) >= recordHeaderLen && len(b) >= recordHeaderLen+int(binary.BigEndian.Uint16(b[3:5]))
}

// drain takes e's queued events and reports whether there were any.
func (w *world) drain(e *endpoint) bool {
	got := false
	for {
		ev := e.conn.NextEvent()
		if ev.Kind == machine.EventNone {
			return got
		}
		got = true
		e.events = append(e.events, ev.Kind)
		switch ev.Kind {
		case machine.EventAppData:
			if len(ev.Data) == 0 {
				w.fatalf("%s: empty EventAppData", e.name)
			}
			e.received = append(e.received, ev.Data...)
			e.warnRun = 0
		case machine.EventHandshakeDone:
			e.dones++
			e.inHandshake, e.declined = false, false
			km, err := e.conn.ExportKeyingMaterial(exporterLabel, nil, 32)
			if err != nil {
				w.fatalf("%s: ExportKeyingMaterial after EventHandshakeDone: %v", e.name, err)
			}
			e.exporter = km
			if e.client {
				w.clientDone(e)
			}
		case machine.EventPeerClosed:
			e.peerClosed = true
		case machine.EventWarningAlert:
			if ev.Alert != machine.AlertNoRenegotiation {
				w.fatalf("%s: unexpected warning alert %v", e.name, ev.Alert)
			}
		default:
			w.fatalf("%s: unexpected event %v", e.name, ev.Kind)
		}
	}
}

// clientDone updates the model of the client's session cache after the
// client completed a handshake (machine/client.go storeSession): a full
// first handshake stores a ticket if the server issues them (the client
// asks for them whenever it has a cache), else a session ID if the server
// keeps a session cache, else nothing; a resumption keeps the session; a
// renegotiation neither offers nor replaces it.
func (w *world) clientDone(e *endpoint) {
	switch {
	case !w.sc.clientCache:
		w.cached = ""
	case e.dones > 1, w.resume:
	case w.sc.tickets:
		w.cached = "ticket"
	case w.sc.sessionCache:
		w.cached = "id"
	default:
		w.cached = ""
	}
}

// deliverEOF ends the transport toward e.
func (w *world) deliverEOF(e *endpoint) {
	err := e.conn.ReceiveEOF()
	switch {
	case err == nil:
		if !e.peerClosed {
			w.fatalf("%s: ReceiveEOF returned nil without close_notify", e.name)
		}
	case e.err != nil:
		if err != e.err {
			w.fatalf("%s: ReceiveEOF returned %v, want the sticky %v", e.name, err, e.err)
		}
	case e.peerClosed:
		w.fatalf("%s: ReceiveEOF after close_notify returned %v", e.name, err)
	case err != machine.ErrTruncated:
		w.fatalf("%s: ReceiveEOF without close_notify returned %v, want ErrTruncated", e.name, err)
	default:
		w.fail(e, err)
	}
}

// quiet reports whether nothing is in flight in either direction.
func (w *world) quiet() bool {
	for _, e := range []*endpoint{w.c, w.s} {
		if len(e.out) > 0 || e.ending && !e.eofSent {
			return false
		}
	}
	return true
}

func isLocal(err error) (*machine.AlertError, bool) {
	var ae *machine.AlertError
	if errors.As(err, &ae) && !ae.Remote {
		return ae, true
	}
	return nil, false
}

func isRemote(err error, a machine.Alert) bool {
	var ae *machine.AlertError
	return errors.As(err, &ae) && ae.Remote && ae.Alert == a
}

// check holds the invariants that hold after every action.
func (w *world) check() {
	for _, e := range []*endpoint{w.c, w.s} {
		w.checkEndpoint(e)
	}
	if w.quiet() {
		w.checkQuiet()
	}
}

func (w *world) checkEndpoint(e *endpoint) {
	// Application data: a prefix of what the peer sent, so in order, never
	// altered, never duplicated.
	if !bytes.HasPrefix(e.peer.sent, e.received) {
		i := 0
		for i < len(e.received) && i < len(e.peer.sent) && e.received[i] == e.peer.sent[i] {
			i++
		}
		w.fatalf("%s received %d bytes that are not a prefix of the %d %s sent (first difference at %d)",
			e.name, len(e.received), len(e.peer.sent), e.peer.name, i)
	}
	// Events: HandshakeDone before any AppData; PeerClosed once, last.
	done := false
	for i, k := range e.events {
		switch k {
		case machine.EventHandshakeDone:
			done = true
		case machine.EventAppData:
			if !done {
				w.fatalf("%s: AppData before HandshakeDone: %v", e.name, e.events)
			}
		case machine.EventPeerClosed:
			if !done || i != len(e.events)-1 {
				w.fatalf("%s: PeerClosed not last, or before HandshakeDone: %v", e.name, e.events)
			}
		}
	}
	// Alerts: the wire and Trace agree; one fatal alert exactly when the
	// side failed locally, matching its error and sent last; one
	// close_notify exactly when Close emitted it.
	if e.alertRecords != len(e.sentAlerts) {
		w.fatalf("%s emitted %d alert records but traced %d alerts", e.name, e.alertRecords, len(e.sentAlerts))
	}
	fatal, closes := 0, 0
	for _, a := range e.sentAlerts {
		if a.level == levelFatal {
			fatal++
		}
		if a.desc == machine.AlertCloseNotify {
			closes++
		}
	}
	if ae, local := isLocal(e.err); local {
		last := e.sentAlerts[len(e.sentAlerts)-1]
		if fatal != 1 || last.level != levelFatal || last.desc != ae.Alert {
			w.fatalf("%s failed with %v but sent alerts %v", e.name, ae.Alert, e.sentAlerts)
		}
	} else if fatal != 0 {
		w.fatalf("%s sent a fatal alert (%v) but its error is %v", e.name, e.sentAlerts, e.err)
	}
	if closes != 0 && (closes != 1 || !e.closeNotified) {
		w.fatalf("%s sent %d close_notify alerts (Close called: %v)", e.name, closes, e.closeNotified)
	}
	// After a fatal error nothing is emitted, and the error is sticky.
	if e.err != nil && e.emitted != e.failEmitted {
		w.fatalf("%s emitted %d bytes after failing", e.name, e.emitted-e.failEmitted)
	}
	if got := e.conn.Err(); got != e.err {
		w.fatalf("%s: Err() = %v, want %v", e.name, got, e.err)
	}
	if e.conn.HandshakeComplete() != (e.dones > 0) {
		w.fatalf("%s: HandshakeComplete() = %v after %d HandshakeDone events", e.name, e.conn.HandshakeComplete(), e.dones)
	}
}

// checkQuiet holds the invariants of a pair with nothing in flight: both
// sides agree on the handshake, or both failed; all data arrived.
func (w *world) checkQuiet() {
	c, s := w.c, w.s
	for _, e := range []*endpoint{c, s} {
		if e.err == nil && len(e.in) > 0 {
			w.fatalf("%s holds %d bytes of an incomplete record with nothing in flight", e.name, len(e.in))
		}
		if e.err != nil && e.peer.err == nil && !e.peer.peerClosed {
			w.fatalf("%s failed (%v) but %s did not", e.name, e.err, e.peer.name)
		}
		if e.err == nil && !bytes.Equal(e.received, e.peer.sent) {
			w.fatalf("%s received %d bytes, %s sent %d", e.name, len(e.received), e.peer.name, len(e.peer.sent))
		}
	}
	closed := c.closeNotified || s.closeNotified
	if a, ok := w.sc.wantFailure(); ok && !closed {
		if ae, local := isLocal(s.err); !local || ae.Alert != a {
			w.fatalf("server error %v, want a local %v", s.err, a)
		}
		if !isRemote(c.err, a) {
			w.fatalf("client error %v, want remote %v", c.err, a)
		}
		return
	}
	if c.err != nil || s.err != nil || closed {
		return
	}
	// Both alive and open: the same handshake, complete, on both sides.
	if c.dones == 0 || c.dones != s.dones {
		w.fatalf("handshakes completed: client %d, server %d", c.dones, s.dones)
	}
	if s.inHandshake || c.inHandshake {
		w.fatalf("a handshake is stalled (client %v, server %v)", c.inHandshake, s.inHandshake)
	}
	if s.pendingHR {
		w.fatalf("the server's HelloRequest went unanswered")
	}
	w.compareStates()
}

// compareStates checks both sides' ConnectionState against each other and
// the scenario, and that they export the same keying material.
func (w *world) compareStates() {
	c, s := w.c, w.s
	cs, ss := c.conn.State(), s.conn.State()
	resumed := c.dones == 1 && w.resume
	for _, x := range []struct {
		name      string
		st        machine.ConnectionState
		peerLeaf  []byte
		ownerName string
	}{{"client", cs, w.sc.serverLeaf(), "server"}, {"server", ss, nil, "client"}} {
		st := x.st
		switch {
		case !st.HandshakeComplete || st.Version != 0x0303:
			w.fatalf("%s: HandshakeComplete %v, version %#x", x.name, st.HandshakeComplete, st.Version)
		case st.CipherSuite != w.sc.suite.ID:
			w.fatalf("%s: suite %#04x, want %#04x", x.name, st.CipherSuite, w.sc.suite.ID)
		case st.Group != w.sc.group:
			w.fatalf("%s: group %v, want %v", x.name, st.Group, w.sc.group)
		case st.NegotiatedProtocol != w.sc.alpn() && !(knownBugRenegotiationALPN && x.name == "server" && c.dones > 1):
			w.fatalf("%s: ALPN %q, want %q", x.name, st.NegotiatedProtocol, w.sc.alpn())
		case st.ServerName != serverName:
			w.fatalf("%s: server name %q", x.name, st.ServerName)
		case !st.ExtendedMasterSecret || !st.SecureRenegotiation:
			w.fatalf("%s: EMS %v, secure renegotiation %v", x.name, st.ExtendedMasterSecret, st.SecureRenegotiation)
		case st.DidResume != resumed:
			w.fatalf("%s: DidResume %v, want %v (cache held %q)", x.name, st.DidResume, resumed, w.cached)
		case st.Renegotiations != c.dones-1:
			w.fatalf("%s: %d renegotiations, want %d", x.name, st.Renegotiations, c.dones-1)
		}
	}
	if len(cs.PeerCertificates) == 0 || !bytes.Equal(cs.PeerCertificates[0].Raw, w.sc.serverLeaf()) {
		w.fatalf("client: wrong server certificate")
	}
	wantClient := w.sc.clientLeaf()
	if w.sc.clientAuth == machine.NoClientCert {
		wantClient = nil
	}
	switch {
	case wantClient == nil && len(ss.PeerCertificates) != 0:
		w.fatalf("server: %d client certificates, want none", len(ss.PeerCertificates))
	case wantClient != nil && (len(ss.PeerCertificates) == 0 || !bytes.Equal(ss.PeerCertificates[0].Raw, wantClient)):
		w.fatalf("server: wrong client certificate")
	}
	if c.declined && knownBugRenegotiationState {
		return // the declined ClientHello replaced the client random
	}
	for _, e := range []*endpoint{c, s} {
		w.checkExporter(e)
	}
	if !bytes.Equal(c.exporter, s.exporter) {
		w.fatalf("exported keying material differs: client %x, server %x", c.exporter, s.exporter)
	}
}

// maxRefusals is how many renegotiation requests a machine refuses with a
// warning; the next one is fatal (machine/guard.go).
const maxRefusals = 4

// refuse records a renegotiation request e must refuse.
func (w *world) refuse(e *endpoint) {
	if e.refused++; e.refused > maxRefusals {
		w.expectFailure(e, machine.AlertUnexpectedMessage)
		return
	}
	e.wantRefusals++
}
