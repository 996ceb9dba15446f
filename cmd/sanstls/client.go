package main

// `sanstls client`: a TLS 1.2 client over TCP through the netconn adapter,
// in the manner of `openssl s_client`: stdin goes to the server, the
// server's data to stdout, and the connection report to stderr.

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
)

// clientCommand parses the client's flags, connects, reports the connection
// and copies data both ways until the server closes.
func clientCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		certs, keys          repeated
		alpn, suites, groups commaList
		connect, serverName  string
		caFile, keylog       string
		insecure, quiet      bool
		timeout              time.Duration
	)
	fs.StringVar(&connect, "connect", "127.0.0.1:8443", "server `host:port`")
	fs.StringVar(&serverName, "servername", "", "server name to send (SNI) and verify (default: the host of -connect)")
	fs.StringVar(&caFile, "cafile", "", "PEM `file` of trusted CAs (default: the system's)")
	fs.BoolVar(&insecure, "insecure", false, "do not verify the server's certificate")
	fs.Var(&alpn, "alpn", "ALPN protocols to offer (h2,http/1.1)")
	fs.Var(&certs, "cert", "client certificate chain PEM `file`, sent if the server asks")
	fs.Var(&keys, "key", "private key PEM `file` of -cert")
	fs.Var(&suites, "suites", "cipher suites to offer, in preference order (IANA or OpenSSL names)")
	fs.Var(&groups, "groups", "groups to offer, in preference order (X25519,P-256,P-384)")
	fs.StringVar(&keylog, "keylog", "", "append NSS key log lines to `FILE` (default: $SSLKEYLOGFILE)")
	fs.BoolVar(&quiet, "quiet", false, "do not print the connection report")
	fs.DurationVar(&timeout, "timeout", 30*time.Second, "limit for connecting and the handshake")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sanstls client [flags]\n\nConnects with TLS 1.2; stdin goes to the server, the server's data to stdout.\nOn end of input it sends close_notify and reads until the server closes.\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := &machine.Config{ServerName: serverName, NextProtos: alpn, InsecureSkipVerify: insecure}
	var err error
	if cfg.CipherSuites, err = parseSuites(suites); err != nil {
		return usageError("%v", err)
	}
	if cfg.Groups, err = parseGroups(groups); err != nil {
		return usageError("%v", err)
	}
	if cfg.Certificates, err = loadCertificates(certs, keys); err != nil {
		return err
	}
	switch {
	case caFile != "":
		if cfg.RootCAs, err = loadPool(caFile); err != nil {
			return err
		}
	case !insecure:
		if cfg.RootCAs, err = x509.SystemCertPool(); err != nil {
			return fmt.Errorf("system roots: %w (use -cafile or -insecure)", err)
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
	report := stderr
	if quiet {
		report = io.Discard
	}
	return runClient(ctx, connect, cfg, timeout, stdin, stdout, report)
}

// runClient connects to addr, writes the connection report to report and
// copies stdin to the connection and the connection to stdout. At the end
// of stdin it sends close_notify (CloseWrite) and keeps reading until the
// server closes. It returns nil only after the server's close_notify.
func runClient(ctx context.Context, addr string, cfg *machine.Config, timeout time.Duration,
	stdin io.Reader, stdout, report io.Writer) error {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	conn, err := netconn.DialContext(dctx, "tcp", addr, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("%s: %w", addr, explain(err))
	}
	defer conn.Close()
	st := conn.MachineState()
	fmt.Fprintf(report, "connected to %s\n", conn.RemoteAddr())
	for _, kv := range stateFields(st) {
		if kv[0] == "Peer certificate" || kv[0] == "Peer verified" {
			continue // the chain is listed below
		}
		fmt.Fprintf(report, "%-24s %s\n", kv[0]+":", kv[1])
	}
	fmt.Fprintf(report, "Server certificate chain:\n")
	for i, c := range st.PeerCertificates {
		fmt.Fprintf(report, "  %d s:%s\n    i:%s\n    %s, valid %s to %s\n", i, c.Subject, c.Issuer,
			keyDescription(c.PublicKey), c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly))
	}
	switch {
	case len(st.VerifiedChains) > 0:
		fmt.Fprintf(report, "Verification: OK (%s)\n", chainSummary(st.VerifiedChains[0]))
	case cfg.InsecureSkipVerify:
		fmt.Fprintf(report, "Verification: skipped (-insecure)\n")
	}
	fmt.Fprintf(report, "---\n")

	// stdin -> connection, in the background: a blocked read of stdin must
	// not keep the client alive once the server has closed.
	sendErr := make(chan error, 1)
	go func() {
		_, err := io.Copy(conn, stdin)
		if err == nil {
			err = conn.CloseWrite()
		}
		sendErr <- err
	}()
	_, recvErr := io.Copy(stdout, conn)
	if recvErr != nil {
		return fmt.Errorf("reading: %w", explain(recvErr))
	}
	select {
	case err := <-sendErr:
		if err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, machine.ErrClosed) {
			return fmt.Errorf("writing: %w", explain(err))
		}
	default:
		// The server closed while input was still coming: that ends the
		// session, as in s_client. close_notify is answered by Close.
	}
	return nil
}
