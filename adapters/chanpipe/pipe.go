package chanpipe

import (
	"errors"
	"fmt"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// A Pipe connects a client and a server machine through Go channels that
// carry []byte chunks, with the fault options of a [Pair]. Each end runs
// in its own goroutine and each direction has a goroutine that forwards
// chunks (holding each for the delay, WithDelay's k in milliseconds).
// Scheduling is up to the Go runtime, so unlike a Pair a Pipe is not
// deterministic in timing; the bytes of each direction are (chunk sizes and
// random faults come from a generator per direction).
type Pipe struct {
	// Client and Server are the two ends.
	Client, Server *PipeEnd
}

// A PipeEnd is one end of a [Pipe]. Its methods are safe for concurrent
// use.
type PipeEnd struct {
	side Side
	conn *machine.Conn
	cfg  *machine.Config
	wire *wire
	cmds chan pipeCmd
	in   <-chan []byte // from the peer's link; closed when the peer's stream ends
	src  chan []byte   // to this end's link; closed when this end's stream ends
	done chan struct{}

	// Owned by the goroutine until done is closed.
	received []byte
	err      error
}

type pipeCmd struct {
	data  []byte
	close bool
}

// ErrPipeDone is returned by [PipeEnd.Send] after the end has stopped.
var ErrPipeDone = errors.New("chanpipe: pipe end has stopped")

// NewPipe creates both machines and starts the goroutines; the client sends
// its ClientHello at once.
func NewPipe(clientCfg, serverCfg *machine.Config, opts ...Option) (*Pipe, error) {
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
	ends := [2]*PipeEnd{}
	for i, m := range []*machine.Conn{cm, sm} {
		side := Side(i)
		w := newWire(set.seed, side)
		w.configure(set.dirs[side])
		cfg := clientCfg
		if side == SideServer {
			cfg = serverCfg
		}
		ends[i] = &PipeEnd{side: side, conn: m, cfg: cfg, wire: w,
			cmds: make(chan pipeCmd), src: make(chan []byte), done: make(chan struct{})}
	}
	for i, e := range ends {
		peer := ends[1-i]
		toPeer := make(chan []byte)
		peer.in = toPeer
		go link(e.src, toPeer, peer.done, time.Duration(e.wire.delay)*time.Millisecond)
	}
	for _, e := range ends {
		go e.run()
	}
	return &Pipe{Client: ends[SideClient], Server: ends[SideServer]}, nil
}

// Send queues data to be sent as application data once the handshake has
// completed. It returns ErrPipeDone if the end has stopped.
func (e *PipeEnd) Send(data []byte) error {
	select {
	case e.cmds <- pipeCmd{data: append([]byte(nil), data...)}:
		return nil
	case <-e.done:
		return ErrPipeDone
	}
}

// Close asks the end to send close_notify after the queued data, then end
// its outgoing stream. The end stops once the peer's stream has ended too.
func (e *PipeEnd) Close() {
	select {
	case e.cmds <- pipeCmd{close: true}:
	case <-e.done:
	}
}

// Done is closed when the end has stopped: both its streams have ended, or
// its machine failed.
func (e *PipeEnd) Done() <-chan struct{} { return e.done }

// Wait blocks until the end has stopped and returns the application data it
// received and the error that stopped it (nil after a clean close in both
// directions).
func (e *PipeEnd) Wait() (received []byte, err error) {
	<-e.done
	return e.received, e.err
}

// run is the end's goroutine: it owns the machine.
func (e *PipeEnd) run() {
	defer close(e.done)
	outEnded := false
	endOut := func() {
		if !outEnded {
			outEnded = true
			close(e.src)
		}
	}
	defer endOut()
	emit := func(out []byte) {
		if outEnded || len(out) == 0 {
			return
		}
		data, ended := e.wire.apply(nil, out)
		for _, c := range e.wire.chunks(data) {
			e.src <- c // the link always accepts
		}
		if ended {
			endOut()
		}
	}
	if e.side == SideClient {
		out, err := e.conn.Start(nil)
		emit(out)
		if err != nil {
			e.err = err
			return
		}
	}
	var buf, pending []byte
	closing := false
	in := e.in
	for e.err == nil && (!outEnded || in != nil) {
		select {
		case c, ok := <-in:
			if !ok {
				in = nil
				e.err = e.conn.ReceiveEOF()
				break
			}
			buf = e.pump(append(buf, c...), emit)
		case cmd := <-e.cmds:
			closing = closing || cmd.close
			pending = append(pending, cmd.data...)
		}
		if e.err != nil || !e.conn.HandshakeComplete() {
			continue
		}
		if len(pending) > 0 {
			out, err := e.conn.Send(nil, pending)
			pending = nil
			emit(out)
			e.err = err
		}
		if closing && e.err == nil && !outEnded {
			emit(e.conn.Close(nil))
			endOut()
		}
	}
}

// pump lets the machine consume buf, verifying deferred chains inline (the
// end's goroutine is already off any caller's path), and returns what is
// left of buf.
func (e *PipeEnd) pump(buf []byte, emit func([]byte)) []byte {
	for e.err == nil {
		out, n, err := e.conn.Receive(nil, buf)
		buf = buf[n:]
		got, pc := e.drain()
		emit(out)
		if err != nil && err != machine.ErrPending {
			e.err = err
			return buf
		}
		if pc != nil {
			chains, verr := e.cfg.VerifyPeerCerts(pc)
			out, err := e.conn.ResolveVerifyChains(nil, chains, verr)
			e.drain()
			emit(out)
			e.err = err
			continue
		}
		if !got {
			return buf
		}
	}
	return buf
}

// drain copies received application data and returns whether any event
// was queued and the peer chain of an EventVerifyPeer.
func (e *PipeEnd) drain() (got bool, pc *machine.PeerCerts) {
	for {
		ev := e.conn.NextEvent()
		switch ev.Kind {
		case machine.EventNone:
			return got, pc
		case machine.EventAppData:
			e.received = append(e.received, ev.Data...)
		case machine.EventVerifyPeer:
			pc = ev.Peer
		}
		got = true
	}
}

// link forwards chunks from src to dst in order, each no earlier than delay
// after it arrived, and closes dst when src is closed and drained. Once the
// receiving end has stopped it discards chunks, still draining src so the
// sender never blocks.
func link(src <-chan []byte, dst chan<- []byte, recvDone <-chan struct{}, delay time.Duration) {
	type item struct {
		data []byte
		due  time.Time
	}
	var q []item
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for src != nil || (len(q) > 0 && dst != nil) {
		var out chan<- []byte
		var head []byte
		var wake <-chan time.Time
		if len(q) > 0 && dst != nil {
			if wait := time.Until(q[0].due); wait > 0 {
				timer.Reset(wait)
				wake = timer.C
			} else {
				out, head = dst, q[0].data
			}
		}
		select {
		case c, ok := <-src:
			if !ok {
				src = nil
				continue
			}
			q = append(q, item{c, time.Now().Add(delay)})
		case out <- head:
			q = q[1:]
		case <-wake:
		case <-recvDone:
			recvDone, dst, q = nil, nil, nil
		}
	}
	if dst != nil {
		close(dst)
	}
}
