package main

// The event loop that drives one machine.Conn over a net.Conn for the
// client and the server. It is the loop the machine package describes: one
// goroutine owns the machine; received bytes are fed to Receive until it
// makes no more progress; each event is handled before the next call (an
// application-data event aliases the input); output goes to the socket
// before anything else happens, so that close_notify is never lost; the
// output buffer never overlaps unread input. A second goroutine only reads
// the socket and hands chunks over a channel, so that the loop can also
// wait for stdin or a timer. (The netconn adapter has no way to start a
// renegotiation, which both commands need.)

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// writeTimeout bounds one write to the socket: a peer that reads nothing
// for this long is gone.
const writeTimeout = 30 * time.Second

// tlsConn is one TLS connection and its event loop state.
type tlsConn struct {
	nc  net.Conn
	m   *machine.Conn
	obs *observer

	pending []byte      // received bytes the machine has not consumed
	out     []byte      // output scratch; never aliases pending
	chunks  chan []byte // socket data from readLoop; closed at the end
	readErr error       // why readLoop ended; set before chunks is closed
	stop    chan struct{}
	gotData bool // any byte arrived

	handshakes int  // completed handshakes: 1 + renegotiations
	peerClosed bool // close_notify received
	closeSent  bool // close_notify sent

	// Callbacks, called from the loop.
	onData      func(p []byte) error // application data (p is valid during the call); see setOnData
	held        []byte               // application data received while onData was nil
	onHandshake func()               // each completed handshake
	onWarning   func(machine.Alert)  // warning alerts other than close_notify
}

// newTLSConn starts the reader goroutine of nc; close ends it.
func newTLSConn(nc net.Conn, m *machine.Conn, obs *observer) *tlsConn {
	c := &tlsConn{nc: nc, m: m, obs: obs, chunks: make(chan []byte, 4), stop: make(chan struct{})}
	go c.readLoop()
	return c
}

func (c *tlsConn) readLoop() {
	defer close(c.chunks)
	for {
		buf := make([]byte, 16<<10)
		n, err := c.nc.Read(buf)
		if n > 0 {
			select {
			case c.chunks <- buf[:n]:
			case <-c.stop:
				return
			}
		}
		if err != nil {
			c.readErr = err
			return
		}
	}
}

// close closes the socket (after the output already written) and ends the
// reader.
func (c *tlsConn) close() {
	close(c.stop)
	c.nc.Close()
}

// write sends output to the peer.
func (c *tlsConn) write(out []byte) error {
	if len(out) > 0 {
		_ = c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := c.nc.Write(out); err != nil {
			return err
		}
	}
	c.out = out[:0]
	return nil
}

// feed hands received bytes to the machine, writes what it produces and
// handles its events, until it needs more input.
func (c *tlsConn) feed(chunk []byte) error {
	c.gotData = true
	c.pending = append(c.pending, chunk...)
	for {
		out, n, err := c.m.Receive(c.out[:0], c.pending)
		c.pending = c.pending[n:]
		// Alerts and handshake messages go out even when Receive failed:
		// the fatal alert is in out.
		if werr := c.write(out); werr != nil && err == nil {
			err = werr
		}
		progress := n > 0
		for ev := c.m.NextEvent(); ev.Kind != machine.EventNone; ev = c.m.NextEvent() {
			progress = true
			if herr := c.handle(ev); herr != nil {
				return herr
			}
		}
		if err != nil {
			return err
		}
		if c.peerClosed || !progress || len(c.pending) == 0 {
			return nil
		}
	}
}

func (c *tlsConn) handle(ev machine.Event) error {
	switch ev.Kind {
	case machine.EventHandshakeDone:
		c.handshakes++
		c.obs.handshakeDone()
		if c.onHandshake != nil {
			c.onHandshake()
		}
	case machine.EventAppData:
		if c.onData == nil {
			// Data right behind the peer's last handshake message (a
			// client's Finished in an abbreviated handshake) can arrive
			// before the caller has set onData: keep it for setOnData.
			c.held = append(c.held, ev.Data...)
			return nil
		}
		return c.onData(ev.Data)
	case machine.EventPeerClosed:
		c.peerClosed = true
	case machine.EventWarningAlert:
		if c.onWarning != nil {
			c.onWarning(ev.Alert)
		}
	}
	return nil
}

// setOnData installs the application data handler and hands it what
// arrived before.
func (c *tlsConn) setOnData(f func(p []byte) error) error {
	c.onData = f
	if len(c.held) > 0 && f != nil {
		held := c.held
		c.held = nil
		return f(held)
	}
	return nil
}

// eof tells the machine the socket has ended: nil after close_notify,
// otherwise the truncation or the read error.
func (c *tlsConn) eof() error {
	if err := c.m.ReceiveEOF(); err != nil {
		if c.readErr != nil && !isConnectionEnd(c.readErr) {
			return c.readErr
		}
		return err
	}
	return nil
}

// send seals p as application data.
func (c *tlsConn) send(p []byte) error {
	out, err := c.m.Send(c.out[:0], p)
	if werr := c.write(out); werr != nil && err == nil {
		err = werr
	}
	return err
}

// closeNotify sends close_notify once.
func (c *tlsConn) closeNotify() error {
	if c.closeSent {
		return nil
	}
	c.closeSent = true
	return c.write(c.m.Close(c.out[:0]))
}

// renegotiate starts a renegotiation (client: a ClientHello; server: a
// HelloRequest).
func (c *tlsConn) renegotiate() error {
	out, err := c.m.Renegotiate(c.out[:0])
	if werr := c.write(out); werr != nil && err == nil {
		err = werr
	}
	return err
}

// errTimeout reports a handshake that made no progress in time.
var errTimeout = errors.New("timed out")

// runUntil runs the loop on socket input alone until done reports true,
// the connection ends, or timeout passes without the peer sending
// anything (the limit restarts with every chunk received, so a slow but
// live peer is not cut off). It returns a *peerEndedError if the peer
// ended the connection first.
func (c *tlsConn) runUntil(done func() bool, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for !done() {
		select {
		case chunk, ok := <-c.chunks:
			if !ok {
				return &peerEndedError{c.eof()}
			}
			if err := c.feed(chunk); err != nil {
				return err
			}
			if c.peerClosed && !done() {
				return &peerEndedError{nil}
			}
			timer.Reset(timeout)
		case <-timer.C:
			return fmt.Errorf("%w: nothing received for %v", errTimeout, timeout)
		}
	}
	return nil
}

// peerEndedError is the peer ending the connection (close_notify, err
// nil, or the socket closing, err the machine's verdict) while we waited
// for something else.
type peerEndedError struct{ err error }

func (e *peerEndedError) Error() string {
	if e.err == nil {
		return "the peer closed the connection (close_notify)"
	}
	return e.err.Error()
}

func (e *peerEndedError) Unwrap() error { return e.err }
