package main

// `sanstls client`: a TLS 1.2 client over TCP, in the manner of `openssl
// s_client`: stdin goes to the server, the server's data to stdout, and the
// connection report to stderr.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// clientOptions are the client's flags beyond the machine.Config.
type clientOptions struct {
	Timeout     time.Duration // connecting, the handshake, and waiting for an answer to close_notify
	Reconnect   int           // resume this many times before the data connection
	Renegotiate bool          // renegotiate once right after the handshake
	NoCommands  bool          // a line "R" is data, not a renegotiation request
	Brief       bool
	ShowCerts   bool
	ShowOCSP    bool
	SessOut     string // write the session here after each handshake
	Quiet       bool
}

// clientCommand parses the client's flags, connects, reports the connection
// and copies data both ways until the server closes.
func clientCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		certs, keys                   repeated
		alpn, suites, groups, sigalgs commaList
		connect, serverName           string
		caFile, keylog                string
		insecure, allowNoEMS          bool
		renegotiation, sessIn         string
		co                            clientOptions
	)
	fs.StringVar(&connect, "connect", "127.0.0.1:8443", "server `host:port`")
	fs.StringVar(&serverName, "servername", "", "server name to send (SNI) and verify (default: the host of -connect)")
	fs.StringVar(&caFile, "cafile", "", "PEM `file` of trusted CAs (default: the system's)")
	fs.BoolVar(&insecure, "insecure", false, "do not verify the server's certificate")
	fs.Var(&alpn, "alpn", "ALPN protocols to offer (h2,http/1.1)")
	fs.Var(&certs, "cert", "client certificate chain PEM `file`, sent if the server asks")
	fs.Var(&keys, "key", "private key PEM `file` of -cert")
	fs.Var(&suites, "suites", "cipher suites to offer, in preference order (IANA or OpenSSL names; ALL, DEFAULT, LEGACY)")
	fs.Var(&groups, "groups", "groups to offer, in preference order (X25519,P-256,P-384,ffdhe2048,ffdhe3072,ffdhe4096)")
	fs.Var(&sigalgs, "sigalgs", "signature schemes to accept and sign with, in preference order")
	fs.BoolVar(&allowNoEMS, "allow-no-ems", false, "accept servers without extended master secret (RFC 7627)")
	fs.IntVar(&co.Reconnect, "reconnect", 0, "connect, then reconnect `N` times resuming the session; the last connection carries stdin")
	fs.StringVar(&co.SessOut, "sess-out", "", "write the session to `FILE` after the handshake (it holds the master secret)")
	fs.StringVar(&sessIn, "sess-in", "", "resume the session saved in `FILE` by -sess-out")
	fs.BoolVar(&co.Renegotiate, "renegotiate", false, "renegotiate once right after the handshake (implies -renegotiation accept)")
	fs.StringVar(&renegotiation, "renegotiation", "never", "server-requested renegotiation (HelloRequest): never or accept")
	fs.BoolVar(&co.NoCommands, "nocommands", false, "send a line \"R\" as data instead of renegotiating")
	fs.BoolVar(&co.ShowOCSP, "ocsp", false, "print the stapled OCSP response in detail")
	fs.BoolVar(&co.ShowCerts, "showcerts", false, "print the server's certificates as PEM")
	fs.BoolVar(&co.Brief, "brief", false, "print only protocol, cipher, group, session and verification")
	fs.StringVar(&keylog, "keylog", "", "append NSS key log lines to `FILE` (default: $SSLKEYLOGFILE)")
	fs.BoolVar(&co.Quiet, "quiet", false, "do not print the connection report")
	fs.DurationVar(&co.Timeout, "timeout", 30*time.Second, "limit for connecting, and for each wait for the server during the handshake")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sanstls client [flags]\n\nConnects with TLS 1.2; stdin goes to the server, the server's data to stdout.\n"+
			"A line holding only \"R\" renegotiates (unless -nocommands). On end of input it sends\nclose_notify and reads until the server closes.\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if co.Reconnect < 0 {
		return usageError("-reconnect must not be negative")
	}
	cfg := &machine.Config{ServerName: serverName, NextProtos: alpn, InsecureSkipVerify: insecure,
		Rand: rand.Reader, Time: time.Now, AllowNoExtendedMasterSecret: allowNoEMS}
	switch {
	case renegotiation == "accept" || co.Renegotiate:
		cfg.Renegotiation = machine.RenegotiateFreelyAsClient
	case renegotiation != "never":
		return usageError("unknown -renegotiation %q (want never or accept)", renegotiation)
	}
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(connect)
		if err != nil {
			return usageError("-connect %q: %v", connect, err)
		}
		cfg.ServerName = host
	}
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
	cache := &recordingCache{inner: netconn.NewLRUClientSessionCache(4)}
	cfg.ClientSessionCache = cache
	if sessIn != "" {
		sess, err := readSessionFile(sessIn)
		if err != nil {
			return err
		}
		cache.Put(cfg.ServerName, sess)
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
	if co.Quiet {
		report = io.Discard
	}
	return runClient(ctx, connect, cfg, co, stdin, stdout, report)
}

// recordingCache is the client's session cache; it remembers the last
// session stored, for -sess-out.
type recordingCache struct {
	inner machine.ClientSessionCache
	last  *machine.ClientSession
}

func (c *recordingCache) Get(key string) (*machine.ClientSession, bool) { return c.inner.Get(key) }

func (c *recordingCache) Put(key string, s *machine.ClientSession) {
	c.last = s
	c.inner.Put(key, s)
}

// runClient makes 1 + co.Reconnect connections to addr, each resuming the
// session of the one before; the last copies stdin to the server and the
// server's data to stdout. Reports go to report.
func runClient(ctx context.Context, addr string, cfg *machine.Config, co clientOptions,
	stdin io.Reader, stdout, report io.Writer) error {
	for i := 0; i <= co.Reconnect; i++ {
		if co.Reconnect > 0 {
			fmt.Fprintf(report, "--- connection %d of %d\n", i+1, co.Reconnect+1)
		}
		last := i == co.Reconnect
		var in io.Reader
		if last {
			in = stdin
		}
		if err := clientConnection(ctx, addr, cfg, co, in, stdout, report); err != nil {
			return err
		}
	}
	return nil
}

// clientConnection runs one connection. With stdin nil it closes right
// after the handshake (and -renegotiate), with a close_notify exchange.
func clientConnection(ctx context.Context, addr string, cfg *machine.Config, co clientOptions,
	stdin io.Reader, stdout, report io.Writer) error {
	dctx, cancel := context.WithTimeout(ctx, co.Timeout)
	nc, err := (&net.Dialer{}).DialContext(dctx, "tcp", addr)
	cancel()
	if err != nil {
		return err
	}
	ccfg := *cfg
	obs := &observer{isClient: true}
	ccfg.Trace = obs.trace
	m, err := machine.Client(&ccfg)
	if err != nil {
		nc.Close()
		return err
	}
	c := newTLSConn(nc, m, obs)
	defer c.close()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()

	rc := reportContext{insecure: cfg.InsecureSkipVerify}
	refused := false
	c.onData = func(p []byte) error {
		_, err := stdout.Write(p)
		return err
	}
	c.onWarning = func(a machine.Alert) {
		if a == messages.AlertNoRenegotiation {
			refused = true
			fmt.Fprintf(report, "the server refused to renegotiate (warning alert no_renegotiation)\n")
			return
		}
		fmt.Fprintf(report, "received warning alert %s\n", a)
	}
	c.onHandshake = func() {
		st := c.m.State()
		if c.handshakes == 1 {
			fmt.Fprintf(report, "connected to %s\n", nc.RemoteAddr())
		} else {
			fmt.Fprintf(report, "--- renegotiation %d done\n", st.Renegotiations)
		}
		writeReport(report, "", obs.fields(st, rc), co.Brief)
		if !co.Brief && c.handshakes == 1 {
			writeChain(report, "Server certificate chain", st.PeerCertificates, co.ShowCerts)
		}
		if co.ShowOCSP {
			writeOCSPDetails(report, st.OCSPResponse)
		}
		fmt.Fprintf(report, "---\n")
		if co.SessOut != "" {
			if err := writeSessionFile(co.SessOut, ccfg.ClientSessionCache); err != nil {
				fmt.Fprintf(report, "-sess-out: %v\n", err)
			}
		}
	}

	out, err := m.Start(nil)
	if werr := c.write(out); err == nil {
		err = werr
	}
	if err == nil {
		err = c.runUntil(func() bool { return c.handshakes > 0 }, co.Timeout)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", addr, explain(err))
	}
	if co.Renegotiate {
		fmt.Fprintf(report, "RENEGOTIATING\n")
		if err := c.renegotiate(); err != nil {
			return fmt.Errorf("renegotiation: %w", explain(err))
		}
		if err := c.runUntil(func() bool { return c.handshakes > 1 || refused }, co.Timeout); err != nil {
			return fmt.Errorf("renegotiation: %w", explain(err))
		}
		if refused {
			return errors.New("renegotiation refused by the server (an OpenSSL s_server needs -client_renegotiation)")
		}
	}
	if stdin == nil {
		if err := c.closeNotify(); err != nil {
			return err
		}
		// The server's close_notify, if it answers, ends the connection;
		// one that just closes is not an error here.
		_ = c.runUntil(func() bool { return c.peerClosed }, co.Timeout)
		return nil
	}
	return clientData(c, co, stdin, report)
}

// clientData copies stdin to the connection and the connection to stdout
// (through c.onData) until the server closes. A line holding only "R"
// starts a renegotiation instead, unless -nocommands. At the end of stdin
// it sends close_notify and waits for the server's.
func clientData(c *tlsConn, co clientOptions, stdin io.Reader, report io.Writer) error {
	lines := make(chan []byte)
	done := make(chan struct{})
	defer close(done)
	var stdinErr error
	go func() {
		defer close(lines)
		br := bufio.NewReaderSize(stdin, 16<<10)
		for {
			b, err := br.ReadSlice('\n')
			if len(b) > 0 {
				select {
				case lines <- bytes.Clone(b):
				case <-done:
					return
				}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err != nil {
				if err != io.EOF {
					stdinErr = err
				}
				return
			}
		}
	}()
	// After our close_notify, the server gets co.Timeout of silence to
	// answer before we give up waiting.
	var closeWait <-chan time.Time
	for {
		// The server's data first: a client that keeps writing while the
		// server's answers pile up would block both sides in write.
		select {
		case chunk, ok := <-c.chunks:
			if ok {
				if err := c.feed(chunk); err != nil {
					return fmt.Errorf("reading: %w", explain(err))
				}
				if c.peerClosed {
					return c.closeNotify()
				}
				continue
			}
			if err := c.eof(); err != nil {
				return fmt.Errorf("reading: %w", explain(err))
			}
			return nil
		default:
		}
		select {
		case chunk, ok := <-c.chunks:
			if !ok {
				if err := c.eof(); err != nil {
					return fmt.Errorf("reading: %w", explain(err))
				}
				return nil
			}
			if err := c.feed(chunk); err != nil {
				return fmt.Errorf("reading: %w", explain(err))
			}
			if c.peerClosed {
				// The server ended the session, perhaps while input was
				// still coming, as in s_client.
				return c.closeNotify()
			}
			if closeWait != nil {
				closeWait = time.After(co.Timeout)
			}
		case line, ok := <-lines:
			if !ok {
				lines = nil
				if stdinErr != nil {
					fmt.Fprintf(report, "reading stdin: %v\n", stdinErr)
				}
				if err := c.closeNotify(); err != nil {
					return fmt.Errorf("writing: %w", explain(err))
				}
				closeWait = time.After(co.Timeout)
				continue
			}
			if !co.NoCommands && (string(line) == "R\n" || string(line) == "R\r\n") {
				fmt.Fprintf(report, "RENEGOTIATING\n")
				if err := c.renegotiate(); err != nil {
					return fmt.Errorf("renegotiation: %w", explain(err))
				}
				continue
			}
			if err := c.send(line); err != nil {
				return fmt.Errorf("writing: %w", explain(err))
			}
		case <-closeWait:
			fmt.Fprintf(report, "no close_notify from the server within %v of ours\n", co.Timeout)
			return nil
		}
	}
}
