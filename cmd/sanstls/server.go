package main

// `sanstls server`: a TLS 1.2 server over TCP through the netconn adapter,
// answering in echo mode or with a status page (like `openssl s_server
// -www`).

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
)

// Time limits of one server connection.
const (
	handshakeTimeout = 30 * time.Second
	requestTimeout   = 30 * time.Second // -www: reading the request
	lingerTimeout    = 2 * time.Second  // -www: waiting for the client's close_notify
	maxRequestHeader = 16 << 10
)

// serverOptions are the server's settings (its flags, parsed).
type serverOptions struct {
	Config   *machine.Config // certificates, suites, groups, ALPN, client auth, resumption, key log
	WWW      bool            // answer HTTP GET with a status page; otherwise echo
	Quiet    bool            // no per-connection report
	MaxConns int             // stop accepting after this many connections (0: no limit)
	// Renegotiation: RenegotiateAfter >= 0 makes the server send a
	// HelloRequest once that many bytes have been echoed (0: right after
	// the handshake); -1 never.
	RenegotiateAfter int
	ClientAuth       string // the -client-auth mode, for the report
}

// serverCommand parses the server's flags, listens and serves until ctx is
// done or -max-conns connections have been served.
func serverCommand(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		certs, keys          repeated
		alpn, suites, groups commaList
		listen, writeCert    string
		clientAuth, clientCA string
		keylog               string
		echo, www, quiet     bool
		maxConns             int
		noTickets, noCache   bool
		ticketKeyFile        string
		renegotiation        string
		ocspFiles            repeated
		allowNoEMS           bool
		preferClient         bool
		sigalgs              commaList
	)
	fs.StringVar(&listen, "listen", "127.0.0.1:8443", "TCP `address` to listen on (port 0: any free port)")
	fs.Var(&certs, "cert", "certificate chain PEM `file` (leaf first); repeat with -key for several certificates")
	fs.Var(&keys, "key", "private key PEM `file` of the preceding -cert")
	fs.StringVar(&writeCert, "write-cert", "", "without -cert: write the generated self-signed certificate to `FILE` (PEM)")
	fs.BoolVar(&echo, "echo", false, "echo what the client sends (the default)")
	fs.BoolVar(&www, "www", false, "answer an HTTP GET with a page describing the connection")
	fs.Var(&alpn, "alpn", "ALPN protocols to accept, in preference order (h2,http/1.1)")
	fs.Var(&suites, "suites", "cipher suites to enable, in preference order (IANA or OpenSSL names)")
	fs.Var(&groups, "groups", "groups to enable, in preference order (X25519,P-256,P-384,ffdhe2048,ffdhe3072,ffdhe4096)")
	fs.Var(&sigalgs, "sigalgs", "signature schemes to accept and sign with, in preference order (rsa_pss_rsae_sha256,ECDSA+SHA256,...)")
	fs.BoolVar(&preferClient, "prefer-client", false, "follow the client's cipher suite order instead of ours")
	fs.BoolVar(&allowNoEMS, "allow-no-ems", false, "accept clients without extended master secret (RFC 7627)")
	fs.BoolVar(&noTickets, "no-tickets", false, "issue no session tickets (RFC 5077)")
	fs.BoolVar(&noCache, "no-session-cache", false, "keep no session-ID cache")
	fs.StringVar(&ticketKeyFile, "ticket-key-file", "", "read ticket keys from `FILE`: lines of 64 hex digits, the first seals (default: a random key per run)")
	fs.StringVar(&renegotiation, "renegotiation", "never", "never, accept (client-initiated), or initiate-after=N (echo mode: send HelloRequest after echoing N bytes; also accepts)")
	fs.Var(&ocspFiles, "ocsp", "DER OCSP response `file` to staple for the matching -cert (repeat in -cert order)")
	fs.StringVar(&clientAuth, "client-auth", "none", "client certificates: none, request, require, verify-if-given or verify")
	fs.StringVar(&clientCA, "client-ca", "", "PEM `file` of CAs that client certificates must chain to (verify modes)")
	fs.StringVar(&keylog, "keylog", "", "append NSS key log lines to `FILE` (default: $SSLKEYLOGFILE)")
	fs.BoolVar(&quiet, "quiet", false, "do not report each connection")
	fs.IntVar(&maxConns, "max-conns", 0, "exit after serving `N` connections (0: serve until SIGINT or SIGTERM)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sanstls server [flags]\n\nServes TLS 1.2 on a TCP address until SIGINT or SIGTERM.\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if echo && www {
		return usageError("-echo and -www exclude each other")
	}
	if maxConns < 0 {
		return usageError("-max-conns must not be negative")
	}
	cfg := &machine.Config{NextProtos: alpn, Rand: rand.Reader, Time: time.Now,
		AllowNoExtendedMasterSecret: allowNoEMS, PreferClientCipherSuites: preferClient}
	var err error
	if cfg.CipherSuites, err = parseSuites(suites); err != nil {
		return usageError("%v", err)
	}
	if cfg.Groups, err = parseGroups(groups); err != nil {
		return usageError("%v", err)
	}
	if cfg.SignatureSchemes, err = parseSigAlgs(sigalgs); err != nil {
		return usageError("%v", err)
	}
	renegotiateAfter, err := parseRenegotiation(renegotiation)
	if err != nil {
		return usageError("%v", err)
	}
	cfg.AllowClientRenegotiation = renegotiation != "never"
	if !noTickets {
		if cfg.TicketKeys, err = loadTicketKeys(ticketKeyFile); err != nil {
			return err
		}
	} else if ticketKeyFile != "" {
		return usageError("-ticket-key-file and -no-tickets exclude each other")
	}
	if !noCache {
		cfg.SessionCache = netconn.NewLRUSessionCache(4096)
	}
	if cfg.ClientAuth, err = parseClientAuth(clientAuth); err != nil {
		return usageError("%v", err)
	}
	if clientCA != "" {
		if cfg.ClientCAs, err = loadPool(clientCA); err != nil {
			return err
		}
	} else if cfg.ClientAuth >= machine.VerifyClientCertIfGiven {
		return usageError("-client-auth %s needs -client-ca", clientAuth)
	}
	if cfg.Certificates, err = loadCertificates(certs, keys); err != nil {
		return err
	}
	if len(cfg.Certificates) == 0 {
		cert, err := selfSigned(pkiOptions{Rand: rand.Reader, NotBefore: time.Now().Add(-time.Hour)}, serverNames(listen)...)
		if err != nil {
			return err
		}
		cfg.Certificates = []machine.Certificate{cert}
		fmt.Fprintf(stderr, "using a generated self-signed certificate for %s (%s)\n",
			strings.Join(serverNames(listen), ", "), keyDescription(cert.Leaf.PublicKey))
		if writeCert != "" {
			if err := os.WriteFile(writeCert, certPEM(cert.Chain...), 0o644); err != nil {
				return err
			}
		}
	} else if writeCert != "" {
		return usageError("-write-cert applies only without -cert")
	}
	if len(ocspFiles) > len(cfg.Certificates) {
		return usageError("%d -ocsp files for %d certificates", len(ocspFiles), len(cfg.Certificates))
	}
	for i, f := range ocspFiles {
		if cfg.Certificates[i].OCSPStaple, err = os.ReadFile(f); err != nil {
			return err
		}
	}
	kl, err := openKeyLog(keylog, getenv)
	if err != nil {
		return err
	}
	if kl != nil {
		defer kl.Close()
		cfg.KeyLogWriter = kl
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "listening on %s\n", ln.Addr())
	return serve(ctx, ln, serverOptions{Config: cfg, WWW: www, Quiet: quiet, MaxConns: maxConns,
		RenegotiateAfter: renegotiateAfter, ClientAuth: clientAuth}, stderr)
}

// parseRenegotiation parses -renegotiation: it returns the byte count
// after which the server starts a renegotiation, or -1.
func parseRenegotiation(v string) (int, error) {
	switch v {
	case "never", "accept":
		return -1, nil
	}
	for _, prefix := range []string{"initiate-after=", "initiate-after:", "initiate-after "} {
		if rest, ok := strings.CutPrefix(v, prefix); ok {
			n, err := strconv.Atoi(strings.TrimSpace(rest))
			if err != nil || n < 0 {
				return 0, fmt.Errorf("-renegotiation %q: want a byte count >= 0 after initiate-after=", v)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("unknown -renegotiation %q (want never, accept or initiate-after=N)", v)
}

// loadTicketKeys reads -ticket-key-file (lines of 64 hexadecimal digits;
// the first key seals new tickets, all of them open tickets, so a fleet
// rotates by prepending a key) or, without a file, makes one random key.
func loadTicketKeys(path string) ([][32]byte, error) {
	if path == "" {
		var k [32]byte
		if _, err := io.ReadFull(rand.Reader, k[:]); err != nil {
			return nil, err
		}
		return [][32]byte{k}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys [][32]byte
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		b, err := hex.DecodeString(line)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("%s:%d: want 64 hexadecimal digits (32 bytes) per line", path, i+1)
		}
		keys = append(keys, [32]byte(b))
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no ticket keys", path)
	}
	return keys, nil
}

// serverNames are the names a generated certificate covers: localhost and
// the loopback addresses, plus the listen host if it is something else.
func serverNames(listen string) []string {
	names := []string{"localhost", "127.0.0.1", "::1"}
	if host, _, err := net.SplitHostPort(listen); err == nil && host != "" && host != "0.0.0.0" && host != "::" {
		found := false
		for _, n := range names {
			found = found || n == host
		}
		if !found {
			names = append(names, host)
		}
	}
	return names
}

// serve accepts TCP connections on ln and serves each with TLS in its own
// goroutine until ctx is done or opts.MaxConns connections have been
// accepted; then it closes ln and waits for the connections in progress.
// Per-connection reports go to log. Connections that end before a
// ClientHello (port probes) are counted, not reported as failures.
func serve(ctx context.Context, ln net.Listener, opts serverOptions, log io.Writer) error {
	var logMu sync.Mutex
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(log, format, args...)
	}
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	var failures, probes atomic.Int64
	var acceptErr error
	for n := 1; opts.MaxConns == 0 || n <= opts.MaxConns; n++ {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() == nil {
				acceptErr = err
			}
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Stopping the server (SIGINT, SIGTERM) ends the connections
			// in progress too.
			stopConn := context.AfterFunc(ctx, func() { conn.Close() })
			err := serveConn(conn, opts, n, logf)
			stopConn()
			switch {
			case errors.Is(err, errProbe):
				probes.Add(1)
			case err != nil && ctx.Err() != nil:
				logf("conn %d from %s: closed as the server stops\n", n, conn.RemoteAddr())
			case err != nil:
				failures.Add(1)
				logf("conn %d from %s: %v\n", n, conn.RemoteAddr(), explain(err))
			}
		}()
	}
	ln.Close()
	wg.Wait()
	if p := probes.Load(); p > 0 {
		logf("%d connection(s) closed before sending a ClientHello (port probes)\n", p)
	}
	if acceptErr != nil {
		return acceptErr
	}
	if f := failures.Load(); f > 0 && opts.MaxConns > 0 {
		return fmt.Errorf("%d of %d connections failed", f, opts.MaxConns)
	}
	return nil
}

// serveConn runs one connection: the handshake, then echo or the status
// page, then a close_notify exchange.
func serveConn(nc net.Conn, opts serverOptions, n int, logf func(string, ...any)) error {
	cfg := *opts.Config // per connection: the observer is this connection's
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Time == nil {
		cfg.Time = time.Now
	}
	obs := &observer{serverTickets: len(cfg.TicketKeys) > 0}
	cfg.Trace = obs.trace
	m, err := machine.Server(&cfg)
	if err != nil {
		nc.Close()
		return err
	}
	c := newTLSConn(nc, m, obs)
	defer c.close()
	rc := reportContext{clientAuth: opts.ClientAuth, staple: slices.ContainsFunc(cfg.Certificates, func(c machine.Certificate) bool { return len(c.OCSPStaple) > 0 })}
	prefix := fmt.Sprintf("conn %d: ", n)
	c.onHandshake = func() {
		if opts.Quiet {
			return
		}
		st := c.m.State()
		if c.handshakes == 1 {
			logf("conn %d from %s: handshake done\n", n, nc.RemoteAddr())
		} else {
			logf("conn %d: renegotiation %d done\n", n, st.Renegotiations)
		}
		var b strings.Builder
		writeReport(&b, prefix, obs.fields(st, rc), false)
		logf("%s", b.String())
	}
	c.onWarning = func(a machine.Alert) {
		if !opts.Quiet {
			logf("conn %d: received warning alert %s\n", n, a)
		}
	}
	err = c.runUntil(func() bool { return c.handshakes > 0 }, handshakeTimeout)
	if err != nil {
		if obs.clientHellos == 0 && !c.gotData {
			var pe *peerEndedError
			if errors.As(err, &pe) || isConnectionEnd(err) {
				return errProbe
			}
		}
		return fmt.Errorf("handshake failed: %w", err)
	}
	if opts.WWW {
		return serveWWW(c, obs, rc)
	}
	return serveEcho(c, opts, n, logf)
}

// serveEcho sends back what the client sends until its close_notify, then
// answers with ours. With opts.RenegotiateAfter >= 0 it sends one
// HelloRequest once that many bytes have been echoed.
func serveEcho(c *tlsConn, opts serverOptions, n int, logf func(string, ...any)) error {
	echoed := 0
	requested := false
	maybeRenegotiate := func() error {
		if requested || opts.RenegotiateAfter < 0 || echoed < opts.RenegotiateAfter {
			return nil
		}
		requested = true
		if !opts.Quiet {
			logf("conn %d: sending HelloRequest after %d bytes\n", n, echoed)
		}
		return c.renegotiate()
	}
	if err := maybeRenegotiate(); err != nil {
		return err
	}
	err := c.setOnData(func(p []byte) error {
		if err := c.send(p); err != nil {
			return err
		}
		echoed += len(p)
		return maybeRenegotiate()
	})
	if err != nil {
		return err
	}
	for !c.peerClosed {
		chunk, ok := <-c.chunks
		if !ok {
			if err := c.eof(); err != nil {
				return fmt.Errorf("after echoing %d bytes: %w", echoed, err)
			}
			break
		}
		if err := c.feed(chunk); err != nil {
			return fmt.Errorf("after echoing %d bytes: %w", echoed, err)
		}
	}
	if err := c.closeNotify(); err != nil {
		return err
	}
	if !opts.Quiet {
		logf("conn %d: echoed %d bytes; close_notify received and sent\n", n, echoed)
	}
	return nil
}

// serveWWW reads one HTTP request and answers a GET with a page stating the
// negotiated parameters, anything else with 400, then closes (close_notify
// first, as `openssl s_server -www` does).
func serveWWW(c *tlsConn, obs *observer, rc reportContext) error {
	var req []byte
	headerEnd := func() bool {
		return bytes.Contains(req, []byte("\r\n\r\n")) || bytes.Contains(req, []byte("\n\n"))
	}
	err := c.setOnData(func(p []byte) error {
		if len(req)+len(p) > maxRequestHeader {
			return errors.New("request header too large")
		}
		req = append(req, p...)
		return nil
	})
	if err == nil {
		err = c.runUntil(headerEnd, requestTimeout)
	}
	if err != nil {
		var pe *peerEndedError
		if errors.As(err, &pe) && pe.err == nil && len(req) == 0 {
			// A client that only handshakes (s_client -reconnect) and
			// closes cleanly: answer its close_notify.
			return c.closeNotify()
		}
		return fmt.Errorf("reading the request: %w", err)
	}
	var resp bytes.Buffer
	if bytes.HasPrefix(req, []byte("GET ")) {
		body := statusPage(obs.fields(c.m.State(), rc))
		fmt.Fprintf(&resp, "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	} else {
		const body = "sanstls server -www answers GET requests only\n"
		fmt.Fprintf(&resp, "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	}
	c.onData = nil
	if err := c.send(resp.Bytes()); err != nil {
		return err
	}
	if err := c.closeNotify(); err != nil {
		return err
	}
	// Give the client a moment to answer with its close_notify, so that
	// closing the socket does not reset the connection under it.
	_ = c.runUntil(func() bool { return c.peerClosed }, lingerTimeout)
	return nil
}

// statusPage is the HTML page of -www: the connection report.
func statusPage(fields []reportField) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><title>sanstls</title></head><body>\n<h1>sanstls server</h1>\n<pre>\n")
	for _, f := range fields {
		fmt.Fprintf(&b, "%-24s %s\n", html.EscapeString(f.label+":"), html.EscapeString(f.value))
	}
	b.WriteString("</pre>\n</body></html>\n")
	return b.String()
}
