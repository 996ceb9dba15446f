// Package nethttp serves and fetches HTTPS with net/http over
// [netconn] connections, HTTP/2 included.
//
// net/http only partly accepts a TLS connection that is not a *tls.Conn
// (Go 1.26): the server fills Request.TLS from any connection with a
// ConnectionState() tls.ConnectionState method, but hands a connection to
// its HTTP/2 server only if it is a *tls.Conn; the Transport negotiates
// HTTP/2 and fills Response.TLS only for a *tls.Conn returned by
// DialTLSContext. With a [netconn.Conn] a plain
// http.Transport{DialTLSContext: ...} therefore speaks HTTP/1.1 only, must
// not offer "h2" in ALPN (a server that picks it receives HTTP/1.1 bytes
// and fails), and leaves Response.TLS nil.
//
// This package closes those gaps with golang.org/x/net/http2, whose server
// and client accept any net.Conn: [Serve] runs the handshake, then gives
// connections that agreed on "h2" to the HTTP/2 server and the others to the
// http.Server; [Transport] offers "h2" and "http/1.1", keeps one HTTP/2
// connection per host where the server agreed, falls back to an
// http.Transport otherwise, and fills Response.TLS either way.
package nethttp

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/net/http2"

	"github.com/sanstls/sanstls/adapters/netconn"
)

// ListenAndServeTLS is http.ListenAndServeTLS over netconn: it serves
// handler (nil means http.DefaultServeMux) on addr with the certificate
// chain and key in the PEM files, HTTP/2 and HTTP/1.1 offered by ALPN.
func ListenAndServeTLS(addr, certFile, keyFile string, handler http.Handler) error {
	cert, err := netconn.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: addr, Handler: handler}
	return ListenAndServe(srv, &netconn.Config{Certificates: []netconn.Certificate{cert}})
}

// ListenAndServe listens on srv.Addr (":https" if empty) and serves srv
// over netconn with cfg; see [ServeTLS].
func ListenAndServe(srv *http.Server, cfg *netconn.Config) error {
	addr := srv.Addr
	if addr == "" {
		addr = ":https"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return ServeTLS(srv, ln, cfg)
}

// ServeTLS serves srv on the plain listener ln, wrapping each connection
// in a netconn server with cfg. Unless cfg.NextProtos is set it offers
// "h2" and "http/1.1"; cfg is not modified.
func ServeTLS(srv *http.Server, ln net.Listener, cfg *netconn.Config) error {
	c := netconn.CloneConfig(cfg) // keeps its Hooks
	if len(c.NextProtos) == 0 {
		c.NextProtos = []string{"h2", "http/1.1"}
	}
	return Serve(srv, netconn.NewListener(ln, c))
}

// Serve serves srv on ln, whose Accept must return *netconn.Conn (as
// [netconn.NewListener]'s does; other connections are served as they are,
// by srv). Each connection's handshake runs in its own goroutine, bounded
// as net/http bounds a TLS handshake: by srv.ReadHeaderTimeout, else
// srv.ReadTimeout. A connection that negotiated "h2" is served by an
// HTTP/2 server configured from srv (golang.org/x/net/http2's
// ConfigureServer, which also makes srv.Shutdown reach it); the others go
// to srv.Serve. Serve returns what srv.Serve returns: http.ErrServerClosed
// after Shutdown or Close.
//
// srv.Shutdown ends HTTP/2 connections gracefully (GOAWAY), as net/http's
// own HTTP/2 does. srv.Close, which net/http makes close HTTP/2 connections
// it tracks itself, does not reach these: they end when their clients go
// or srv.IdleTimeout passes; use Shutdown.
func Serve(srv *http.Server, ln net.Listener) error {
	h2 := new(http2.Server)
	if err := http2.ConfigureServer(srv, h2); err != nil {
		return err
	}
	h1 := &chanListener{inner: ln, conns: make(chan net.Conn), done: make(chan struct{})}
	go h1.acceptLoop(srv, h2)
	return srv.Serve(h1)
}

// chanListener is the listener srv.Serve sees: the accept loop runs the
// handshakes and passes it the HTTP/1 connections.
type chanListener struct {
	inner net.Listener
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	err   error // set before done is closed
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, l.err
	}
}

func (l *chanListener) Close() error {
	err := l.inner.Close()
	l.stop(net.ErrClosed)
	return err
}

func (l *chanListener) Addr() net.Addr { return l.inner.Addr() }

func (l *chanListener) stop(err error) {
	l.once.Do(func() {
		l.err = err
		close(l.done)
	})
}

func (l *chanListener) acceptLoop(srv *http.Server, h2 *http2.Server) {
	var delay time.Duration
	for {
		c, err := l.inner.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// As net/http: back off on temporary accept failures.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				select {
				case <-time.After(delay):
					continue
				case <-l.done:
					return
				}
			}
			l.stop(err)
			return
		}
		delay = 0
		go l.handshake(srv, h2, c)
	}
}

// handshake runs the TLS handshake of c and routes it by ALPN.
func (l *chanListener) handshake(srv *http.Server, h2 *http2.Server, c net.Conn) {
	tc, ok := c.(*netconn.Conn)
	if !ok {
		l.hand(c)
		return
	}
	timeout := srv.ReadHeaderTimeout
	if timeout <= 0 {
		timeout = srv.ReadTimeout
	}
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = tc.Close()
		if srv.ErrorLog != nil {
			srv.ErrorLog.Printf("http: TLS handshake error from %s: %v", c.RemoteAddr(), err)
		}
		return
	}
	if tc.ConnectionState().NegotiatedProtocol == http2.NextProtoTLS {
		base := context.Background()
		if srv.BaseContext != nil {
			base = srv.BaseContext(l)
		}
		if srv.ConnContext != nil {
			base = srv.ConnContext(base, tc)
		}
		h2.ServeConn(tc, &http2.ServeConnOpts{Context: base, BaseConfig: srv, Handler: srv.Handler})
		return
	}
	l.hand(tc)
}

// hand passes c to srv.Serve, or closes it if the listener is closed.
func (l *chanListener) hand(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		_ = c.Close()
	}
}

// withProtos returns a copy of cfg, with its Hooks, and NextProtos replaced.
func withProtos(cfg *netconn.Config, protos ...string) *netconn.Config {
	c := netconn.CloneConfig(cfg)
	c.NextProtos = slices.Clone(protos)
	return c
}
