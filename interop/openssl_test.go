//go:build unix

package interop

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sanstls/sanstls/machine"
)

// startSServer starts `openssl s_server -tls1_2` with extra arguments.
func startSServer(t *testing.T, extra ...string) int {
	t.Helper()
	bin := requirePeer(t, "openssl")
	_, port := startServerProc(t, "ACCEPT", bin, func(port int) []string {
		return append([]string{"s_server", "-accept", "127.0.0.1:" + strconv.Itoa(port), "-tls1_2"}, extra...)
	})
	return port
}

// getPage sends a GET request over our client and reads the reply to its
// end: io.EOF, which netconn returns only after the server's close_notify.
func getPage(t *testing.T, port int, cfg *machine.Config) (string, machine.ConnectionState, error) {
	t.Helper()
	c, err := dial(t, "127.0.0.1:"+strconv.Itoa(port), cfg)
	if err != nil {
		return "", machine.ConnectionState{}, err
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		return "", c.MachineState(), err
	}
	page, err := io.ReadAll(c)
	return string(page), c.MachineState(), err
}

// TestOurClientWithOpenSSLServer connects our client to `openssl s_server
// -www` for every default suite, every group, with ALPN, with SNI and with
// a client certificate.
func TestOurClientWithOpenSSLServer(t *testing.T) {
	p := testPKI(t)
	f := p.writeFiles(t)
	port := startSServer(t, "-www", "-cert", f.rsaCert, "-key", f.rsaKey, "-dcert", f.ecdsaCert, "-dkey", f.ecdsaKey,
		"-alpn", "h2,http/1.1")
	t.Run("suites", func(t *testing.T) {
		for _, sc := range defaultSuites(t) {
			cfg := clientConfig(p)
			cfg.CipherSuites = []uint16{sc.id}
			page, st, err := getPage(t, port, cfg)
			if err != nil {
				t.Errorf("%s: %v (a truncated or failed read: no clean close_notify)\n%s", sc.name, err, page)
				continue
			}
			if st.CipherSuite != sc.id || st.Version != 0x0303 || !st.ExtendedMasterSecret || !st.SecureRenegotiation {
				t.Errorf("%s: negotiated %+v", sc.name, st)
			}
			if isRSA := st.PeerCertificates[0].Subject.CommonName == "localhost rsa"; isRSA != sc.rsa {
				t.Errorf("%s: got the certificate of %s", sc.name, st.PeerCertificates[0].Subject)
			}
			if !strings.Contains(page, "Cipher is "+sc.ossl) || !strings.Contains(page, "TLSv1.2") {
				t.Errorf("%s: s_server's page does not show the suite:\n%s", sc.name, page)
			}
		}
	})
	t.Run("groups", func(t *testing.T) {
		for _, g := range groupCases {
			cfg := clientConfig(p)
			cfg.Groups = []machine.Group{g.group}
			// RSA suites: a client offering only X25519 or P-384 cannot get
			// the P-256 ECDSA certificate (RFC 8422, Section 5.1).
			cfg.CipherSuites = []uint16{machine.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
			page, st, err := getPage(t, port, cfg)
			if err != nil || st.Group != g.group {
				t.Errorf("%s: group %v, %v\n%s", g.ossl, st.Group, err, page)
			}
		}
	})
	t.Run("alpn", func(t *testing.T) {
		cfg := clientConfig(p)
		cfg.NextProtos = []string{"http/1.1", "h2"}
		if _, st, err := getPage(t, port, cfg); err != nil || st.NegotiatedProtocol != "h2" {
			t.Errorf("ALPN: %q, %v", st.NegotiatedProtocol, err)
		}
		cfg.NextProtos = []string{"http/1.1"}
		if _, st, err := getPage(t, port, cfg); err != nil || st.NegotiatedProtocol != "http/1.1" {
			t.Errorf("ALPN: %q, %v", st.NegotiatedProtocol, err)
		}
	})
	t.Run("sni", func(t *testing.T) {
		// The -servername context of s_server loses -alpn, so SNI gets an
		// instance of its own (shared/guide/interop.md, pitfall 11).
		sniPort := startSServer(t, "-www", "-cert", f.ecdsaCert, "-key", f.ecdsaKey,
			"-servername", "other.example", "-cert2", f.otherCert, "-key2", f.otherKey)
		for _, name := range []string{"other.example", "localhost"} {
			cfg := clientConfig(p)
			cfg.ServerName = name
			_, st, err := getPage(t, sniPort, cfg)
			if err != nil || st.PeerCertificates[0].Subject.CommonName != name {
				t.Errorf("SNI %s: %v", name, err)
			}
		}
	})
	t.Run("client-certificate", func(t *testing.T) {
		authPort := startSServer(t, "-www", "-cert", f.ecdsaCert, "-key", f.ecdsaKey,
			"-Verify", "1", "-CAfile", f.ca, "-verify_return_error")
		cfg := clientConfig(p)
		cfg.Certificates = []machine.Certificate{p.machineCert(p.client)}
		page, _, err := getPage(t, authPort, cfg)
		if err != nil || !strings.Contains(page, "TLSv1.2") {
			t.Errorf("with a client certificate: %v\n%s", err, page)
		}
		_, _, err = getPage(t, authPort, clientConfig(p))
		var ae *machine.AlertError
		if !errors.As(err, &ae) || !ae.Remote {
			t.Errorf("without a client certificate: %v, want a fatal alert from s_server", err)
		}
	})
}

// runSClient runs `openssl s_client -tls1_2` against our server with extra
// arguments, sends line and waits for it to exit; it returns the output.
func runSClient(t *testing.T, port int, line string, extra ...string) string {
	t.Helper()
	bin := requirePeer(t, "openssl")
	args := append([]string{"s_client", "-connect", "127.0.0.1:" + strconv.Itoa(port), "-tls1_2"}, extra...)
	pr := startProc(t, procOptions{}, bin, args...)
	if _, err := io.WriteString(pr.stdin, line); err != nil {
		t.Fatalf("writing to s_client: %v", err)
	}
	// stdin stays open: s_client ends on our close_notify, not on EOF.
	if err := pr.wait(); err != nil {
		t.Errorf("s_client %q: %v\n%s", extra, err, pr.out.String())
	}
	return pr.out.String()
}

// checkSClient checks s_client's report of a clean TLS 1.2 session.
func checkSClient(t *testing.T, out string, wants ...string) {
	t.Helper()
	wants = append(wants, "Protocol  : TLSv1.2", "Extended master secret: yes", "Secure Renegotiation IS supported",
		"Verify return code: 0 (ok)", "sanstls answers over ")
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("s_client output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "unexpected eof") {
		t.Errorf("s_client saw no close_notify:\n%s", out)
	}
}

// serverCerts are our server's certificates: ECDSA and RSA for localhost,
// and an ECDSA one for other.example.
func serverConfig(p *pki) *machine.Config {
	return &machine.Config{
		Certificates: []machine.Certificate{p.machineCert(p.ecdsa), p.machineCert(p.rsa), p.machineCert(p.other)},
		NextProtos:   []string{"h2", "http/1.1"},
	}
}

// checkResult checks what our server saw: a clean close both ways.
func checkResult(t *testing.T, what string, r serverResult) machine.ConnectionState {
	t.Helper()
	if r.err != nil {
		t.Errorf("%s: our server: %v", what, r.err)
	}
	if r.err == nil && string(r.received) != "hello\n" {
		t.Errorf("%s: our server received %q", what, r.received)
	}
	return r.state
}

// TestOpenSSLClientWithOurServer runs `openssl s_client` against our
// server: every default suite, every group, ALPN and SNI.
func TestOpenSSLClientWithOurServer(t *testing.T) {
	p := testPKI(t)
	f := p.writeFiles(t)
	srv := startOurServer(t, serverConfig(p), respond)
	common := []string{"-servername", "localhost", "-CAfile", f.ca, "-verify_return_error"}
	t.Run("suites", func(t *testing.T) {
		for _, sc := range defaultSuites(t) {
			out := runSClient(t, srv.port, "hello\n", append(common, "-cipher", sc.ossl)...)
			checkSClient(t, out, "Cipher    : "+sc.ossl, "sanstls answers over "+sc.name)
			if st := checkResult(t, sc.name, srv.next(t)); st.CipherSuite != sc.id {
				t.Errorf("%s: our server negotiated %#04x", sc.name, st.CipherSuite)
			}
		}
	})
	t.Run("groups", func(t *testing.T) {
		for _, g := range groupCases {
			out := runSClient(t, srv.port, "hello\n", append(common, "-groups", g.ossl, "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")...)
			checkSClient(t, out, g.osslKey)
			if st := checkResult(t, g.ossl, srv.next(t)); st.Group != g.group {
				t.Errorf("%s: our server negotiated %v", g.ossl, st.Group)
			}
		}
	})
	t.Run("alpn", func(t *testing.T) {
		out := runSClient(t, srv.port, "hello\n", append(common, "-alpn", "http/1.1,h2")...)
		checkSClient(t, out, "ALPN protocol: h2")
		if st := checkResult(t, "ALPN", srv.next(t)); st.NegotiatedProtocol != "h2" {
			t.Errorf("ALPN: our server negotiated %q", st.NegotiatedProtocol)
		}
	})
	t.Run("sni", func(t *testing.T) {
		out := runSClient(t, srv.port, "hello\n", "-servername", "other.example", "-CAfile", f.ca, "-verify_return_error")
		checkSClient(t, out, "subject=CN = other.example")
		if st := checkResult(t, "SNI", srv.next(t)); st.ServerName != "other.example" {
			t.Errorf("SNI: our server saw %q", st.ServerName)
		}
		out = runSClient(t, srv.port, "hello\n", "-noservername", "-CAfile", f.ca, "-verify_return_error")
		checkSClient(t, out, "subject=CN = localhost")
		if st := checkResult(t, "no SNI", srv.next(t)); st.ServerName != "" {
			t.Errorf("no SNI: our server saw %q", st.ServerName)
		}
	})
}

// sink is a server handler that hashes everything the client sends until
// its close_notify, then sends ours.
func sink(c *watched) serverResult {
	if err := c.Handshake(); err != nil {
		return serverResult{err: fmt.Errorf("handshake: %w", err)}
	}
	r := serverResult{state: c.MachineState()}
	sum, n, err := hashAll(c)
	r.received = sum[:]
	if err != nil {
		r.err = fmt.Errorf("after %d bytes: %w", n, err)
		return r
	}
	// The client has said all; answer its close_notify with ours. It may
	// already have closed the socket, so a failure here is not an error of
	// the exchange it checks.
	_ = c.CloseWrite()
	return r
}

// source is a server handler that sends the bulk data, then close_notify,
// and waits for the client's.
func source(c *watched) serverResult {
	if err := c.Handshake(); err != nil {
		return serverResult{err: fmt.Errorf("handshake: %w", err)}
	}
	r := serverResult{state: c.MachineState()}
	data, _ := bulkData()
	if _, err := c.Write(data); err != nil {
		r.err = fmt.Errorf("sending: %w", err)
		return r
	}
	r.err = closeAndDrain(c)
	return r
}

// sourceServerClosesFirst sends the bulk data, then close_notify, and does
// not wait for the client's: gnutls-cli with an empty stdin exits once it has
// our close_notify (its log then says "Peer has closed the GnuTLS
// connection", which the caller checks), and whether it sends its own first
// depends on when its event loop notices the end of stdin.
func sourceServerClosesFirst(c *watched) serverResult {
	if err := c.Handshake(); err != nil {
		return serverResult{err: fmt.Errorf("handshake: %w", err)}
	}
	r := serverResult{state: c.MachineState()}
	data, _ := bulkData()
	if _, err := c.Write(data); err != nil {
		r.err = fmt.Errorf("sending: %w", err)
		return r
	}
	if err := c.CloseWrite(); err != nil {
		r.err = fmt.Errorf("sending close_notify: %w", err)
		return r
	}
	// Linger: read until the client goes away, whatever it sends. Closing
	// with its close_notify unread would make the kernel answer with a
	// reset, which can destroy our last records before the client reads
	// them.
	_, _ = io.Copy(io.Discard, c)
	return r
}

// bulkFile writes the bulk data to a file for a peer's stdin.
func bulkFile(t *testing.T, dir string) string {
	t.Helper()
	data, _ := bulkData()
	path := filepath.Join(dir, "bulk.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOpenSSLBulk moves bulkSize() bytes (256 KiB; 10 MiB under -long) each
// way between s_client and our server and checks the SHA-256 and the
// close_notify exchange at the end of each.
func TestOpenSSLBulk(t *testing.T) {
	bin := requirePeer(t, "openssl")
	p := testPKI(t)
	f := p.writeFiles(t)
	_, want := bulkData()
	args := func(port int, extra ...string) []string {
		return append([]string{"s_client", "-connect", "127.0.0.1:" + strconv.Itoa(port), "-tls1_2",
			"-servername", "localhost", "-CAfile", f.ca, "-verify_return_error"}, extra...)
	}
	t.Run("upload", func(t *testing.T) {
		srv := startOurServer(t, serverConfig(p), sink)
		in, err := os.Open(bulkFile(t, f.dir))
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		// Without -quiet, s_client sends close_notify at the end of its
		// input; -nocommands keeps it from taking lines of the binary data
		// that start with Q or R for commands.
		pr := startProc(t, procOptions{stdin: in}, bin, args(srv.port, "-nocommands")...)
		r := srv.next(t)
		if r.err != nil {
			t.Fatalf("our server: %v\n%s", r.err, pr.out.String())
		}
		if !bytes.Equal(r.received, want[:]) {
			t.Errorf("SHA-256 of the upload %x, want %x", r.received, want)
		}
		if err := pr.wait(); err != nil {
			t.Errorf("s_client: %v\n%s", err, pr.out.String())
		}
		if strings.Contains(pr.out.String(), "unexpected eof") {
			t.Errorf("s_client saw no close_notify:\n%s", pr.out.String())
		}
	})
	t.Run("download", func(t *testing.T) {
		srv := startOurServer(t, serverConfig(p), source)
		h := sha256.New()
		// -quiet: only the data on stdout (and stdin's end is ignored).
		pr := startProc(t, procOptions{stdout: h}, bin, args(srv.port, "-quiet")...)
		srv.peer.Store(pr)
		r := srv.next(t)
		if r.err != nil {
			t.Errorf("our server: %v (s_client did not answer close_notify)", r.err)
		}
		if err := pr.wait(); err != nil {
			t.Errorf("s_client: %v\n%s", err, pr.out.String())
		}
		if got, n := h.Sum(nil), pr.stdout.n.Load(); !bytes.Equal(got, want[:]) || n != bulkSize() {
			t.Errorf("s_client received %d bytes with SHA-256 %x, want %d, %x\n%s", n, got, bulkSize(), want, pr.out.String())
		}
		if strings.Contains(pr.out.String(), "unexpected eof") {
			t.Errorf("s_client saw no close_notify:\n%s", pr.out.String())
		}
	})
}
