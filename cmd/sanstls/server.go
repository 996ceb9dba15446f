package main

// `sanstls server`: a TLS 1.2 server over TCP through the netconn adapter,
// answering in echo mode or with a status page (like `openssl s_server
// -www`).

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"os"
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
	Config   *machine.Config // certificates, suites, groups, ALPN, client auth, key log
	WWW      bool            // answer HTTP GET with a status page; otherwise echo
	Quiet    bool            // no per-connection report
	MaxConns int             // stop accepting after this many connections (0: no limit)
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
	)
	fs.StringVar(&listen, "listen", "127.0.0.1:8443", "TCP `address` to listen on (port 0: any free port)")
	fs.Var(&certs, "cert", "certificate chain PEM `file` (leaf first); repeat with -key for several certificates")
	fs.Var(&keys, "key", "private key PEM `file` of the preceding -cert")
	fs.StringVar(&writeCert, "write-cert", "", "without -cert: write the generated self-signed certificate to `FILE` (PEM)")
	fs.BoolVar(&echo, "echo", false, "echo what the client sends (the default)")
	fs.BoolVar(&www, "www", false, "answer an HTTP GET with a page describing the connection")
	fs.Var(&alpn, "alpn", "ALPN protocols to accept, in preference order (h2,http/1.1)")
	fs.Var(&suites, "suites", "cipher suites to enable, in preference order (IANA or OpenSSL names)")
	fs.Var(&groups, "groups", "groups to enable, in preference order (X25519,P-256,P-384)")
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
	cfg := &machine.Config{NextProtos: alpn}
	var err error
	if cfg.CipherSuites, err = parseSuites(suites); err != nil {
		return usageError("%v", err)
	}
	if cfg.Groups, err = parseGroups(groups); err != nil {
		return usageError("%v", err)
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
	return serve(ctx, ln, serverOptions{Config: cfg, WWW: www, Quiet: quiet, MaxConns: maxConns}, stderr)
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

// serve accepts TLS connections on ln and serves each in its own goroutine
// until ctx is done or opts.MaxConns connections have been accepted; then it
// closes ln and waits for the connections in progress. Per-connection
// reports go to log.
func serve(ctx context.Context, ln net.Listener, opts serverOptions, log io.Writer) error {
	tl := netconn.NewListener(ln, opts.Config)
	var logMu sync.Mutex
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(log, format, args...)
	}
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	var failures atomic.Int64
	var acceptErr error
	for n := 1; opts.MaxConns == 0 || n <= opts.MaxConns; n++ {
		conn, err := tl.Accept()
		if err != nil {
			if ctx.Err() == nil {
				acceptErr = err
			}
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := serveConn(conn.(*netconn.Conn), opts, n, logf); err != nil {
				failures.Add(1)
				logf("conn %d from %s: %v\n", n, conn.RemoteAddr(), explain(err))
			}
		}()
	}
	ln.Close()
	wg.Wait()
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
func serveConn(conn *netconn.Conn, opts serverOptions, n int, logf func(string, ...any)) error {
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	err := conn.HandshakeContext(ctx)
	cancel()
	if err != nil {
		return fmt.Errorf("handshake failed: %w", err)
	}
	st := conn.MachineState()
	if !opts.Quiet {
		logf("conn %d from %s: %s\n", n, conn.RemoteAddr(), stateSummary(st))
	}
	if opts.WWW {
		return serveWWW(conn, st)
	}
	// Echo until the client's close_notify, then answer it with ours.
	copied, err := io.Copy(conn, conn)
	if err != nil {
		return fmt.Errorf("after echoing %d bytes: %w", copied, err)
	}
	if err := conn.CloseWrite(); err != nil {
		return err
	}
	if !opts.Quiet {
		logf("conn %d: echoed %d bytes; close_notify received and sent\n", n, copied)
	}
	return nil
}

// serveWWW reads one HTTP request and answers a GET with a page stating the
// negotiated parameters, anything else with 400, then closes (close_notify
// first, as `openssl s_server -www` does).
func serveWWW(conn *netconn.Conn, st machine.ConnectionState) error {
	_ = conn.SetReadDeadline(time.Now().Add(requestTimeout))
	br := bufio.NewReaderSize(io.LimitReader(conn, maxRequestHeader), 4096)
	requestLine, err := br.ReadString('\n')
	if err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("reading the request headers: %w", err)
		}
		if l == "\r\n" || l == "\n" {
			break
		}
	}
	_ = conn.SetReadDeadline(time.Time{})
	var resp bytes.Buffer
	if strings.HasPrefix(requestLine, "GET ") {
		body := statusPage(st)
		fmt.Fprintf(&resp, "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	} else {
		const body = "sanstls server -www answers GET requests only\n"
		fmt.Fprintf(&resp, "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	}
	if _, err := conn.Write(resp.Bytes()); err != nil {
		return err
	}
	if err := conn.CloseWrite(); err != nil {
		return err
	}
	// Give the client a moment to answer with its close_notify, so that
	// closing the socket does not reset the connection under it.
	_ = conn.SetReadDeadline(time.Now().Add(lingerTimeout))
	_, _ = io.Copy(io.Discard, io.LimitReader(conn, maxRequestHeader))
	return nil
}

// statusPage is the HTML page of -www.
func statusPage(st machine.ConnectionState) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><title>sanstls</title></head><body>\n<h1>sanstls server</h1>\n<pre>\n")
	for _, kv := range stateFields(st) {
		fmt.Fprintf(&b, "%-24s %s\n", html.EscapeString(kv[0]+":"), html.EscapeString(kv[1]))
	}
	b.WriteString("</pre>\n</body></html>\n")
	return b.String()
}

// opensslName returns a suite's OpenSSL name, or "" if unknown.
func opensslName(id uint16) string {
	for _, s := range machine.SupportedCipherSuites() {
		if s.ID == id {
			return s.OpenSSLName
		}
	}
	return ""
}

// stateFields lists a connection's parameters as label/value pairs.
func stateFields(st machine.ConnectionState) [][2]string {
	f := [][2]string{
		{"Protocol", versionName(st.Version)},
		{"Cipher", fmt.Sprintf("%s (%s)", suiteName(st.CipherSuite), opensslName(st.CipherSuite))},
		{"Group", groupName(st.Group)},
		{"Session", "New (no resumption)"},
		{"Extended master secret", yesNo(st.ExtendedMasterSecret)},
		{"Secure renegotiation", yesNo(st.SecureRenegotiation)},
		{"ALPN protocol", orNone(st.NegotiatedProtocol)},
		{"Server name", orNone(st.ServerName)},
	}
	if st.SignatureScheme != 0 {
		f = append(f, [2]string{"Peer signature", st.SignatureScheme.String()})
	}
	if len(st.PeerCertificates) > 0 {
		leaf := st.PeerCertificates[0]
		f = append(f, [2]string{"Peer certificate", fmt.Sprintf("%s (%s)", leaf.Subject, keyDescription(leaf.PublicKey))})
		f = append(f, [2]string{"Peer verified", yesNo(len(st.VerifiedChains) > 0)})
	}
	return f
}

// stateSummary is stateFields on one line.
func stateSummary(st machine.ConnectionState) string {
	parts := []string{versionName(st.Version), suiteName(st.CipherSuite), "group=" + groupName(st.Group)}
	if st.NegotiatedProtocol != "" {
		parts = append(parts, "alpn="+st.NegotiatedProtocol)
	}
	if st.ServerName != "" {
		parts = append(parts, "sni="+st.ServerName)
	}
	parts = append(parts, "ems="+yesNo(st.ExtendedMasterSecret))
	if len(st.PeerCertificates) > 0 {
		parts = append(parts, fmt.Sprintf("client-cert=%q", st.PeerCertificates[0].Subject.String()))
	}
	return strings.Join(parts, " ")
}

// explain adds to a connection failure the alert behind it, if any; the
// result wraps err.
func explain(err error) error {
	var ae *machine.AlertError
	if errors.As(err, &ae) {
		if ae.Remote {
			return fmt.Errorf("%w (received fatal alert %s)", err, ae.Alert)
		}
		return fmt.Errorf("%w (sent fatal alert %s)", err, ae.Alert)
	}
	if errors.Is(err, machine.ErrTruncated) {
		return fmt.Errorf("%w (the peer closed the connection without close_notify)", err)
	}
	return err
}
