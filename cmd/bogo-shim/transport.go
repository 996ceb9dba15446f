package main

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// transport drives one machine.Conn over a TCP connection: it feeds the
// machine received bytes, writes whatever the machine produces, and turns
// the machine's events into state the shim can poll. In async mode it reads
// one byte at a time, so that every record and handshake message arrives in
// pieces and the machine must wait for the rest (BoringSSL's shim gets the
// same effect from its async BIO).
type transport struct {
	tcp    *net.TCPConn
	mc     *machine.Conn
	async  bool
	verify func(*machine.PeerCerts) error // answers EventVerifyPeer
	// refused reports that the machine declined a renegotiation; the
	// transport then fails with errRenegotiationRefused.
	refused func() bool
	// betweenReads, if set, runs after every attempt to read application
	// data, as BoringSSL's shim runs -use-exporter-between-reads after
	// every SSL_read call (in async mode, after every byte).
	betweenReads func() error
	closed       bool // our close_notify went out

	in      []byte // received bytes the machine has not consumed
	head    []byte // the first bytes of the stream (up to headLen)
	readBuf []byte
	out     []byte // scratch for machine output

	app           []byte // decrypted application data not yet read
	handshakeDone bool
	falseStarted  bool // EventFalseStart: Send works before the handshake is done
	peerClosed    bool // the peer's close_notify arrived
	eof           bool // the TCP stream ended
}

func newTransport(tcp *net.TCPConn, mc *machine.Conn, async bool, verify func(*machine.PeerCerts) error) *transport {
	n := machine.MaxRecordLen
	if async {
		n = 1
	}
	return &transport{tcp: tcp, mc: mc, async: async, verify: verify, readBuf: make([]byte, n)}
}

// write sends machine output, if any.
func (t *transport) write(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_, err := t.tcp.Write(b)
	return err
}

// headLen is how much of the start of the stream the transport keeps: a
// record header's worth, enough to recognise a plaintext proxy request.
const headLen = 5

// readMore reads at least one byte from the network into t.in, or records
// the end of the stream in t.eof.
func (t *transport) readMore() error {
	n, err := t.tcp.Read(t.readBuf)
	t.in = append(t.in, t.readBuf[:n]...)
	if k := min(headLen-len(t.head), n); k > 0 {
		t.head = append(t.head, t.readBuf[:k]...)
	}
	if err == io.EOF {
		t.eof = true
		return nil
	}
	return err
}

// process gives the machine every complete record in t.in and handles the
// resulting events, until the machine needs more bytes. It returns the
// machine's fatal error, if any; the alert it produced has been sent.
//
// With stopAtDone it returns as soon as a handshake completes, leaving later
// records (a HelloRequest right behind the server's Finished, say) for the
// next call, so that the first handshake can be inspected before anything
// else happens, as with BoringSSL's SSL_do_handshake.
func (t *transport) process(stopAtDone bool) error {
	for {
		done := false
		out, n, err := t.mc.Receive(t.out[:0], t.in)
		t.out = out[:0]
		refused := t.refused != nil && t.refused()
		var werr error
		if !refused || !t.closed {
			// After our close_notify, nothing more goes out (a machine
			// that answers a HelloRequest there would send a ClientHello).
			werr = t.write(out)
		}
		events := 0
		for ev := t.mc.NextEvent(); ev.Kind != machine.EventNone; ev = t.mc.NextEvent() {
			events++
			switch ev.Kind {
			case machine.EventHandshakeDone:
				t.handshakeDone, done = true, true
			case machine.EventFalseStart:
				// BoringSSL's SSL_do_handshake returns here too.
				t.falseStarted, done = true, true
			case machine.EventAppData:
				t.app = append(t.app, ev.Data...) // Data aliases t.in: copy now
			case machine.EventPeerClosed:
				t.peerClosed = true
			case machine.EventVerifyPeer:
				verr := t.verify(ev.Peer)
				out, rerr := t.mc.ResolveVerify(t.out[:0], verr)
				if werr := t.write(out); werr != nil && rerr == nil {
					rerr = werr
				}
				if rerr != nil {
					return rerr
				}
			case machine.EventRenegotiationRequested:
				// -renegotiate-explicit: BoringSSL's shim answers
				// SSL_ERROR_WANT_RENEGOTIATE with SSL_renegotiate.
				out, rerr := t.mc.Renegotiate(t.out[:0])
				if werr := t.write(out); werr != nil && rerr == nil {
					rerr = werr
				}
				if rerr != nil {
					return rerr
				}
			case machine.EventWarningAlert:
				// Warning alerts other than close_notify are ignored, as
				// BoringSSL does (the machine caps how many in a row).
			}
		}
		t.in = t.in[:copy(t.in, t.in[n:])]
		if err == nil && refused {
			err = errRenegotiationRefused
		}
		if errors.Is(err, machine.ErrClosed) {
			// Records after the peer's close_notify are not read.
			t.in = t.in[:0]
			return nil
		}
		if err != nil {
			return err
		}
		if werr != nil {
			return werr
		}
		if n == 0 && events == 0 || done && stopAtDone {
			return nil
		}
	}
}

// handshake runs the handshake to completion.
func (t *transport) handshake(isClient bool) error {
	if isClient {
		out, err := t.mc.Start(t.out[:0])
		if werr := t.write(out); werr != nil && err == nil {
			err = werr
		}
		if err != nil {
			return err
		}
	}
	for !t.handshakeDone && !t.falseStarted {
		if err := t.process(true); err != nil {
			return err
		}
		if t.handshakeDone || t.falseStarted {
			break
		}
		if t.peerClosed {
			return errPeerClosedInHandshake
		}
		if t.eof {
			return t.mc.ReceiveEOF()
		}
		if err := t.readMore(); err != nil {
			return err
		}
	}
	return nil
}

var errPeerClosedInHandshake = errors.New("peer sent close_notify during the handshake")

// read returns up to max bytes of application data. It returns io.EOF after
// the peer's close_notify, and errTransportEOF when the stream ended without
// one.
func (t *transport) read(max int) ([]byte, error) {
	for len(t.app) == 0 {
		// Records left over from the handshake come first.
		if err := t.process(false); err != nil {
			return nil, err
		}
		if t.betweenReads != nil {
			if err := t.betweenReads(); err != nil {
				return nil, err
			}
		}
		if len(t.app) > 0 {
			break
		}
		if t.peerClosed {
			return nil, io.EOF
		}
		if t.eof {
			if err := t.mc.ReceiveEOF(); err != nil && !errors.Is(err, machine.ErrTruncated) {
				return nil, err
			}
			return nil, errTransportEOF
		}
		if err := t.readMore(); err != nil {
			return nil, err
		}
	}
	n := min(max, len(t.app))
	p := append([]byte(nil), t.app[:n]...)
	t.app = t.app[:copy(t.app, t.app[n:])]
	return p, nil
}

// errTransportEOF is an end of stream without close_notify.
var errTransportEOF = errors.New("connection closed without close_notify")

// send seals and writes p.
func (t *transport) send(p []byte) error {
	out, err := t.mc.Send(t.out[:0], p)
	t.out = out[:0]
	if werr := t.write(out); werr != nil && err == nil {
		err = werr
	}
	return err
}

// closeNotify sends our close_notify.
func (t *transport) closeNotify() error {
	t.closed = true
	out := t.mc.Close(t.out[:0])
	t.out = out[:0]
	return t.write(out)
}

// finish half-closes the TCP connection and drains what the peer still
// sends, so the runner reads our last records (the fatal alert of a failed
// test in particular) before it sees the connection go away. The drain is
// bounded in time.
func (t *transport) finish() {
	_ = t.tcp.CloseWrite()
	_ = t.tcp.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.Copy(io.Discard, t.tcp)
	_ = t.tcp.Close()
}
