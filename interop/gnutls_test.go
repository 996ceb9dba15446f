//go:build unix

package interop

import (
	"bufio"
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

// Wire values that Config.Trace reports (RFC 5246, Sections 6.2.1 and 7.4).
const (
	contentHandshake       machine.ContentType = 22
	typeCertificate                            = 11
	typeCertificateRequest                     = 13
)

// startGnuTLSServer starts `gnutls-serv --echo` for TLS 1.2 with extra
// arguments. It binds every interface (it has no bind option), on a free
// port below 32768. Unless extra has -a, it sends CertificateRequest.
func startGnuTLSServer(t *testing.T, extra ...string) (int, *proc) {
	t.Helper()
	bin := requirePeer(t, "gnutls-serv")
	pr, port := startServerProc(t, "...done", bin, func(port int) []string {
		return append([]string{"-p", strconv.Itoa(port), "--echo", "--priority", gnutlsTLS12}, extra...)
	})
	return port, pr
}

// echo sends a line over our client, reads it back and ends with a
// close_notify exchange.
func echo(t *testing.T, port int, cfg *machine.Config) (machine.ConnectionState, error) {
	t.Helper()
	c, err := dial(t, "127.0.0.1:"+strconv.Itoa(port), cfg)
	if err != nil {
		return machine.ConnectionState{}, err
	}
	defer c.Close()
	st := c.MachineState()
	if _, err := io.WriteString(c, "hello\n"); err != nil {
		return st, err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return st, fmt.Errorf("reading the echo: %w", err)
	}
	if line != "hello\n" {
		return st, fmt.Errorf("echo %q", line)
	}
	return st, closeAndDrain(c)
}

// TestOurClientWithGnuTLSServer connects our client to gnutls-serv: every
// default suite, every group, ALPN, SNI and client certificates. The
// default server sends CertificateRequest, which our client answers with
// an empty Certificate.
func TestOurClientWithGnuTLSServer(t *testing.T) {
	p := testPKI(t)
	f := p.writeFiles(t)
	port, srv := startGnuTLSServer(t, "--x509certfile", f.rsaCert, "--x509keyfile", f.rsaKey,
		"--x509certfile", f.ecdsaCert, "--x509keyfile", f.ecdsaKey, "--alpn=h2", "--alpn=http/1.1")
	t.Run("suites", func(t *testing.T) {
		for _, sc := range defaultSuites(t) {
			cfg := clientConfig(p)
			cfg.CipherSuites = []uint16{sc.id}
			var sawRequest, sentEmpty bool
			cfg.Trace = func(sent bool, typ machine.ContentType, body []byte) {
				switch {
				case typ != contentHandshake || len(body) == 0:
				case !sent && body[0] == typeCertificateRequest:
					sawRequest = true
				case sent && body[0] == typeCertificate:
					// RFC 5246, Section 7.4.6: with no suitable certificate
					// the client sends an empty certificate_list: a 4-byte
					// header and a zero 24-bit length.
					sentEmpty = len(body) == 7
				}
			}
			st, err := echo(t, port, cfg)
			if err != nil {
				t.Errorf("%s: %v\n%s", sc.name, err, srv.out.String())
				continue
			}
			if !sawRequest || !sentEmpty {
				t.Errorf("%s: CertificateRequest received %v, empty Certificate sent %v", sc.name, sawRequest, sentEmpty)
			}
			if st.CipherSuite != sc.id || !st.ExtendedMasterSecret || !st.SecureRenegotiation {
				t.Errorf("%s: negotiated %+v", sc.name, st)
			}
			if isRSA := st.PeerCertificates[0].Subject.CommonName == "localhost rsa"; isRSA != sc.rsa {
				t.Errorf("%s: got the certificate of %s", sc.name, st.PeerCertificates[0].Subject)
			}
		}
		for _, sc := range defaultSuites(t) {
			if err := srv.waitOutput(sc.gnutlsD); err != nil {
				t.Errorf("gnutls-serv never reports %s: %v\n%s", sc.gnutlsD, err, srv.out.String())
			}
		}
	})
	t.Run("groups", func(t *testing.T) {
		for _, g := range groupCases {
			cfg := clientConfig(p)
			cfg.Groups = []machine.Group{g.group}
			cfg.CipherSuites = []uint16{machine.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
			if st, err := echo(t, port, cfg); err != nil || st.Group != g.group {
				t.Errorf("%s: group %v, %v", g.gnutls, st.Group, err)
			}
			// gnutls-serv logs the session after it ends: wait for the line.
			if err := srv.waitOutput("(ECDHE-" + g.gnutls + ")"); err != nil {
				t.Errorf("gnutls-serv does not report ECDHE-%s: %v", g.gnutls, err)
			}
		}
	})
	t.Run("alpn", func(t *testing.T) {
		for _, protos := range [][]string{{"h2"}, {"http/1.1"}, {"spdy/1", "http/1.1"}} {
			cfg := clientConfig(p)
			cfg.NextProtos = protos
			st, err := echo(t, port, cfg)
			if err != nil || st.NegotiatedProtocol != protos[len(protos)-1] {
				t.Errorf("ALPN %q: negotiated %q, %v", protos, st.NegotiatedProtocol, err)
			}
		}
	})
	t.Run("sni", func(t *testing.T) {
		sniPort, _ := startGnuTLSServer(t, "-a", "--x509certfile", f.ecdsaCert, "--x509keyfile", f.ecdsaKey,
			"--sni-hostname", "localhost", "--sni-hostname-fatal")
		if _, err := echo(t, sniPort, clientConfig(p)); err != nil {
			t.Errorf("SNI localhost: %v", err)
		}
		cfg := clientConfig(p)
		cfg.ServerName = "other.example"
		_, err := echo(t, sniPort, cfg)
		var ae *machine.AlertError
		if !errors.As(err, &ae) || !ae.Remote || ae.Alert != 112 {
			t.Errorf("SNI other.example: %v, want a fatal unrecognized_name alert from gnutls-serv", err)
		}
	})
	t.Run("client-certificate", func(t *testing.T) {
		authPort, _ := startGnuTLSServer(t, "--x509certfile", f.ecdsaCert, "--x509keyfile", f.ecdsaKey,
			"--x509cafile", f.ca, "--require-client-cert", "--verify-client-cert")
		cfg := clientConfig(p)
		cfg.Certificates = []machine.Certificate{p.machineCert(p.client)}
		if _, err := echo(t, authPort, cfg); err != nil {
			t.Errorf("with a client certificate: %v", err)
		}
		_, err := echo(t, authPort, clientConfig(p))
		var ae *machine.AlertError
		if !errors.As(err, &ae) || !ae.Remote {
			t.Errorf("without a client certificate: %v, want a fatal alert from gnutls-serv", err)
		}
	})
}

// runGnuTLSCli runs gnutls-cli against our server on 127.0.0.1 with line
// as its whole input, and waits for it to exit. At the end of its input
// gnutls-cli sends close_notify and keeps reading until the server closes.
// (It does not answer a close_notify that comes first: it then just exits,
// so the tests let it close first.)
func runGnuTLSCli(t *testing.T, port int, line string, extra ...string) string {
	t.Helper()
	bin := requirePeer(t, "gnutls-cli")
	args := append([]string{"-p", strconv.Itoa(port)}, extra...)
	pr := startProc(t, procOptions{stdin: strings.NewReader(line)}, bin, append(args, "127.0.0.1")...)
	if err := pr.wait(); err != nil {
		t.Errorf("gnutls-cli %q: %v\n%s", extra, err, pr.out.String())
	}
	return pr.out.String()
}

func checkGnuTLSCli(t *testing.T, out string, wants ...string) {
	t.Helper()
	wants = append(wants, "- Description: (TLS1.2-X.509)-(ECDHE-", "- Options: extended master secret, safe renegotiation,",
		"- Status: The certificate is trusted.", "sanstls answers over ", "- Peer has closed the GnuTLS connection")
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("gnutls-cli output lacks %q:\n%s", w, out)
		}
	}
}

// TestGnuTLSClientWithOurServer runs gnutls-cli against our server: every
// default suite, every group, ALPN and SNI.
func TestGnuTLSClientWithOurServer(t *testing.T) {
	p := testPKI(t)
	f := p.writeFiles(t)
	srv := startOurServer(t, serverConfig(p), respondClientCloses)
	common := []string{"--x509cafile", f.ca, "--sni-hostname", "localhost"}
	t.Run("suites", func(t *testing.T) {
		for _, sc := range defaultSuites(t) {
			out := runGnuTLSCli(t, srv.port, "hello\n", append(common, "--priority", sc.gnutlsP)...)
			checkGnuTLSCli(t, out, sc.gnutlsD, "sanstls answers over "+sc.name)
			if st := checkResult(t, sc.name, srv.next(t)); st.CipherSuite != sc.id {
				t.Errorf("%s: our server negotiated %#04x", sc.name, st.CipherSuite)
			}
		}
	})
	t.Run("groups", func(t *testing.T) {
		for _, g := range groupCases {
			out := runGnuTLSCli(t, srv.port, "hello\n", append(common, "--priority", gnutlsTLS12+":-GROUP-ALL:+GROUP-"+g.gnutls)...)
			checkGnuTLSCli(t, out, "(ECDHE-"+g.gnutls+")")
			if st := checkResult(t, g.gnutls, srv.next(t)); st.Group != g.group {
				t.Errorf("%s: our server negotiated %v", g.gnutls, st.Group)
			}
		}
	})
	t.Run("alpn", func(t *testing.T) {
		out := runGnuTLSCli(t, srv.port, "hello\n", append(common, "--priority", gnutlsTLS12, "--alpn=http/1.1", "--alpn=h2")...)
		checkGnuTLSCli(t, out, "- Application protocol: h2")
		if st := checkResult(t, "ALPN", srv.next(t)); st.NegotiatedProtocol != "h2" {
			t.Errorf("ALPN: our server negotiated %q", st.NegotiatedProtocol)
		}
	})
	t.Run("sni", func(t *testing.T) {
		out := runGnuTLSCli(t, srv.port, "hello\n", "--x509cafile", f.ca, "--priority", gnutlsTLS12,
			"--sni-hostname", "other.example", "--verify-hostname", "other.example")
		checkGnuTLSCli(t, out, "subject `CN=other.example'")
		if st := checkResult(t, "SNI", srv.next(t)); st.ServerName != "other.example" {
			t.Errorf("SNI: our server saw %q", st.ServerName)
		}
		out = runGnuTLSCli(t, srv.port, "hello\n", "--x509cafile", f.ca, "--priority", gnutlsTLS12, "--disable-sni")
		checkGnuTLSCli(t, out, "subject `CN=localhost'")
		if st := checkResult(t, "no SNI", srv.next(t)); st.ServerName != "" {
			t.Errorf("no SNI: our server saw %q", st.ServerName)
		}
	})
}

// TestGnuTLSBulk moves bulkSize() bytes (256 KiB; 10 MiB under -long) each
// way: through gnutls-serv's echo (our client writes and reads at once) and
// between gnutls-cli and our server.
func TestGnuTLSBulk(t *testing.T) {
	p := testPKI(t)
	f := p.writeFiles(t)
	t.Run("echo", func(t *testing.T) {
		data, want := bulkText()
		port, srv := startGnuTLSServer(t, "-q", "-a", "--x509certfile", f.ecdsaCert, "--x509keyfile", f.ecdsaKey)
		c, err := dial(t, "127.0.0.1:"+strconv.Itoa(port), clientConfig(p))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sent := make(chan error, 1)
		go func() {
			_, err := c.Write(data)
			sent <- err
		}()
		sum, n, err := hashAll(io.LimitReader(c, bulkSize()))
		if err != nil || n != bulkSize() || sum != want {
			t.Fatalf("echo: %d bytes, SHA-256 %x, %v; want %d, %x\n%s", n, sum, err, bulkSize(), want, tail(srv.out.String()))
		}
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
		if err := closeAndDrain(c); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	_, want := bulkData()
	t.Run("download", func(t *testing.T) {
		bin := requirePeer(t, "gnutls-cli")
		srv := startOurServer(t, serverConfig(p), sourceServerClosesFirst)
		h := sha256.New()
		log := filepath.Join(t.TempDir(), "gnutls-cli.log")
		// An empty input; the server sends the data and then close_notify,
		// which ends gnutls-cli.
		pr := startProc(t, procOptions{stdout: h, stdin: strings.NewReader("")}, bin, "-p", strconv.Itoa(srv.port),
			"--x509cafile", f.ca, "--sni-hostname", "localhost", "--priority", gnutlsTLS12, "--logfile="+log, "127.0.0.1")
		srv.peer.Store(pr)
		r := srv.next(t)
		if err := pr.wait(); err != nil {
			t.Errorf("gnutls-cli: %v\n%s", err, pr.out.String())
		}
		if r.err != nil {
			t.Errorf("our server: %v\n%s", r.err, readLog(log))
		}
		if got, n := h.Sum(nil), pr.stdout.n.Load(); !bytes.Equal(got, want[:]) || n != bulkSize() {
			t.Errorf("gnutls-cli received %d bytes with SHA-256 %x, want %d, %x\n%s", n, got, bulkSize(), want, readLog(log))
		}
		if !strings.Contains(pr.out.String()+readLog(log), "Peer has closed the GnuTLS connection") {
			t.Errorf("gnutls-cli did not see our close_notify:\n%s", pr.out.String())
		}
	})
	t.Run("upload", func(t *testing.T) {
		bin := requirePeer(t, "gnutls-cli")
		srv := startOurServer(t, serverConfig(p), sink)
		in, err := os.Open(bulkFile(t, f.dir))
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		log := filepath.Join(t.TempDir(), "gnutls-cli.log")
		pr := startProc(t, procOptions{stdin: in}, bin, "-p", strconv.Itoa(srv.port),
			"--x509cafile", f.ca, "--sni-hostname", "localhost", "--priority", gnutlsTLS12, "--logfile="+log, "127.0.0.1")
		r := srv.next(t)
		if r.err != nil {
			t.Fatalf("our server: %v\n%s", r.err, readLog(log))
		}
		if !bytes.Equal(r.received, want[:]) {
			t.Errorf("SHA-256 of the upload %x, want %x", r.received, want)
		}
		if err := pr.wait(); err != nil {
			t.Errorf("gnutls-cli: %v\n%s", err, readLog(log))
		}
	})
}

func readLog(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// tail is the end of a long output.
func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}
