package netconn

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
)

// Dial connects to addr on the named network and runs a client handshake.
// If cfg.ServerName is empty, the host part of addr is used (on a copy).
func Dial(network, addr string, cfg *Config) (*Conn, error) {
	return dial(context.Background(), new(net.Dialer), network, addr, cfg)
}

// DialWithDialer is [Dial] with a custom [net.Dialer]. The dialer's Timeout
// and Deadline bound the connection and the handshake together.
func DialWithDialer(d *net.Dialer, network, addr string, cfg *Config) (*Conn, error) {
	return dial(context.Background(), d, network, addr, cfg)
}

// DialContext is [Dial] bounded by ctx: the context governs connecting and
// the handshake, not the connection afterwards.
func DialContext(ctx context.Context, network, addr string, cfg *Config) (*Conn, error) {
	return dial(ctx, new(net.Dialer), network, addr, cfg)
}

// A Dialer dials TLS connections with a given configuration, as
// crypto/tls's Dialer does.
type Dialer struct {
	// NetDialer is the dialer for the underlying connection; nil means a
	// zero net.Dialer.
	NetDialer *net.Dialer
	// Config is the client configuration; see [Client].
	Config *Config
}

// Dial connects and runs a handshake; see [Dial].
func (d *Dialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, addr)
}

// DialContext connects and runs a handshake bounded by ctx; see
// [DialContext]. The returned connection is a *Conn.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	nd := d.NetDialer
	if nd == nil {
		nd = new(net.Dialer)
	}
	c, err := dial(ctx, nd, network, addr, d.Config)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return c, nil
}

func dial(ctx context.Context, d *net.Dialer, network, addr string, cfg *Config) (*Conn, error) {
	if d.Timeout != 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	if !d.Deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Deadline)
		defer cancel()
	}
	raw, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c := prepareConfig(cfg, true)
	if c.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		c.ServerName = host
	}
	conn := newConn(raw, c, HooksOf(cfg), true)
	if err := conn.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, err
	}
	return conn, nil
}

// listener wraps accepted connections in server Conns.
type listener struct {
	net.Listener
	user  *Config // as given, the key of the automatic ticket keys
	base  *Config // prepared once
	cur   atomic.Pointer[Config]
	hooks *Hooks
}

// Accept waits for the next connection and returns it as a server *Conn.
// The handshake runs on its first Read or Write.
func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	cfg, err := l.config()
	if err != nil {
		return failedConn(c, err), nil
	}
	return newConn(c, cfg, l.hooks, false), nil
}

// config returns the prepared config with the current ticket keys, copying
// it only when the keys rotate.
func (l *listener) config() (*Config, error) {
	if !autoTickets(l.user) {
		return l.base, nil
	}
	keys, err := ringFor(l.user).current(l.base.Rand, l.base.Time())
	if err != nil {
		return nil, err
	}
	if cur := l.cur.Load(); cur != nil && len(cur.TicketKeys) > 0 && &cur.TicketKeys[0] == &keys[0] {
		return cur, nil
	}
	c := *l.base
	c.TicketKeys = keys
	l.cur.Store(&c)
	return &c, nil
}

// NewListener returns a listener whose Accept wraps the connections of
// inner in server Conns configured by cfg. The config is copied (and
// defaulted) once, here; see [Server] for the defaults.
func NewListener(inner net.Listener, cfg *Config) net.Listener {
	return &listener{Listener: inner, user: cfg, base: prepareConfig(cfg, false), hooks: HooksOf(cfg)}
}

var errNoCertificates = errors.New("sanstls/netconn: Listen needs Config.Certificates")

// Listen listens on laddr and returns a listener of server Conns; cfg must
// hold at least one certificate.
func Listen(network, laddr string, cfg *Config) (net.Listener, error) {
	if cfg == nil || len(cfg.Certificates) == 0 {
		return nil, errNoCertificates
	}
	l, err := net.Listen(network, laddr)
	if err != nil {
		return nil, err
	}
	return NewListener(l, cfg), nil
}
