package nethttp

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"

	"golang.org/x/net/http2"

	"github.com/sanstls/sanstls/adapters/netconn"
)

// NewTransport returns an http.RoundTripper that speaks HTTPS over netconn
// connections configured by cfg (nil: an empty Config; ServerName defaults
// to the request's host). It offers "h2" and "http/1.1" by ALPN, uses
// HTTP/2 where the server agrees and HTTP/1.1 otherwise, and fills
// Response.TLS. Plain "http" URLs go to an http.Transport unchanged.
//
//	client := &http.Client{Transport: nethttp.NewTransport(&netconn.Config{})}
func NewTransport(cfg *netconn.Config) *Transport {
	return &Transport{Config: cfg}
}

// A Transport is the http.RoundTripper of [NewTransport]. Its fields must
// be set before the first request.
type Transport struct {
	// Config is the client configuration; its NextProtos are ignored.
	Config *netconn.Config
	// Dialer dials the TCP connections; nil means a zero net.Dialer.
	Dialer *net.Dialer
	// DisableHTTP2 makes the Transport offer only "http/1.1".
	DisableHTTP2 bool
	// H1 is the HTTP/1.1 transport. If nil, a default one is made; its
	// DialTLSContext and TLSNextProto are set by the Transport either way.
	// Proxies are not supported for https URLs.
	H1 *http.Transport

	once sync.Once
	h2   *http2.Transport

	mu     sync.Mutex
	h2Conn map[string]*http2.ClientConn // per host:port, while usable
	h1Only map[string]bool              // servers that declined h2
	spare  map[string][]net.Conn        // declined-h2 connections for H1
}

var _ http.RoundTripper = (*Transport)(nil)

func (t *Transport) init() {
	t.once.Do(func() {
		if t.H1 == nil {
			t.H1 = &http.Transport{
				Proxy:               nil,
				MaxIdleConns:        100,
				IdleConnTimeout:     http.DefaultTransport.(*http.Transport).IdleConnTimeout,
				TLSHandshakeTimeout: http.DefaultTransport.(*http.Transport).TLSHandshakeTimeout,
			}
		}
		t.H1.DialTLSContext = t.dialH1
		// A non-nil empty map: the H1 transport never tries HTTP/2 itself.
		t.H1.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		// Idle HTTP/2 connections close as the HTTP/1.1 ones do.
		t.h2 = &http2.Transport{IdleConnTimeout: t.H1.IdleConnTimeout}
		t.h2Conn = make(map[string]*http2.ClientConn)
		t.h1Only = make(map[string]bool)
		t.spare = make(map[string][]net.Conn)
	})
}

// RoundTrip sends req over HTTP/2 or HTTP/1.1 as the server agreed.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.init()
	if req.URL == nil || req.URL.Scheme != "https" {
		return t.H1.RoundTrip(req)
	}
	addr := authority(req.URL.Host)
	if t.DisableHTTP2 {
		return t.roundTripH1(req)
	}
	resp, cached, err := t.roundTripH2(req, addr)
	if err != nil && cached && replayable(req) {
		// The cached connection went away under the request (the
		// server closed it while idle, say): once more on a new one.
		resp, _, err = t.roundTripH2(req, addr)
	}
	return resp, err
}

// replayable reports whether req can be sent again: an idempotent method
// without a body.
func replayable(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return req.Body == nil || req.Body == http.NoBody
	}
	return false
}

// roundTripH2 sends req over the host's HTTP/2 connection, dialling one
// (which may turn out to be HTTP/1.1) if there is none. cached reports that
// an existing connection was used.
func (t *Transport) roundTripH2(req *http.Request, addr string) (resp *http.Response, cached bool, err error) {
	t.mu.Lock()
	h1 := t.h1Only[addr]
	cc := t.h2Conn[addr]
	if cc != nil && !cc.CanTakeNewRequest() {
		delete(t.h2Conn, addr)
		cc = nil
	}
	t.mu.Unlock()
	if h1 {
		resp, err = t.roundTripH1(req)
		return resp, false, err
	}
	cached = cc != nil
	if cc == nil {
		c, err := t.dial(req.Context(), addr, "h2", "http/1.1")
		if err != nil {
			return nil, false, err
		}
		if c.ConnectionState().NegotiatedProtocol != http2.NextProtoTLS {
			t.mu.Lock()
			t.h1Only[addr] = true
			t.spare[addr] = append(t.spare[addr], c)
			t.mu.Unlock()
			resp, err = t.roundTripH1(req)
			return resp, false, err
		}
		if cc, err = t.h2.NewClientConn(c); err != nil {
			_ = c.Close()
			return nil, false, err
		}
		t.mu.Lock()
		if old := t.h2Conn[addr]; old != nil && old.CanTakeNewRequest() {
			// Another request dialled concurrently; keep one connection.
			defer cc.Close()
			cc = old
		} else {
			t.h2Conn[addr] = cc
		}
		t.mu.Unlock()
	}
	// x/net/http2 fills Response.TLS from the connection's ConnectionState.
	resp, err = cc.RoundTrip(req)
	return resp, cached, err
}

// roundTripH1 sends req through the HTTP/1.1 transport and sets
// Response.TLS from the connection it used, which http.Transport does only
// for a *tls.Conn.
func (t *Transport) roundTripH1(req *http.Request) (*http.Response, error) {
	var used net.Conn
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { used = info.Conn }}
	r := req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := t.H1.RoundTrip(r)
	if resp != nil {
		resp.Request = req
		if c, ok := used.(*netconn.Conn); ok && resp.TLS == nil {
			st := c.ConnectionState()
			resp.TLS = &st
		}
	}
	return resp, err
}

// dialH1 is the HTTP/1.1 transport's DialTLSContext: a connection left
// from a declined h2 offer, or a new one offering only http/1.1.
func (t *Transport) dialH1(ctx context.Context, _, addr string) (net.Conn, error) {
	t.mu.Lock()
	if s := t.spare[addr]; len(s) > 0 {
		c := s[len(s)-1]
		t.spare[addr] = s[:len(s)-1]
		t.mu.Unlock()
		return c, nil
	}
	t.mu.Unlock()
	c, err := t.dial(ctx, addr, "http/1.1")
	if err != nil {
		return nil, err // not a typed nil
	}
	return c, nil
}

func (t *Transport) dial(ctx context.Context, addr string, protos ...string) (*netconn.Conn, error) {
	d := &netconn.Dialer{NetDialer: t.Dialer, Config: withProtos(t.Config, protos...)}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return c.(*netconn.Conn), nil
}

// CloseIdleConnections closes the idle HTTP/1.1 connections, the unused
// spare ones, and the HTTP/2 connections with no request in flight.
func (t *Transport) CloseIdleConnections() {
	t.init()
	t.H1.CloseIdleConnections()
	t.mu.Lock()
	defer t.mu.Unlock()
	for addr, cc := range t.h2Conn {
		if cc.State().StreamsActive == 0 {
			_ = cc.Close()
			delete(t.h2Conn, addr)
		}
	}
	for addr, s := range t.spare {
		for _, c := range s {
			_ = c.Close()
		}
		delete(t.spare, addr)
	}
}

// authority returns host:port, with port 443 if none is given.
func authority(host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	return net.JoinHostPort(host, "443")
}
