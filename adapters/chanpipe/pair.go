package chanpipe

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/sanstls/sanstls/machine"
)

// An Endpoint is one side of a [Pair]: its machine and what it has seen.
// The Pair updates it; callers read it between steps.
type Endpoint struct {
	// Side says which end this is.
	Side Side
	// Conn is the machine. Use it for State and ExportKeyingMaterial;
	// calling its I/O methods directly bypasses the Pair's accounting.
	Conn *machine.Conn

	// Received is all application data received, copied, in order.
	Received []byte
	// Events lists the kinds of all events received, in order.
	Events []machine.EventKind
	// Warnings lists the non-fatal alerts received.
	Warnings []machine.Alert
	// HandshakeDone and PeerClosed report EventHandshakeDone and
	// EventPeerClosed.
	HandshakeDone, PeerClosed bool
	// EOF reports that the transport toward this side has ended.
	EOF bool
	// Err is the fatal error that stopped the machine (an
	// *machine.AlertError, or machine.ErrTruncated at EOF), or nil.
	Err error

	// RecordsSent and AlertsSent count the records, and the alert records
	// among them, that the machine produced (read from record headers).
	RecordsSent, AlertsSent int
	// BytesSent counts the bytes the machine produced. It is the stream
	// offset that fault options use for the next byte this side sends.
	BytesSent int64

	in      []byte // received bytes not yet consumed by Receive
	out     []byte // scratch output buffer
	verify  *machine.PeerCerts
	cfg     *machine.Config
	ending  bool // this side's outgoing stream ends once its queue drains
	wire    *wire
	queue   []chunk
	eofSent bool // the end of this side's outgoing stream was delivered
}

// chunk is bytes in flight, deliverable from step ready on.
type chunk struct {
	data  []byte
	ready int
}

// A Pair connects a client and a server machine in memory, driven by one
// goroutine, deterministically: each [Pair.Step] delivers at most one
// chunk in each direction, and every choice the fault options make comes
// from a seeded generator. It is not safe for concurrent use.
//
// The machines' own nondeterminism comes from their Config.Rand and
// Config.Time; give them seeded sources for reproducible transcripts.
type Pair struct {
	// Client and Server are the two ends.
	Client, Server *Endpoint

	step int
	log  []byte // transcript: every delivery, encoded
}

// ErrNotQuiescent is returned by [Pair.Run] when the step budget runs out
// with bytes still in flight.
var ErrNotQuiescent = errors.New("chanpipe: pair still active after the step limit")

// NewPair creates the two machines, configures the byte streams between
// them and queues the client's ClientHello. A configuration the machine
// rejects returns a nil Pair; if the ClientHello cannot be produced, the
// Pair is returned with the error so that its state can be inspected.
func NewPair(clientCfg, serverCfg *machine.Config, opts ...Option) (*Pair, error) {
	var set settings
	for _, o := range opts {
		o(&set)
	}
	cm, err := machine.Client(clientCfg)
	if err != nil {
		return nil, fmt.Errorf("chanpipe: client: %w", err)
	}
	sm, err := machine.Server(serverCfg)
	if err != nil {
		return nil, fmt.Errorf("chanpipe: server: %w", err)
	}
	p := &Pair{
		Client: &Endpoint{Side: SideClient, Conn: cm, cfg: clientCfg, wire: newWire(set.seed, SideClient)},
		Server: &Endpoint{Side: SideServer, Conn: sm, cfg: serverCfg, wire: newWire(set.seed, SideServer)},
	}
	p.apply(set)
	out, err := cm.Start(nil)
	p.emit(p.Client, out)
	if err != nil {
		p.fail(p.Client, err)
		return p, err
	}
	return p, nil
}

// Inject adds options after creation, for faults at offsets known only
// once the handshake is done (see [Endpoint.BytesSent]). Chunking and delay
// options replace the previous ones; fault options add to them.
func (p *Pair) Inject(opts ...Option) {
	var set settings
	for _, o := range opts {
		o(&set)
	}
	p.apply(set)
}

func (p *Pair) apply(set settings) {
	p.Client.wire.configure(set.dirs[SideClient])
	p.Server.wire.configure(set.dirs[SideServer])
}

// Endpoint returns the end for side.
func (p *Pair) Endpoint(side Side) *Endpoint {
	if side == SideClient {
		return p.Client
	}
	return p.Server
}

// Steps returns the number of steps run so far.
func (p *Pair) Steps() int { return p.step }

// Send seals data as application data at side and puts the records on the
// wire. It fails with machine.ErrNotReady before the handshake completes.
func (p *Pair) Send(side Side, data []byte) error {
	e := p.Endpoint(side)
	out, err := e.Conn.Send(e.out[:0], data)
	e.out = out[:0]
	p.emit(e, out)
	return err
}

// Close sends close_notify from side and then ends side's outgoing stream:
// the peer sees the end of the transport after the bytes in flight. Side
// can still receive.
func (p *Pair) Close(side Side) {
	e := p.Endpoint(side)
	out := e.Conn.Close(e.out[:0])
	e.out = out[:0]
	p.emit(e, out)
	e.ending = true
}

// Step runs one scheduling step: it resolves deferred verifications queued
// in the previous step, then, client-to-server first, delivers the next
// chunk of each direction if its delay has passed (or the end of the
// stream once a closed direction has drained) and lets the receiver
// process it. Output produced during step t is deliverable at step t+1 at
// the earliest. Step reports whether anything happened or is still in
// flight.
func (p *Pair) Step() bool {
	p.step++
	active := false
	for _, e := range []*Endpoint{p.Client, p.Server} {
		if e.verify != nil {
			p.resolveVerify(e)
			active = true
		}
	}
	for _, from := range []*Endpoint{p.Client, p.Server} {
		to := p.Endpoint(from.Side.peer())
		switch {
		case len(from.queue) > 0 && from.queue[0].ready <= p.step:
			c := from.queue[0]
			from.queue = from.queue[1:]
			p.record(from.Side, c.data, false)
			to.in = append(to.in, c.data...)
			p.pump(to)
			active = true
		case len(from.queue) > 0:
			active = true // held back by a delay
		case from.ending && !from.eofSent:
			from.eofSent = true
			p.record(from.Side, nil, true)
			to.EOF = true
			if err := to.Conn.ReceiveEOF(); err != nil {
				p.fail(to, err)
			}
			active = true
		}
	}
	return active
}

// Run steps until nothing is in flight, or fails with ErrNotQuiescent after
// maxSteps steps.
func (p *Pair) Run(maxSteps int) error {
	for range maxSteps {
		if !p.Step() {
			return nil
		}
	}
	return ErrNotQuiescent
}

// pump lets e's machine consume its buffered bytes until it needs more,
// fails, or pauses for verification.
func (p *Pair) pump(e *Endpoint) {
	for e.Err == nil && e.verify == nil {
		out, n, err := e.Conn.Receive(e.out[:0], e.in)
		e.in = e.in[n:]
		got := p.drain(e) // before the next call overwrites what AppData aliases
		e.out = out[:0]
		p.emit(e, out)
		if err == machine.ErrClosed {
			// Bytes after the peer's close_notify are ignored; that is not
			// a failure of this side.
			e.in = nil
			return
		}
		if err != nil {
			if err != machine.ErrPending {
				p.fail(e, err)
			}
			return
		}
		if !got {
			return // Receive stops early only at an event
		}
	}
}

// drain records e's queued events and reports whether there were any.
func (p *Pair) drain(e *Endpoint) bool {
	got := false
	for {
		ev := e.Conn.NextEvent()
		if ev.Kind == machine.EventNone {
			return got
		}
		got = true
		e.Events = append(e.Events, ev.Kind)
		switch ev.Kind {
		case machine.EventAppData:
			e.Received = append(e.Received, ev.Data...)
		case machine.EventHandshakeDone:
			e.HandshakeDone = true
		case machine.EventPeerClosed:
			e.PeerClosed = true
		case machine.EventWarningAlert:
			e.Warnings = append(e.Warnings, ev.Alert)
		case machine.EventVerifyPeer:
			e.verify = ev.Peer // resolved at the next step
		}
	}
}

// resolveVerify answers a deferred verification one step after it was
// asked for, with the checks the machine runs when DeferVerify is off.
func (p *Pair) resolveVerify(e *Endpoint) {
	pc := e.verify
	e.verify = nil
	chains, verr := e.cfg.VerifyPeerCerts(pc)
	out, err := e.Conn.ResolveVerifyChains(e.out[:0], chains, verr)
	e.out = out[:0]
	p.drain(e)
	p.emit(e, out)
	if err != nil {
		p.fail(e, err)
		return
	}
	p.pump(e)
}

// fail records e's fatal error; like a real adapter, e then closes its
// transport (after the alert already queued).
func (p *Pair) fail(e *Endpoint, err error) {
	if e.Err == nil {
		e.Err = err
	}
	e.ending = true
}

// emit accounts for e's output and puts it on e's wire.
func (p *Pair) emit(e *Endpoint, out []byte) {
	if len(out) == 0 {
		return
	}
	records, alerts := recordStats(out)
	e.RecordsSent += records
	e.AlertsSent += alerts
	e.BytesSent += int64(len(out))
	if e.wire.ended {
		e.wire.off += int64(len(out))
		return
	}
	data, ended := e.wire.apply(nil, out)
	for _, c := range e.wire.chunks(data) {
		e.queue = append(e.queue, chunk{data: c, ready: p.step + 1 + e.wire.delay})
	}
	if ended {
		e.ending = true
	}
}

// record appends a delivery to the transcript: step, sender, whether it is
// the end of the stream, and the bytes.
func (p *Pair) record(from Side, data []byte, eof bool) {
	p.log = binary.AppendUvarint(p.log, uint64(p.step))
	flags := byte(from)
	if eof {
		flags |= 2
	}
	p.log = append(p.log, flags)
	p.log = binary.AppendUvarint(p.log, uint64(len(data)))
	p.log = append(p.log, data...)
}

// Transcript returns every delivery so far, in order, encoded as: step
// (uvarint), a flags byte (bit 0: sent by the server; bit 1: end of
// stream), length (uvarint) and the bytes. Two runs with the same options
// and machine configurations (with seeded Rand and fixed Time) produce the
// same transcript.
func (p *Pair) Transcript() []byte { return p.log }
