package bench

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
)

// Stack is the TLS implementation under test.
type Stack int

const (
	Sanstls   Stack = iota
	CryptoTLS       // Go's crypto/tls
)

func (s Stack) String() string {
	if s == CryptoTLS {
		return "crypto/tls"
	}
	return "sanstls"
}

// Transport is how the two endpoints of a pair are connected.
type Transport int

const (
	// Direct drives sanstls's machine with no I/O at all (bytes handed from
	// one machine to the other); crypto/tls, which needs a net.Conn, runs
	// over an in-memory conn, the cheapest it can have.
	Direct Transport = iota
	// Pipe is netconn (and crypto/tls) over net.Pipe.
	Pipe
	// TCP is netconn (and crypto/tls) over loopback TCP.
	TCP
)

func (t Transport) String() string {
	switch t {
	case Pipe:
		return "net.Pipe"
	case TCP:
		return "loopback TCP"
	}
	return "direct"
}

// Resumption is how a handshake resumes.
type Resumption int

const (
	Full      Resumption = iota // a full handshake
	Ticket                      // resumed with an RFC 5077 ticket
	SessionID                   // resumed by session ID (server-side cache)
)

// Handshake describes one kind of handshake.
type Handshake struct {
	Key    KeyType
	Group  machine.Group // machine.X25519 or machine.CurveP256
	Resume Resumption
	Suite  uint16 // 0: AES-128-GCM with the key's authentication
}

func (h Handshake) String() string {
	return fmt.Sprintf("%s, %s", handshakeLabel(h), machine.CipherSuiteName(h.suite()))
}

func groupName(g machine.Group) string {
	if g == machine.CurveP256 {
		return "P-256"
	}
	return "X25519"
}

func (h Handshake) suite() uint16 {
	if h.Suite != 0 {
		return h.Suite
	}
	if h.Key == RSA2048 {
		return machine.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	}
	return machine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
}

// A pair is a client and a server after their handshake.
type pair interface {
	// transfer sends msg from one side and reads it, whole, on the other.
	transfer(toServer bool, msg []byte) error
	resumed() bool
	// idle stops any goroutine the pair runs for transfers.
	idle()
	close()
}

// A maker makes pairs of one stack, transport and handshake kind. Its
// configurations (and caches) are shared by all its pairs, as a server's
// and a client's would be.
type maker interface {
	handshake() (pair, error)
	close()
}

// newMaker returns a maker; for resumed handshakes it has already done the
// full handshake that the others resume.
func newMaker(s Stack, t Transport, h Handshake) (maker, error) {
	var m maker
	var err error
	if s == Sanstls {
		m, err = newSanstlsMaker(t, h)
	} else {
		m, err = newTLSMaker(t, h)
	}
	if err != nil {
		return nil, err
	}
	if h.Resume != Full {
		p, err := m.handshake()
		if err != nil {
			m.close()
			return nil, err
		}
		p.close()
		p, err = m.handshake()
		if err != nil {
			m.close()
			return nil, err
		}
		resumed := p.resumed()
		p.close()
		if !resumed {
			m.close()
			return nil, fmt.Errorf("%v over %v: the second handshake did not resume", s, t)
		}
	}
	return m, nil
}

func machineConfigs(h Handshake) (c, s *machine.Config) {
	p := getPKI()
	rnd := &detRand{}
	suites := []uint16{h.suite()}
	// The server picks the ECDHE group (it offers only h.Group); the client
	// also lists P-256, the ECDSA certificate's curve (RFC 8422, Section
	// 5.1.1), which crypto/tls requires as well.
	cgroups := []machine.Group{h.Group}
	if h.Group != machine.CurveP256 {
		cgroups = append(cgroups, machine.CurveP256)
	}
	c = &machine.Config{Rand: rnd, Time: clock, RootCAs: p.roots, ServerName: serverName,
		CipherSuites: suites, Groups: cgroups}
	s = &machine.Config{Rand: rnd, Time: clock, Certificates: []machine.Certificate{p.leaves[h.Key].mcert},
		CipherSuites: suites, Groups: []machine.Group{h.Group}}
	switch h.Resume {
	case Ticket:
		c.ClientSessionCache = netconn.NewLRUClientSessionCache(4)
		s.TicketKeys = [][32]byte{{1, 2, 3}}
	case SessionID:
		c.ClientSessionCache = netconn.NewLRUClientSessionCache(4)
		s.SessionCache = netconn.NewLRUSessionCache(1 << 16)
	}
	return c, s
}

func tlsConfigs(h Handshake) (c, s *tls.Config, err error) {
	p := getPKI()
	if h.Resume == SessionID {
		return nil, nil, errors.New("crypto/tls has no session-ID resumption")
	}
	curve := tls.X25519
	if h.Group == machine.CurveP256 {
		curve = tls.CurveP256
	}
	suites := []uint16{h.suite()}
	ccurves := []tls.CurveID{curve}
	if curve != tls.CurveP256 {
		ccurves = append(ccurves, tls.CurveP256)
	}
	c = &tls.Config{Rand: &detRand{}, Time: clock, RootCAs: p.roots, ServerName: serverName,
		MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: suites,
		CurvePreferences: ccurves, SessionTicketsDisabled: true, DynamicRecordSizingDisabled: true}
	s = &tls.Config{Rand: &detRand{}, Time: clock, Certificates: []tls.Certificate{p.leaves[h.Key].tcert},
		MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: suites,
		CurvePreferences: []tls.CurveID{curve}, SessionTicketsDisabled: true, DynamicRecordSizingDisabled: true}
	if h.Resume == Ticket {
		c.SessionTicketsDisabled, s.SessionTicketsDisabled = false, false
		c.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	}
	return c, s, nil
}

// ---- sanstls driven directly

type machineMaker struct{ ccfg, scfg *machine.Config }

type machinePair struct {
	c, s *machine.Conn
	wire []byte // reused for records
}

func newSanstlsMaker(t Transport, h Handshake) (maker, error) {
	c, s := machineConfigs(h)
	if t == Direct {
		return &machineMaker{c, s}, nil
	}
	return newConnMaker(t,
		func(raw net.Conn) hsConn { return netconn.Client(raw, c) },
		func(raw net.Conn) hsConn { return netconn.Server(raw, s) })
}

func (m *machineMaker) close() {}

func (m *machineMaker) handshake() (pair, error) {
	c, err := machine.Client(m.ccfg)
	if err != nil {
		return nil, err
	}
	s, err := machine.Server(m.scfg)
	if err != nil {
		return nil, err
	}
	c2s, err := c.Start(nil)
	if err != nil {
		return nil, err
	}
	var s2c []byte
	for i := 0; i < 20 && !(c.HandshakeComplete() && s.HandshakeComplete()); i++ {
		if len(c2s) > 0 {
			out, n, err := s.Receive(nil, c2s)
			if err != nil {
				return nil, fmt.Errorf("server: %w", err)
			}
			for s.NextEvent().Kind != machine.EventNone {
			}
			c2s = c2s[n:]
			s2c = append(s2c, out...)
		}
		if len(s2c) > 0 {
			out, n, err := c.Receive(nil, s2c)
			if err != nil {
				return nil, fmt.Errorf("client: %w", err)
			}
			for c.NextEvent().Kind != machine.EventNone {
			}
			s2c = s2c[n:]
			c2s = append(c2s, out...)
		}
	}
	if !c.HandshakeComplete() || !s.HandshakeComplete() {
		return nil, errors.New("handshake did not complete")
	}
	return &machinePair{c: c, s: s}, nil
}

func (p *machinePair) transfer(toServer bool, msg []byte) error {
	from, to := p.c, p.s
	if !toServer {
		from, to = p.s, p.c
	}
	if p.wire == nil {
		p.wire = make([]byte, 0, 2*machine.MaxRecordLen)
	}
	got := 0
	for off := 0; off < len(msg); {
		n := min(len(msg)-off, 16384)
		out, err := from.Send(p.wire[:0], msg[off:off+n])
		if err != nil {
			return err
		}
		p.wire = out[:0]
		off += n
		for len(out) > 0 {
			_, used, err := to.Receive(nil, out)
			if err != nil {
				return err
			}
			out = out[used:]
			for ev := to.NextEvent(); ev.Kind != machine.EventNone; ev = to.NextEvent() {
				got += len(ev.Data)
			}
			if used == 0 {
				return errors.New("partial record")
			}
		}
	}
	if got != len(msg) {
		return fmt.Errorf("delivered %d of %d bytes", got, len(msg))
	}
	return nil
}

func (p *machinePair) resumed() bool { return p.c.State().DidResume }
func (p *machinePair) idle()         { p.wire = nil }
func (p *machinePair) close()        {}

// ---- endpoints over a net.Conn: netconn, and crypto/tls everywhere

// hsConn is what netconn.Conn and tls.Conn have in common here.
type hsConn interface {
	net.Conn
	Handshake() error
}

type connMaker struct {
	t              Transport
	client, server func(net.Conn) hsConn
	ln             net.Listener
	accepted       chan net.Conn
	wg             sync.WaitGroup
}

func newTLSMaker(t Transport, h Handshake) (maker, error) {
	c, s, err := tlsConfigs(h)
	if err != nil {
		return nil, err
	}
	return newConnMaker(t,
		func(raw net.Conn) hsConn { return tls.Client(raw, c) },
		func(raw net.Conn) hsConn { return tls.Server(raw, s) })
}

func newConnMaker(t Transport, client, server func(net.Conn) hsConn) (*connMaker, error) {
	m := &connMaker{t: t, client: client, server: server}
	if t == TCP {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		m.ln, m.accepted = ln, make(chan net.Conn)
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			defer close(m.accepted)
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				m.accepted <- c
			}
		}()
	}
	return m, nil
}

func (m *connMaker) close() {
	if m.ln != nil {
		m.ln.Close()
		for c := range m.accepted {
			c.Close()
		}
		m.wg.Wait()
	}
}

// rawPair returns the two ends of a new transport connection.
func (m *connMaker) rawPair() (net.Conn, net.Conn, error) {
	switch m.t {
	case Pipe:
		a, b := net.Pipe()
		return a, b, nil
	case TCP:
		a, err := net.Dial("tcp", m.ln.Addr().String())
		if err != nil {
			return nil, nil, err
		}
		b, ok := <-m.accepted
		if !ok {
			a.Close()
			return nil, nil, net.ErrClosed
		}
		// Closing with a reset leaves no TIME_WAIT behind: thousands of
		// pairs must not exhaust the ephemeral ports.
		a.(*net.TCPConn).SetLinger(0)
		b.(*net.TCPConn).SetLinger(0)
		return a, b, nil
	}
	l := newMemLink()
	return l.a(), l.b(), nil
}

type connPair struct {
	c, s       hsConn
	rc, rs     net.Conn // the transport ends
	link       *memLink // Direct only
	readers    [2]*reader
	readerOnce sync.Once
}

func (m *connMaker) handshake() (pair, error) {
	a, b, err := m.rawPair()
	if err != nil {
		return nil, err
	}
	p := &connPair{c: m.client(a), s: m.server(b), rc: a, rs: b}
	if me, ok := a.(*memEnd); ok {
		p.link = me.l
	}
	errc := make(chan error, 1)
	go func() { errc <- p.s.Handshake() }()
	cerr := p.c.Handshake()
	if cerr != nil {
		// Unblock the server.
		a.Close()
		b.Close()
	}
	serr := <-errc
	if cerr != nil || serr != nil {
		a.Close()
		b.Close()
		return nil, fmt.Errorf("handshake: client %v, server %v", cerr, serr)
	}
	if p.link != nil {
		p.link.setDirect()
	}
	return p, nil
}

func (p *connPair) resumed() bool {
	switch c := p.c.(type) {
	case *tls.Conn:
		return c.ConnectionState().DidResume
	case *netconn.Conn:
		return c.ConnectionState().DidResume
	}
	return false
}

// reader reads exactly the requested number of bytes from one endpoint in
// its own goroutine, so that a writer on a synchronous transport (net.Pipe)
// can make progress.
type reader struct {
	req  chan int
	done chan error
	exit chan struct{}
}

func startReader(c net.Conn) *reader {
	r := &reader{req: make(chan int), done: make(chan error), exit: make(chan struct{})}
	buf := make([]byte, 64<<10)
	go func() {
		defer close(r.exit)
		for n := range r.req {
			var err error
			for n > 0 && err == nil {
				var k int
				k, err = io.ReadFull(c, buf[:min(n, len(buf))])
				n -= k
			}
			r.done <- err
		}
	}()
	return r
}

func (p *connPair) transfer(toServer bool, msg []byte) error {
	from, to, side := p.c, p.s, 1
	if !toServer {
		from, to, side = p.s, p.c, 0
	}
	if p.link != nil {
		// In memory, one goroutine writes then reads.
		if _, err := from.Write(msg); err != nil {
			return err
		}
		buf := p.link.scratch(len(msg))
		_, err := io.ReadFull(to, buf)
		return err
	}
	if p.readers[side] == nil {
		p.readers[side] = startReader(to)
	}
	r := p.readers[side]
	r.req <- len(msg)
	_, werr := from.Write(msg)
	rerr := <-r.done
	if werr != nil {
		return werr
	}
	return rerr
}

func (p *connPair) idle() {
	if l := p.link; l != nil {
		l.mu.Lock()
		l.buf = nil
		if l.ab.Len() == 0 {
			l.ab = bytes.Buffer{}
		}
		if l.ba.Len() == 0 {
			l.ba = bytes.Buffer{}
		}
		l.mu.Unlock()
	}
	for i, r := range p.readers {
		if r != nil {
			close(r.req)
			<-r.exit
			p.readers[i] = nil
		}
	}
}

// close closes the transport, not the TLS connections: a close_notify
// written to a net.Pipe nobody reads would block.
func (p *connPair) close() {
	p.rc.Close()
	p.rs.Close()
	p.idle()
}
