package property_test

import (
	"bytes"
	"fmt"

	"pgregory.net/rapid"

	"github.com/sanstls/sanstls/machine"
)

// The knownBug constants relax checks that fail on machine bugs reported
// with the property tests (each with a proposed patch); set one to false
// once its bug is fixed.
//
// knownBugHandshakeAfterClose relaxes the rule that a side sends nothing
// but alerts after its close_notify (RFC 5246, Section 7.2.1) to "no
// application data": a Close in the middle of a handshake does not stop
// it, so a side may still send its next flight. (A ClientHello arriving
// after the server's Close is ignored since the fix for this report; the
// remaining case needs a decision on whether Close mid-handshake is
// terminal.)
const knownBugHandshakeAfterClose = true

// knownBugRenegotiationState skips the check that exported keying material
// is that of the last completed handshake after the server declined a
// client's renegotiation: the client keeps the random of the declined
// ClientHello, so both sides export different keys.
const knownBugRenegotiationState = false

// knownBugRenegotiationALPN skips the check that the server still reports
// the ALPN protocol of the first handshake after a renegotiation: the
// client no longer offers ALPN when it renegotiates, and the server then
// resets NegotiatedProtocol to "" while the client keeps it.
const knownBugRenegotiationALPN = false

// An op is one action on a world, with its parameters drawn up front so that
// a sequence of ops can be replayed on a second world (determinism).
type op struct {
	kind   string
	server bool   // the side acted on
	n      int    // Send: length; Deliver, DeliverAll: chunk size; Close: 0 to act
	seed   uint64 // Send: payload seed
}

func (o op) String() string {
	side := "client"
	if o.server {
		side = "server"
	}
	return fmt.Sprintf("%s(%s, %d, %d)", o.kind, side, o.n, o.seed)
}

// opKinds are the actions of TestPairStateMachine.
var opKinds = []string{"Send", "Deliver", "DeliverAll", "Renegotiate", "Close", "Reconnect", "Poke"}

// drawOp draws the parameters of an op of the given kind.
func drawOp(t *rapid.T, kind string) op {
	o := op{kind: kind}
	switch kind {
	case "Send":
		o.server = rapid.Bool().Draw(t, "server")
		o.n = rapid.IntRange(0, 40000).Draw(t, "len")
		o.seed = rapid.Uint64().Draw(t, "dataSeed")
	case "Deliver":
		o.server = rapid.Bool().Draw(t, "from server")
		o.n = rapid.IntRange(1, 1<<15).Draw(t, "chunk")
	case "DeliverAll":
		o.n = rapid.IntRange(1, 1<<15).Draw(t, "chunk")
	case "Renegotiate", "Poke":
		o.server = rapid.Bool().Draw(t, "server")
	case "Close":
		// Close ends a connection's story early, so most draws skip it.
		o.server = rapid.Bool().Draw(t, "server")
		o.n = rapid.IntRange(0, 3).Draw(t, "skip")
	}
	return o
}

// actions returns the t.Repeat actions on w; "" checks the invariants.
func (w *world) actions() map[string]func(*rapid.T) {
	m := map[string]func(*rapid.T){"": func(*rapid.T) { w.check() }}
	for _, k := range opKinds {
		m[k] = func(t *rapid.T) { w.apply(drawOp(t, k)) }
	}
	return m
}

func (w *world) side(server bool) *endpoint {
	if server {
		return w.s
	}
	return w.c
}

// apply runs one op.
func (w *world) apply(o op) {
	e := w.side(o.server)
	switch o.kind {
	case "Send":
		w.send(e, payload(o.n, o.seed))
	case "Deliver":
		w.deliver(e, o.n)
	case "DeliverAll":
		w.deliverAll(o.n)
	case "Renegotiate":
		w.renegotiate(e)
	case "Close":
		if o.n == 0 {
			w.close(e)
		}
	case "Reconnect":
		w.reconnect()
	case "Poke":
		w.poke(e)
	default:
		w.fatalf("unknown op %v", o)
	}
}

// send calls Send and checks its outcome against the model: data flows
// once a handshake has completed (during a renegotiation too, under the old
// keys) until Close.
func (w *world) send(e *endpoint, data []byte) {
	out, err := e.conn.Send(nil, data)
	switch {
	case e.err != nil:
		if err != e.err || len(out) != 0 {
			w.fatalf("%s: Send after failure: %d bytes, %v; want nothing, %v", e.name, len(out), err, e.err)
		}
		return
	case e.dones == 0:
		if err != machine.ErrNotReady || len(out) != 0 {
			w.fatalf("%s: Send before the handshake: %d bytes, %v; want ErrNotReady", e.name, len(out), err)
		}
		return
	case e.closeNotified:
		if err != machine.ErrClosed || len(out) != 0 {
			w.fatalf("%s: Send after Close: %d bytes, %v; want ErrClosed", e.name, len(out), err)
		}
		return
	case err != nil:
		w.fatalf("%s: Send(%d bytes): %v", e.name, len(data), err)
	case len(data) > 0 && len(out) <= len(data):
		w.fatalf("%s: Send(%d bytes) emitted %d", e.name, len(data), len(out))
	}
	e.sent = append(e.sent, data...)
	w.emit(e, out)
}

// deliver moves up to n in-flight bytes from one side to the other, or the
// end of the transport once a closed direction has drained.
func (w *world) deliver(from *endpoint, n int) {
	to := from.peer
	switch {
	case len(from.out) > 0:
		k := min(n, len(from.out))
		chunk := from.out[:k]
		from.out = from.out[k:]
		w.record('D', from, chunk)
		if to.err != nil {
			return // a failed side reads no more
		}
		to.in = append(to.in, chunk...)
		w.pump(to)
	case from.ending && !from.eofSent:
		from.eofSent = true
		w.record('F', from, nil)
		w.deliverEOF(to)
	}
}

// deliverAll delivers in chunks of at most n bytes, alternating directions,
// until nothing is in flight.
func (w *world) deliverAll(n int) {
	for range 1 << 22 {
		if w.quiet() {
			return
		}
		w.deliver(w.c, n)
		w.deliver(w.s, n)
	}
	w.fatalf("the pair is still active after %d deliveries", 1<<23)
}

// renegotiate calls Renegotiate, which the model allows on a live, open
// connection with no handshake running.
func (w *world) renegotiate(e *endpoint) {
	ok := e.err == nil && e.dones > 0 && !e.inHandshake && !e.pendingHR && !e.closeNotified && !e.peerClosed
	out, err := e.conn.Renegotiate(nil)
	switch {
	case e.err != nil:
		if err != e.err || len(out) != 0 {
			w.fatalf("%s: Renegotiate after failure: %d bytes, %v", e.name, len(out), err)
		}
	case !ok:
		if err != machine.ErrWrongState || len(out) != 0 {
			w.fatalf("%s: Renegotiate (done %d, in handshake %v, HelloRequest pending %v, closed %v/%v): %d bytes, %v; want ErrWrongState",
				e.name, e.dones, e.inHandshake, e.pendingHR, e.closeNotified, e.peerClosed, len(out), err)
		}
	case err != nil || len(out) == 0:
		w.fatalf("%s: Renegotiate: %d bytes, %v", e.name, len(out), err)
	default:
		if !e.client {
			e.pendingHR = true
		} else if !e.inHandshake {
			w.fatalf("client: Renegotiate traced no ClientHello")
		}
		w.emit(e, out)
	}
}

// close calls Close, which emits close_notify once on a live connection,
// and ends e's outgoing transport after it (e can still receive).
func (w *world) close(e *endpoint) {
	out := e.conn.Close(nil)
	if e.err != nil || e.closeNotified {
		if len(out) != 0 {
			w.fatalf("%s: Close emitted %d bytes (failed: %v, closed before: %v)", e.name, len(out), e.err, e.closeNotified)
		}
		return
	}
	if len(out) == 0 {
		w.fatalf("%s: Close emitted nothing", e.name)
	}
	w.emit(e, out)
	e.closeNotified, e.ending = true, true
}

// reconnect lets the connection settle, checks it, and starts the next
// one with the same configurations, which may resume.
func (w *world) reconnect() {
	if w.conns >= maxConns {
		return
	}
	w.deliverAll(1 << 16)
	w.check()
	w.connect()
}

// poke calls the methods that must do nothing: on a failed side every one
// returns the sticky error and emits nothing; on a live one Start and
// ResolveVerify are out of place, an empty Receive waits, and exported
// keying material only changes when a handshake completes.
func (w *world) poke(e *endpoint) {
	junk := []byte{typeAppData, 3, 3, 0, 1, 0}
	if e.err != nil {
		outs := make([][]byte, 0, 5)
		var errs []error
		out, err := e.conn.Send(nil, []byte("x"))
		outs, errs = append(outs, out), append(errs, err)
		out, err = e.conn.Renegotiate(nil)
		outs, errs = append(outs, out), append(errs, err)
		out, _, err = e.conn.Receive(nil, junk)
		outs, errs = append(outs, out), append(errs, err)
		out, err = e.conn.ResolveVerify(nil, nil)
		outs, errs = append(outs, out), append(errs, err)
		outs = append(outs, e.conn.Close(nil))
		for i, err := range errs {
			if err != e.err {
				w.fatalf("%s: call %d after failure returned %v, want %v", e.name, i, err, e.err)
			}
		}
		for i, out := range outs {
			if len(out) != 0 {
				w.fatalf("%s: call %d after failure emitted %d bytes", e.name, i, len(out))
			}
		}
		if _, err := e.conn.ExportKeyingMaterial(exporterLabel, nil, 32); err != e.err {
			w.fatalf("%s: ExportKeyingMaterial after failure: %v", e.name, err)
		}
		if ev := e.conn.NextEvent(); ev.Kind != machine.EventNone {
			w.fatalf("%s: event %v after failure", e.name, ev.Kind)
		}
		return
	}
	if out, err := e.conn.Start(nil); err != machine.ErrWrongState || len(out) != 0 {
		w.fatalf("%s: Start on a started Conn: %d bytes, %v", e.name, len(out), err)
	}
	if out, err := e.conn.ResolveVerify(nil, nil); err != machine.ErrWrongState || len(out) != 0 {
		w.fatalf("%s: ResolveVerify with nothing pending: %d bytes, %v", e.name, len(out), err)
	}
	if out, n, err := e.conn.Receive(nil, nil); err != nil || n != 0 || len(out) != 0 {
		w.fatalf("%s: empty Receive: %d bytes, consumed %d, %v", e.name, len(out), n, err)
	}
	w.checkExporter(e)
}

// checkExporter checks that e exports the keying material of its last
// completed handshake, or none (ErrNotReady) before the first handshake
// completes or while a renegotiation runs: never anything else.
func (w *world) checkExporter(e *endpoint) {
	km, err := e.conn.ExportKeyingMaterial(exporterLabel, nil, 32)
	renegotiating := e.dones > 0 && (e.inHandshake || e.pendingHR)
	switch {
	case err == nil && e.dones > 0 && bytes.Equal(km, e.exporter):
	case err == machine.ErrNotReady && (e.dones == 0 || renegotiating):
	case knownBugRenegotiationState && e.declined:
	default:
		w.fatalf("%s: ExportKeyingMaterial (renegotiating %v) = %x, %v; at the last HandshakeDone it was %x",
			e.name, renegotiating, km, err, e.exporter)
	}
}
