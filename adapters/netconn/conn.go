package netconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sanstls/sanstls/machine"
)

const (
	// maxPlaintext is the largest record payload. RFC 5246, Section 6.2.1:
	// "The length (in bytes) of the following TLSPlaintext.fragment. The
	// length MUST NOT exceed 2^14."
	maxPlaintext = 1 << 14

	// closeNotifyTimeout bounds how long Close waits to write close_notify.
	closeNotifyTimeout = 5 * time.Second
)

var (
	errNoServerName     = errors.New("sanstls/netconn: Config.ServerName or Config.InsecureSkipVerify must be set")
	errCloseWriteEarly  = errors.New("sanstls/netconn: CloseWrite before the handshake completed")
	errPeerClosedEarly  = errors.New("sanstls/netconn: peer sent close_notify during the handshake")
	errUnexpectedPause  = errors.New("sanstls/netconn: machine waits for a verification that was never requested")
	errTransportNoBytes = errors.New("sanstls/netconn: transport returned no data and no error")
)

// A Conn is a TLS 1.2 connection over a [net.Conn], driven by a
// [machine.Conn]. It implements [net.Conn] with the semantics of
// crypto/tls's Conn: the handshake runs on the first Read or Write (or an
// explicit [Conn.Handshake]), Read returns [io.EOF] after the peer's
// close_notify, and errors that are fatal to the connection are sticky.
//
// One Read and one Write may run concurrently (as with any net.Conn); Close
// may be called at any time to abort them. Other methods are safe for
// concurrent use as well.
type Conn struct {
	conn     net.Conn
	cfg      *Config
	isClient bool

	// Lock order: hsMu, rdMu, wrMu, mu, wmu. mu guards the machine; it is
	// never held across I/O. Output produced under mu is written under wmu,
	// which is taken before mu is released, so records reach the transport
	// in the order the machine sealed them.

	hsMu   sync.Mutex // serializes handshakes; guards hsErr
	hsErr  error      // sticky handshake (or construction) failure
	hsDone atomic.Bool

	rdMu   sync.Mutex // serializes readers; guards the fields below
	rbuf   []byte     // small[:] or big[:]: rbuf[rstart:rend] is not yet consumed
	small  [smallRecv]byte
	big    *recvBuf // lent while a record does not fit in small
	rstart int
	rend   int
	need   int    // bytes the machine is missing for the partial record
	pend   []byte // decrypted application data not yet returned (aliases rbuf)
	rerr   error  // sticky read error (io.EOF after close_notify)
	rout   []byte // output produced while reading or handshaking

	wrMu      sync.Mutex // serializes writers; guards closeSent
	closeSent bool

	mu sync.Mutex // guards m
	m  *machine.Conn

	hooks      *Hooks                // from the Config given (or GetConfigForClient's)
	chains     [][]*x509.Certificate // verified by verifyPeer, until resolved
	connHooked bool                  // VerifyConnection ran in this handshake (hsMu)
	helloErr   error                 // GetConfigForClient or GetCertificate failed
	wrapped    atomic.Pointer[tlsError]
	unverified []*x509.Certificate

	wmu  sync.Mutex // guards writes to conn and werr
	werr error      // sticky: a failed write leaves the record stream corrupt

	// active is twice the number of Writes in flight; bit 0 is set by Close.
	active atomic.Int32

	dlMu          sync.Mutex // guards the deadlines, kept to restore them
	readDeadline  time.Time
	writeDeadline time.Time
}

var _ net.Conn = (*Conn)(nil)

// Client returns a client Conn over conn. A nil cfg is an empty Config;
// Config.Rand and Config.Time default to crypto/rand.Reader and time.Now
// (filled on a copy). As with crypto/tls, Config.ServerName or
// Config.InsecureSkipVerify must be set. Configuration errors are reported
// by the first Handshake, Read or Write.
func Client(conn net.Conn, cfg *Config) *Conn {
	return newConn(conn, prepareConfig(cfg, true), HooksOf(cfg), true)
}

// Server returns a server Conn over conn. A nil cfg is an empty Config;
// Config.Rand and Config.Time default as for [Client]. Config.Certificates
// must hold at least one certificate.
func Server(conn net.Conn, cfg *Config) *Conn {
	c, err := prepareServer(cfg)
	if err != nil {
		return failedConn(conn, err)
	}
	return newConn(conn, c, HooksOf(cfg), false)
}

// newConn makes a Conn with a prepared cfg and the hooks of the caller's
// Config. A server whose hooks read the ClientHello gets its machine once
// that has arrived (see hello.go).
func newConn(conn net.Conn, cfg *Config, hooks *Hooks, isClient bool) *Conn {
	if hooks != nil && (hooks.VerifyPeerCertificate != nil || hooks.VerifyConnection != nil) && !cfg.DeferVerify {
		// The adapter verifies (resolveVerify), so that the hooks see
		// the verified chains; the result is otherwise the machine's.
		// cfg may be a listener's, shared: change a copy.
		cc := *cfg
		cc.DeferVerify = true
		cfg = &cc
	}
	c := &Conn{conn: conn, cfg: cfg, isClient: isClient, hooks: hooks}
	c.rbuf = c.small[:]
	if isClient && cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		c.hsErr = errNoServerName
		return c
	}
	if !isClient && hooks.needsHello() {
		return c // machine made by serverFromHello
	}
	c.hsErr = c.makeMachine()
	return c
}

func (c *Conn) makeMachine() error {
	var err error
	if c.isClient {
		c.m, err = machine.Client(c.cfg)
	} else {
		c.m, err = machine.Server(c.cfg)
	}
	return err
}

// failedConn is a Conn whose every operation fails with err.
func failedConn(conn net.Conn, err error) *Conn {
	c := &Conn{conn: conn, hsErr: err}
	c.rbuf = c.small[:]
	return c
}

// NetConn returns the underlying connection. Writing to or reading from it
// directly corrupts the TLS session.
func (c *Conn) NetConn() net.Conn { return c.conn }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the remote network address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// SetDeadline sets the read and write deadlines of the underlying
// connection. As with crypto/tls, a Write that times out leaves the record
// stream corrupt: every later Write fails with the same error. A Read that
// times out can be retried.
func (c *Conn) SetDeadline(t time.Time) error {
	c.dlMu.Lock()
	c.readDeadline, c.writeDeadline = t, t
	c.dlMu.Unlock()
	return c.conn.SetDeadline(t)
}

// SetReadDeadline sets the read deadline of the underlying connection.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.dlMu.Lock()
	c.readDeadline = t
	c.dlMu.Unlock()
	return c.conn.SetReadDeadline(t)
}

// SetWriteDeadline sets the write deadline of the underlying connection.
// After a Write has timed out the connection can no longer be written to.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.dlMu.Lock()
	c.writeDeadline = t
	c.dlMu.Unlock()
	return c.conn.SetWriteDeadline(t)
}

// restoreDeadlines puts back the deadlines the caller set, after
// HandshakeContext has overridden them to interrupt a cancelled handshake.
func (c *Conn) restoreDeadlines() {
	c.dlMu.Lock()
	defer c.dlMu.Unlock()
	_ = c.conn.SetReadDeadline(c.readDeadline)
	_ = c.conn.SetWriteDeadline(c.writeDeadline)
}

// Handshake runs the TLS handshake if it has not run yet. Read and Write
// call it implicitly. A failed handshake is sticky: every later call returns
// the same error. A fatal alert, sent or received, is a
// [*machine.AlertError].
func (c *Conn) Handshake() error { return c.HandshakeContext(context.Background()) }

// HandshakeContext is [Conn.Handshake] bounded by ctx: if ctx is done
// before the handshake completes, the handshake is interrupted (by moving
// the connection's deadline into the past, restored afterwards) and
// HandshakeContext returns ctx.Err(). The ctx does not apply to the
// connection after the handshake.
func (c *Conn) HandshakeContext(ctx context.Context) error {
	if c.hsDone.Load() {
		return nil
	}
	return c.handshakeContext(ctx)
}

func (c *Conn) handshakeContext(ctx context.Context) error {
	c.hsMu.Lock()
	defer c.hsMu.Unlock()
	if c.hsErr != nil {
		return c.hsErr
	}
	if c.hsDone.Load() {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var stop chan struct{}
	var fired chan bool
	if ctx.Done() != nil {
		stop, fired = make(chan struct{}), make(chan bool, 1)
		go func() {
			select {
			case <-ctx.Done():
				// A deadline in the past makes blocked I/O return at once.
				_ = c.conn.SetDeadline(time.Unix(1, 0))
				fired <- true
			case <-stop:
				fired <- false
			}
		}()
	}
	c.rdMu.Lock()
	c.wrMu.Lock()
	err := c.runHandshake()
	// The handshake's output buffer is not needed any more; the receive
	// buffer goes back to the pool unless records are already waiting.
	c.rout = nil
	c.idleRecv()
	c.wrMu.Unlock()
	c.rdMu.Unlock()
	if stop != nil {
		close(stop)
		if <-fired {
			c.restoreDeadlines()
			if err != nil {
				err = ctx.Err()
			}
		}
	}
	if err != nil {
		c.hsErr = err
		// The connection is unusable: close the transport, after our
		// alert (written before the error returned) has had its chance to
		// reach the peer (lingerAfterFatal).
		c.lingerAfterFatal()
		_ = c.conn.Close()
	}
	return err
}

// runHandshake drives the machine until EventHandshakeDone. It runs with
// hsMu, rdMu and wrMu held.
func (c *Conn) runHandshake() error {
	if c.m == nil {
		if err := c.serverFromHello(); err != nil {
			return err
		}
		if c.helloErr != nil {
			// The machine, left without a certificate, sends its
			// alert; the hook's error is what the caller learns.
			if err := c.handshakeLoop(); err != nil {
				return fmt.Errorf("%w (%w)", c.helloErr, err)
			}
			return c.helloErr
		}
	}
	c.connHooked = false
	if c.isClient {
		c.mu.Lock()
		out, err := c.m.Start(c.rout[:0])
		c.rout = out[:0]
		werr := c.writeLocked(out)
		if err != nil {
			return err
		}
		if werr != nil {
			return werr
		}
	}
	if err := c.handshakeLoop(); err != nil {
		return err
	}
	if c.hooks != nil && c.hooks.VerifyConnection != nil && !c.connHooked {
		// No certificate was judged in this handshake (resumption, or a
		// server not asking for one): crypto/tls still asks.
		if err := c.hooks.VerifyConnection(c.ConnectionState()); err != nil {
			// As crypto/tls: the peer is told, with bad_certificate.
			c.mu.Lock()
			out := c.m.Abort(nil, machine.AlertBadCertificate)
			_ = c.writeLocked(out) // unlocks c.mu
			c.rerr = err
			return err
		}
	}
	return nil
}

func (c *Conn) handshakeLoop() error {
	for !c.hsDone.Load() {
		if c.rerr != nil {
			if c.rerr == io.EOF {
				return errPeerClosedEarly
			}
			return c.rerr
		}
		if err := c.step(); err != nil {
			return err
		}
	}
	return nil
}

// step runs the machine once over the buffered bytes and, if it needs more,
// reads once from the transport. It runs with rdMu held.
func (c *Conn) step() error {
	needMore, err := c.receive()
	if err != nil {
		return err
	}
	if needMore {
		return c.fill()
	}
	return nil
}

// writeLocked writes the machine's output to the transport. It is called
// with mu held and releases it, after taking wmu, so that output is written
// in the order it was produced.
func (c *Conn) writeLocked(out []byte) error {
	if len(out) == 0 {
		c.mu.Unlock()
		return nil
	}
	c.wmu.Lock()
	c.mu.Unlock()
	defer c.wmu.Unlock()
	if c.werr != nil {
		return c.werr
	}
	if _, err := c.conn.Write(out); err != nil {
		c.werr = err
		return err
	}
	return nil
}

// receive passes the buffered bytes to the machine once, handles the events
// it reports and writes its output. needMore reports that the machine
// consumed everything it could and waits for more bytes. It runs with rdMu
// held.
func (c *Conn) receive() (needMore bool, err error) {
	c.mu.Lock()
	out, n, err := c.m.Receive(c.rout[:0], c.rbuf[c.rstart:c.rend])
	c.rout = out[:0]
	c.rstart += n
	c.need = c.m.NeedBytes()
	peer, events := c.drainEvents()
	werr := c.writeLocked(out)
	switch {
	case err == machine.ErrPending && peer == nil:
		return false, errUnexpectedPause
	case err != nil && err != machine.ErrPending:
		c.rerr = c.wrapErr(err)
		return false, c.rerr
	case peer != nil:
		return false, c.resolveVerify(peer)
	case werr != nil:
		return false, werr
	}
	return !events, nil
}

// drainEvents pops every queued event, with mu held. Application data stays
// in the receive buffer (pend aliases it) until Read has copied it out.
func (c *Conn) drainEvents() (peer *machine.PeerCerts, got bool) {
	for {
		ev := c.m.NextEvent()
		switch ev.Kind {
		case machine.EventNone:
			return peer, got
		case machine.EventHandshakeDone:
			c.hsDone.Store(true)
		case machine.EventAppData:
			// Receive stops at the first event, so there is at most one
			// AppData per call and pend is empty here.
			c.pend = ev.Data
		case machine.EventPeerClosed:
			c.rerr = io.EOF
		case machine.EventVerifyPeer:
			peer = ev.Peer
		}
		got = true
	}
}

// resolveVerify answers EventVerifyPeer (Config.DeferVerify, which the
// adapter also sets itself when verification hooks are attached). It runs
// the checks the machine would run synchronously
// (Config.VerifyPeerCerts), then VerifyPeerCertificate and
// VerifyConnection, without holding the machine lock, and hands the
// verdict to ResolveVerifyChains.
func (c *Conn) resolveVerify(pc *machine.PeerCerts) error {
	verr := c.verifyPeer(pc)
	c.mu.Lock()
	out, err := c.m.ResolveVerifyChains(c.rout[:0], c.chains, verr)
	c.rout = out[:0]
	c.chains = nil
	if err == nil {
		// Buffered handshake messages may have produced events.
		_, _ = c.drainEvents()
	}
	werr := c.writeLocked(out)
	if err != nil {
		c.rerr = c.wrapErr(err)
		return c.rerr
	}
	return werr
}

// verifyPeer judges the peer's chain as the machine would, then runs the
// hooks; it leaves the verified chains in c.chains.
func (c *Conn) verifyPeer(pc *machine.PeerCerts) error {
	base := *c.cfg
	base.VerifyPeer = nil
	chains, err := base.VerifyPeerCerts(pc)
	if err != nil {
		c.unverified = pc.Certificates // for *tls.CertificateVerificationError
		return err
	}
	if c.cfg.VerifyPeer != nil {
		if err := c.cfg.VerifyPeer(pc); err != nil {
			return err
		}
	}
	c.chains = chains
	if c.hooks == nil {
		return nil
	}
	if h := c.hooks.VerifyPeerCertificate; h != nil {
		if err := h(pc.Chain, chains); err != nil {
			return err
		}
	}
	if h := c.hooks.VerifyConnection; h != nil {
		c.connHooked = true
		st := c.ConnectionState()
		st.Version = tls.VersionTLS12
		st.PeerCertificates = pc.Certificates
		st.VerifiedChains = chains
		if pc.IsClient {
			st.ServerName = pc.ServerName
			st.OCSPResponse = pc.OCSP
		}
		if err := h(st); err != nil {
			return err
		}
	}
	return nil
}

// fill reads once from the transport into the receive buffer, compacting
// it first when the partial record would not fit. It runs with rdMu held
// and only when no decrypted data is pending (pend aliases the buffer).
func (c *Conn) fill() error {
	c.growRecv()
	var n int
	var err error
	// io.Reader discourages (0, nil) but allows it; retry a few times.
	for range 100 {
		if n, err = c.conn.Read(c.rbuf[c.rend:]); n > 0 || err != nil {
			break
		}
	}
	c.rend += n
	switch {
	case n > 0:
		return nil // process the bytes; a transport error will recur
	case err == nil:
		return errTransportNoBytes
	case errors.Is(err, io.EOF):
		// RFC 5246, Section 7.2.1: the transport ending without
		// close_notify may be a truncation attack; the machine says which.
		eerr := machine.ErrTruncated
		c.mu.Lock()
		if c.m != nil {
			eerr = c.m.ReceiveEOF()
		}
		c.mu.Unlock()
		if eerr == nil {
			c.rerr = io.EOF
		} else if eerr == machine.ErrTruncated {
			c.rerr = fmt.Errorf("%w (%w)", machine.ErrTruncated, io.ErrUnexpectedEOF)
		} else {
			c.rerr = eerr
		}
		return c.rerr
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		c.rerr = err // a timeout can be retried; other failures are final
	}
	return err
}

// Read reads decrypted application data into p, running the handshake
// first if needed. It returns io.EOF after the peer's close_notify, an error
// that matches [machine.ErrTruncated] (and io.ErrUnexpectedEOF) if the
// transport ended without one, and a [*machine.AlertError] on a fatal alert.
func (c *Conn) Read(p []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	c.rdMu.Lock()
	defer c.rdMu.Unlock()
	defer c.idleRecv()
	for {
		if len(c.pend) > 0 {
			n := copy(p, c.pend)
			c.pend = c.pend[n:]
			return n, nil
		}
		if c.rerr != nil {
			return 0, c.rerr
		}
		if err := c.step(); err != nil {
			return 0, err
		}
	}
}

// Write seals p as application data records and writes them, running the
// handshake first if needed. After CloseWrite it returns
// [machine.ErrClosed]; after Close, [net.ErrClosed].
func (c *Conn) Write(p []byte) (int, error) {
	for {
		x := c.active.Load()
		if x&1 != 0 {
			return 0, net.ErrClosed
		}
		if c.active.CompareAndSwap(x, x+2) {
			break
		}
	}
	defer c.active.Add(-2)
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	c.wrMu.Lock()
	defer c.wrMu.Unlock()
	written := 0
	for {
		// One record at a time, in a buffer of the size it needs.
		chunk := p[:min(len(p), maxPlaintext)]
		sb, buf := getSendBuf(len(chunk))
		c.mu.Lock()
		out, err := c.m.Send(buf, chunk)
		if err != nil {
			c.mu.Unlock()
			sb.release()
			return written, c.wrapErr(err)
		}
		err = c.writeLocked(out)
		sb.release()
		if err != nil {
			return written, err
		}
		written += len(chunk)
		p = p[len(chunk):]
		if len(p) == 0 {
			return written, nil
		}
	}
}

// sendCloseNotify sends close_notify once, if the machine is not failed.
func (c *Conn) sendCloseNotify() error {
	c.wrMu.Lock()
	defer c.wrMu.Unlock()
	if c.closeSent {
		return nil
	}
	c.closeSent = true
	c.mu.Lock()
	out := c.m.Close(nil)
	return c.writeLocked(out)
}

// Close sends close_notify, if the handshake has completed, no fatal error
// occurred and no Write is in progress (a Close concurrent with a Write is
// taken as a request to abort it), then closes the underlying connection.
// Later calls return net.ErrClosed.
func (c *Conn) Close() error {
	var x int32
	for {
		x = c.active.Load()
		if x&1 != 0 {
			return net.ErrClosed
		}
		if c.active.CompareAndSwap(x, x|1) {
			break
		}
	}
	var alertErr error
	// RFC 5246, Section 7.2.1: "Unless some other fatal alert has been
	// transmitted, each party is required to send a close_notify alert
	// before closing the write side of the connection." The machine sends
	// nothing after a fatal alert, and nothing twice.
	if x == 0 && c.hsDone.Load() {
		// A peer that stopped reading cannot hold Close: the write
		// deadline bounds it, or closeNotifyTimeout if that is later.
		d := time.Now().Add(closeNotifyTimeout)
		c.dlMu.Lock()
		if wd := c.writeDeadline; !wd.IsZero() && wd.Before(d) {
			d = wd
		}
		c.dlMu.Unlock()
		_ = c.conn.SetWriteDeadline(d)
		alertErr = c.sendCloseNotify()
	}
	c.lingerAfterFatal()
	if err := c.conn.Close(); err != nil {
		return err
	}
	return alertErr
}

// CloseWrite sends close_notify and then, if the underlying connection has
// a CloseWrite method (as *net.TCPConn does), shuts down its write side.
// Reads still work. It fails before the handshake has completed.
func (c *Conn) CloseWrite() error {
	if !c.hsDone.Load() {
		return errCloseWriteEarly
	}
	if err := c.sendCloseNotify(); err != nil {
		return err
	}
	if cw, ok := c.conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ExportKeyingMaterial returns length bytes of keying material derived
// from the connection's master secret. RFC 5705, Section 4; it requires a
// completed handshake with extended master secret (RFC 7627, Section 5.4).
// A nil context means no context value, which differs from an empty one.
func (c *Conn) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		return nil, machine.ErrNotReady
	}
	return c.m.ExportKeyingMaterial(label, context, length)
}

// Renegotiate starts a new handshake on the established connection (RFC
// 5246, Section 7.4.1.1, secured by RFC 5746): a client sends a
// ClientHello, a server a HelloRequest. It returns once the request is
// written; the handshake then runs inside Read (as crypto/tls runs a
// server-requested renegotiation), with application data flowing under the
// old keys until it completes. The peer must allow it
// (Config.AllowClientRenegotiation on a server, Config.Renegotiation on a
// client); a refusal arrives as a warning the connection survives.
// MachineState().Renegotiations counts completed renegotiations.
func (c *Conn) Renegotiate() error {
	if !c.hsDone.Load() {
		return machine.ErrNotReady
	}
	c.wrMu.Lock()
	defer c.wrMu.Unlock()
	c.mu.Lock()
	out, err := c.m.Renegotiate(nil)
	if err != nil {
		c.mu.Unlock()
		return c.wrapErr(err)
	}
	return c.writeLocked(out)
}
