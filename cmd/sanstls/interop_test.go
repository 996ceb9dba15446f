package main

// Interop of `sanstls client` and `sanstls server` with OpenSSL's s_server
// and s_client and GnuTLS's gnutls-serv and gnutls-cli: resumption by
// ticket and by session ID, renegotiation started by either side, OCSP
// stapling, and peers without extended master secret, in both roles, with
// the report lines checked. A missing peer program skips locally and fails
// under CI=true. Waits are bounded by progress (the output the test waits
// for), with a generous limit against hangs only.

import (
	"context"
	"fmt"
	"io"
	"math/big"
	mathrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// hangLimit bounds each wait for a peer's output. It only ends a test that
// has hung; nothing waits for it on the success path.
const hangLimit = 60 * time.Second

// needPeer returns the path of a peer program; missing, it skips the test,
// or fails it under CI=true.
func needPeer(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (CI=true: interop peers are required; .ci/run installs them)", name)
		}
		t.Skipf("%s not found (apt-get install gnutls-bin for GnuTLS)", name)
	}
	return path
}

// interopPKI is testPKI plus an OCSP response ("good") for the ECDSA
// server certificate, signed by the CA.
type interopPKI struct {
	*testPKI
	ocspFile string
	ocspDER  []byte
}

func newInteropPKI(t *testing.T) *interopPKI {
	t.Helper()
	p := &interopPKI{testPKI: newTestPKI(t)}
	leaf := sharedPKI.ec.Leaf
	now := time.Now()
	der, err := ocsp.CreateResponse(p.ca.cert, p.ca.cert, ocsp.Response{
		Status: ocsp.Good, SerialNumber: new(big.Int).Set(leaf.SerialNumber),
		ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour),
	}, p.ca.key)
	if err != nil {
		t.Fatal(err)
	}
	p.ocspDER = der
	p.ocspFile = filepath.Join(p.dir, "ec.ocsp.der")
	writeFile(t, p.ocspFile, der)
	return p
}

// noEMSConf is an OpenSSL configuration that turns extended master secret
// off (OpenSSL 3.0 has no command-line flag for it).
func noEMSConf(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "no-ems.cnf")
	writeFile(t, path, []byte("openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n"+
		"[ssl_sect]\nsystem_default = sys\n[sys]\nOptions = -ExtendedMasterSecret\n"))
	return path
}

// peer is a running peer program.
type peer struct {
	cmd   *exec.Cmd
	out   *syncBuffer // stdout and stderr
	stdin io.WriteCloser
	done  chan struct{}
}

// startPeer runs name with args (and extra environment) until the test
// ends; its process group is killed then.
func startPeer(t *testing.T, env []string, name string, args ...string) *peer {
	t.Helper()
	cmd := exec.Command(needPeer(t, name), args...)
	p := &peer{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.out.String())
		}
	})
	return p
}

// waitOutput waits until the peer's output holds want n times, failing if
// the peer exits first.
func (p *peer) waitOutput(t *testing.T, want string, n int) {
	t.Helper()
	limit := time.After(hangLimit)
	for strings.Count(p.out.String(), want) < n {
		select {
		case <-p.done:
			if strings.Count(p.out.String(), want) >= n {
				return
			}
			t.Fatalf("%s exited without printing %q %d times:\n%s", p.cmd.Path, want, n, p.out.String())
		case <-limit:
			t.Fatalf("%s did not print %q %d times:\n%s", p.cmd.Path, want, n, p.out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// wait waits for the peer to exit.
func (p *peer) wait(t *testing.T) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(hangLimit):
		t.Fatalf("%s did not exit:\n%s", p.cmd.Path, p.out.String())
	}
}

// freePort returns a port below the ephemeral range (32768 and up here),
// free on 127.0.0.1 when checked: a port the kernel hands out for
// listening can meanwhile be taken by an outgoing connection's socket
// before the peer program binds it.
func freePort(t *testing.T) string {
	t.Helper()
	for range 100 {
		port := 10000 + mathrand.IntN(22000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			ln.Close()
			return fmt.Sprint(port)
		}
	}
	t.Fatal("no free port found below 32000")
	return ""
}

// waitListening waits until something accepts on addr (the peer servers
// tolerate a connection that closes at once).
func waitListening(t *testing.T, p *peer, addr string) {
	t.Helper()
	limit := time.After(hangLimit)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited:\n%s", p.cmd.Path, p.out.String())
		case <-limit:
			t.Fatalf("%s is not listening on %s:\n%s", p.cmd.Path, addr, p.out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ourClient runs `sanstls client` in the background with stdin fed by the
// test; wait returns its error, stdout and report.
type ourClient struct {
	stdin  *io.PipeWriter
	out    *syncBuffer
	report *syncBuffer
	done   chan error
}

func startClient(t *testing.T, args ...string) *ourClient {
	t.Helper()
	r, w := io.Pipe()
	c := &ourClient{stdin: w, out: &syncBuffer{}, report: &syncBuffer{}, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { c.done <- clientCommand(ctx, args, r, c.out, c.report, noEnv) }()
	t.Cleanup(func() {
		cancel()
		w.Close()
	})
	return c
}

// waitReport waits until the client's report holds want n times.
func (c *ourClient) waitReport(t *testing.T, want string, n int) {
	t.Helper()
	limit := time.After(hangLimit)
	for strings.Count(c.report.String(), want) < n {
		select {
		case err := <-c.done:
			c.done <- err
			if strings.Count(c.report.String(), want) >= n {
				return
			}
			t.Fatalf("client ended (%v) without reporting %q %d times:\n%s", err, want, n, c.report.String())
		case <-limit:
			t.Fatalf("client did not report %q %d times:\n%s", want, n, c.report.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (c *ourClient) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-c.done:
		return err
	case <-time.After(hangLimit):
		t.Fatalf("client did not finish:\n%s", c.report.String())
		return nil
	}
}

// contains checks that text has every line in want.
func contains(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// field formats a report line as writeReport does (prefix "" or "conn N: ").
func field(label, value string) string { return fmt.Sprintf("%-24s %s\n", label+":", value) }

// --- our client against OpenSSL s_server

func startSServer(t *testing.T, p *interopPKI, env []string, args ...string) (*peer, string) {
	t.Helper()
	return startSServerEnv(t, env, p.ecCert, p.ecKey, args...)
}

func startSServerCert(t *testing.T, cert, key string, args ...string) (*peer, string) {
	t.Helper()
	return startSServerEnv(t, nil, cert, key, args...)
}

func startSServerEnv(t *testing.T, env []string, cert, key string, args ...string) (*peer, string) {
	t.Helper()
	port := freePort(t)
	addr := "127.0.0.1:" + port
	base := []string{"s_server", "-accept", addr, "-tls1_2", "-cert", cert, "-key", key}
	s := startPeer(t, env, "openssl", append(base, args...)...)
	waitListening(t, s, addr)
	return s, addr
}

func clientArgs(p *interopPKI, addr string, extra ...string) []string {
	return append([]string{"-connect", addr, "-servername", "localhost", "-cafile", p.caFile, "-timeout", "60s"}, extra...)
}

func TestInteropClientResumeOpenSSL(t *testing.T) {
	p := newInteropPKI(t)
	for _, tc := range []struct {
		name, issued, reused string
		serverArgs           []string
	}{
		{"ticket", "New (ticket issued)", "Reused (ticket)", nil},
		{"session ID", "New (session ID issued)", "Reused (session ID)", []string{"-no_ticket"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, addr := startSServer(t, p, nil, append([]string{"-www"}, tc.serverArgs...)...)
			out, report, err := client(t, "GET / HTTP/1.0\r\n\r\n", clientArgs(p, addr, "-reconnect", "2")...)
			if err != nil {
				t.Fatalf("%v\n%s", err, report)
			}
			contains(t, "report", report, field("Session", tc.issued))
			if n := strings.Count(report, field("Session", tc.reused)); n != 2 {
				t.Errorf("report shows %d resumptions, want 2:\n%s", n, report)
			}
			contains(t, "s_server page", out, "Reused, TLSv1.2")
			// -sess-out, then a new process with -sess-in resumes.
			sess := filepath.Join(t.TempDir(), "sess.pem")
			if _, report, err = client(t, "", clientArgs(p, addr, "-sess-out", sess)...); err != nil {
				t.Fatalf("-sess-out: %v\n%s", err, report)
			}
			out, report, err = client(t, "GET / HTTP/1.0\r\n\r\n", clientArgs(p, addr, "-sess-in", sess)...)
			if err != nil {
				t.Fatalf("-sess-in: %v\n%s", err, report)
			}
			contains(t, "-sess-in report", report, field("Session", tc.reused))
			contains(t, "s_server page", out, "Reused, TLSv1.2")
		})
	}
}

func TestInteropClientRenegotiateOpenSSL(t *testing.T) {
	p := newInteropPKI(t)
	t.Run("client-initiated", func(t *testing.T) {
		_, addr := startSServer(t, p, nil, "-www", "-client_renegotiation")
		out, report, err := client(t, "GET / HTTP/1.0\r\n\r\n", clientArgs(p, addr, "-renegotiate")...)
		if err != nil {
			t.Fatalf("%v\n%s", err, report)
		}
		contains(t, "report", report, "RENEGOTIATING\n", "--- renegotiation 1 done\n", field("Renegotiations", "1"))
		contains(t, "s_server page", out, "Protocol  : TLSv1.2")
	})
	t.Run("refused", func(t *testing.T) {
		_, addr := startSServer(t, p, nil, "-www")
		_, report, err := client(t, "", clientArgs(p, addr, "-renegotiate")...)
		if err == nil || !strings.Contains(err.Error(), "renegotiation refused") {
			t.Errorf("renegotiation against a refusing server: %v\n%s", err, report)
		}
		contains(t, "report", report, "warning alert no_renegotiation")
	})
	t.Run("server-initiated", func(t *testing.T) {
		s, addr := startSServer(t, p, nil)
		c := startClient(t, clientArgs(p, addr, "-renegotiation", "accept")...)
		c.waitReport(t, field("Session", "New (ticket issued)"), 1)
		io.WriteString(c.stdin, "before\n")
		s.waitOutput(t, "before\n", 1)
		io.WriteString(s.stdin, "r\n") // s_server: send HelloRequest
		c.waitReport(t, "--- renegotiation 1 done\n", 1)
		io.WriteString(c.stdin, "after\n")
		s.waitOutput(t, "after\n", 1)
		c.stdin.Close()
		if err := c.wait(t); err != nil {
			t.Fatalf("%v\n%s", err, c.report.String())
		}
		contains(t, "report", c.report.String(), field("Renegotiations", "1"))
	})
}

func TestInteropClientOCSPOpenSSL(t *testing.T) {
	p := newInteropPKI(t)
	_, addr := startSServer(t, p, nil, "-www", "-status_file", p.ocspFile)
	_, report, err := client(t, "GET / HTTP/1.0\r\n\r\n", clientArgs(p, addr, "-ocsp")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	contains(t, "report", report, "OCSP:                    good (this update ", "; signature checked)\n", "  Cert Status: good\n")
}

func TestInteropClientNoEMSOpenSSL(t *testing.T) {
	p := newInteropPKI(t)
	_, addr := startSServer(t, p, []string{"OPENSSL_CONF=" + noEMSConf(t, p.dir)}, "-www")
	_, report, err := client(t, "", clientArgs(p, addr)...)
	if err == nil || !strings.Contains(err.Error(), "missing_ems; -allow-no-ems to accept") ||
		!strings.Contains(err.Error(), "sent fatal alert handshake_failure") {
		t.Errorf("without -allow-no-ems: %v, want a handshake_failure naming the flag\n%s", err, report)
	}
	out, report, err := client(t, "GET / HTTP/1.0\r\n\r\n", clientArgs(p, addr, "-allow-no-ems", "-reconnect", "1")...)
	if err != nil {
		t.Fatalf("with -allow-no-ems: %v\n%s", err, report)
	}
	contains(t, "report", report, field("Extended master secret", "no"), field("Session", "Reused (ticket)"))
	contains(t, "s_server page", out, "Reused, TLSv1.2")
}

// --- OpenSSL s_client against our server

// sClient starts s_client against addr; the test writes its stdin.
func sClient(t *testing.T, p *interopPKI, env []string, addr string, extra ...string) *peer {
	t.Helper()
	args := append([]string{"s_client", "-connect", addr, "-servername", "localhost", "-CAfile", p.caFile,
		"-verify_return_error", "-tls1_2"}, extra...)
	return startPeer(t, env, "openssl", args...)
}

func TestInteropServerResumeOpenSSL(t *testing.T) {
	p := newInteropPKI(t)
	for _, tc := range []struct {
		name, issued, reused string
		clientArgs           []string
	}{
		{"ticket", "New (ticket issued)", "Reused (ticket)", nil},
		{"session ID", "New (session ID issued)", "Reused (session ID)", []string{"-no_ticket"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, log, stop := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-www", "-max-conns", "6")
			c := sClient(t, p, nil, addr, append([]string{"-reconnect"}, tc.clientArgs...)...)
			c.stdin.Close()
			c.wait(t)
			if n := strings.Count(c.out.String(), "Reused, TLSv1.2"); n != 5 {
				t.Errorf("s_client resumed %d times, want 5:\n%s", n, c.out.String())
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			l := log.String()
			contains(t, "server log", l, "conn 1: "+field("Session", tc.issued))
			if n := strings.Count(l, field("Session", tc.reused)); n != 5 {
				t.Errorf("server log shows %d resumptions, want 5:\n%s", n, l)
			}
		})
	}
}

func TestInteropServerRenegotiateOpenSSL(t *testing.T) {
	p := newInteropPKI(t)
	t.Run("client-initiated", func(t *testing.T) {
		addr, log, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-renegotiation", "accept")
		c := sClient(t, p, nil, addr)
		c.waitOutput(t, "Verify return code: 0 (ok)", 1)
		io.WriteString(c.stdin, "R\n") // s_client: renegotiate
		waitFor(t, func() bool { return strings.Contains(log.String(), "conn 1: renegotiation 1 done\n") }, log)
		io.WriteString(c.stdin, "after\n")
		c.waitOutput(t, "after\n", 1) // echoed under the new keys
		c.stdin.Close()
		c.wait(t)
		waitFor(t, func() bool { return strings.Contains(log.String(), "close_notify received and sent") }, log)
		contains(t, "server log", log.String(), "conn 1: "+field("Renegotiations", "1"))
	})
	t.Run("refused", func(t *testing.T) {
		addr, log, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey)
		c := sClient(t, p, nil, addr)
		c.waitOutput(t, "Verify return code: 0 (ok)", 1)
		io.WriteString(c.stdin, "R\n")
		c.waitOutput(t, "no renegotiation", 1)
		c.stdin.Close()
		c.wait(t)
		if strings.Contains(log.String(), "renegotiation 1 done") {
			t.Errorf("server renegotiated without -renegotiation:\n%s", log.String())
		}
	})
	t.Run("server-initiated", func(t *testing.T) {
		addr, log, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-renegotiation", "initiate-after=6")
		c := sClient(t, p, nil, addr, "-msg")
		c.waitOutput(t, "Verify return code: 0 (ok)", 1)
		io.WriteString(c.stdin, "hello\n")
		waitFor(t, func() bool { return strings.Contains(log.String(), "conn 1: renegotiation 1 done\n") }, log)
		io.WriteString(c.stdin, "after\n")
		c.waitOutput(t, "after\n", 1)
		c.stdin.Close()
		c.wait(t)
		contains(t, "server log", log.String(), "conn 1: sending HelloRequest after 6 bytes\n", "conn 1: "+field("Renegotiations", "1"))
		contains(t, "s_client -msg", c.out.String(), "HelloRequest")
	})
}

func TestInteropServerOCSPOpenSSL(t *testing.T) {
	p := newInteropPKI(t)
	addr, log, stop := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-ocsp", p.ocspFile, "-max-conns", "2")
	c := sClient(t, p, nil, addr, "-status")
	c.stdin.Close()
	c.wait(t)
	contains(t, "s_client -status", c.out.String(), "OCSP Response Status: successful", "Cert Status: good")
	c = sClient(t, p, nil, addr)
	c.stdin.Close()
	c.wait(t)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	contains(t, "server log", log.String(), fmt.Sprintf("conn 1: "+field("OCSP", "stapled (%d bytes)"), len(p.ocspDER)),
		"conn 2: "+field("OCSP", "not requested by the client"))
}

func TestInteropServerNoEMSOpenSSL(t *testing.T) {
	p := newInteropPKI(t)
	env := []string{"OPENSSL_CONF=" + noEMSConf(t, p.dir)}
	addr, log, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey)
	c := sClient(t, p, env, addr)
	c.stdin.Close()
	c.wait(t)
	waitFor(t, func() bool { return strings.Contains(log.String(), "handshake failed") }, log)
	contains(t, "server log", log.String(), "sent fatal alert handshake_failure, reason missing_ems; -allow-no-ems to accept")

	addr, log, _ = startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-allow-no-ems")
	c = sClient(t, p, env, addr)
	c.stdin.Close()
	c.wait(t)
	waitFor(t, func() bool { return strings.Contains(log.String(), "close_notify received and sent") }, log)
	contains(t, "server log", log.String(), "conn 1: "+field("Extended master secret", "no"))
}

// --- our client against gnutls-serv

const gnutlsTLS12 = "NORMAL:-VERS-ALL:+VERS-TLS1.2"

func startGnutlsServ(t *testing.T, p *interopPKI, args ...string) (*peer, string) {
	t.Helper()
	port := freePort(t)
	base := []string{"-p", port, "--echo", "-a", "--x509certfile", p.ecCert, "--x509keyfile", p.ecKey}
	if !strings.Contains(strings.Join(args, " "), "--priority") {
		base = append(base, "--priority", gnutlsTLS12)
	}
	s := startPeer(t, nil, "gnutls-serv", append(base, args...)...)
	addr := "127.0.0.1:" + port
	waitListening(t, s, addr)
	return s, addr
}

func TestInteropClientResumeGnuTLS(t *testing.T) {
	p := newInteropPKI(t)
	for _, tc := range []struct {
		name, issued, reused string
		serverArgs           []string
	}{
		{"ticket", "New (ticket issued)", "Reused (ticket)", nil},
		{"session ID", "New (session ID issued)", "Reused (session ID)", []string{"--noticket"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, addr := startGnutlsServ(t, p, tc.serverArgs...)
			out, report, err := client(t, "ping\n", clientArgs(p, addr, "-reconnect", "1")...)
			if err != nil || out != "ping\n" {
				t.Fatalf("%v, echo %q\n%s", err, out, report)
			}
			contains(t, "report", report, field("Session", tc.issued), field("Session", tc.reused))
			s.waitOutput(t, "*** This is a resumed session", 1)
		})
	}
}

// gnutls-serv 3.7.9 issues a NewSessionTicket in every full handshake of a
// connection with tickets, renegotiations included; the client's
// renegotiation ClientHello asks for one (an empty session_ticket), so
// these servers run with tickets on.
func TestInteropClientRenegotiateGnuTLS(t *testing.T) {
	p := newInteropPKI(t)
	t.Run("client-initiated", func(t *testing.T) {
		_, addr := startGnutlsServ(t, p)
		out, report, err := client(t, "ping\n", clientArgs(p, addr, "-renegotiate")...)
		if err != nil || out != "ping\n" {
			t.Fatalf("%v, echo %q\n%s", err, out, report)
		}
		contains(t, "report", report, "--- renegotiation 1 done\n", field("Renegotiations", "1"))
	})
	t.Run("server-initiated", func(t *testing.T) {
		_, addr := startGnutlsServ(t, p)
		c := startClient(t, clientArgs(p, addr, "-renegotiation", "accept")...)
		c.waitReport(t, field("Renegotiations", "0"), 1)
		io.WriteString(c.stdin, "**REHANDSHAKE**\n") // gnutls-serv --echo: rehandshake
		c.waitReport(t, "--- renegotiation 1 done\n", 1)
		io.WriteString(c.stdin, "after\n")
		waitUntil(t, func() bool { return strings.Contains(c.out.String(), "after\n") }, "the echo after renegotiation")
		c.stdin.Close()
		if err := c.wait(t); err != nil {
			t.Fatalf("%v\n%s", err, c.report.String())
		}
		contains(t, "report", c.report.String(), field("Renegotiations", "1"))
	})
}

func TestInteropClientOCSPGnuTLS(t *testing.T) {
	p := newInteropPKI(t)
	_, addr := startGnutlsServ(t, p, "--ocsp-response", p.ocspFile)
	_, report, err := client(t, "ping\n", clientArgs(p, addr)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	contains(t, "report", report, "OCSP:                    good (this update ", "; signature checked)\n")
}

func TestInteropClientNoEMSGnuTLS(t *testing.T) {
	p := newInteropPKI(t)
	_, addr := startGnutlsServ(t, p, "--priority", gnutlsTLS12+":%NO_SESSION_HASH")
	_, report, err := client(t, "", clientArgs(p, addr)...)
	if err == nil || !strings.Contains(err.Error(), "reason missing_ems; -allow-no-ems to accept") {
		t.Errorf("without -allow-no-ems: %v\n%s", err, report)
	}
	out, report, err := client(t, "ping\n", clientArgs(p, addr, "-allow-no-ems", "-reconnect", "1")...)
	if err != nil || out != "ping\n" {
		t.Fatalf("with -allow-no-ems: %v, echo %q\n%s", err, out, report)
	}
	contains(t, "report", report, field("Extended master secret", "no"), field("Session", "Reused (ticket)"))
}

// --- gnutls-cli against our server

func gnutlsCli(t *testing.T, p *interopPKI, addr string, extra ...string) *peer {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	args := append([]string{"-p", port, "--x509cafile", p.caFile}, extra...)
	if !strings.Contains(strings.Join(extra, " "), "--priority") {
		args = append(args, "--priority", gnutlsTLS12)
	}
	return startPeer(t, nil, "gnutls-cli", append(args, host)...)
}

func TestInteropServerResumeGnuTLS(t *testing.T) {
	p := newInteropPKI(t)
	for _, tc := range []struct {
		name, issued, reused string
		serverArgs           []string
	}{
		{"ticket", "New (ticket issued)", "Reused (ticket)", nil},
		// gnutls-cli 3.7.9 --noticket still offers session_ticket in TLS
		// 1.2, so the server turns tickets off instead.
		{"session ID", "New (session ID issued)", "Reused (session ID)", []string{"-no-tickets"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, log, _ := startServer(t, append([]string{"-cert", p.ecCert, "-key", p.ecKey}, tc.serverArgs...)...)
			c := gnutlsCli(t, p, addr, "-r")
			c.waitOutput(t, "*** This is a resumed session", 1)
			c.stdin.Close()
			c.wait(t)
			waitFor(t, func() bool { return strings.Contains(log.String(), "conn 2: "+field("Session", tc.reused)) }, log)
			contains(t, "server log", log.String(), "conn 1: "+field("Session", tc.issued))
		})
	}
}

func TestInteropServerRenegotiateGnuTLS(t *testing.T) {
	p := newInteropPKI(t)
	t.Run("client-initiated", func(t *testing.T) {
		addr, log, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-renegotiation", "accept")
		c := gnutlsCli(t, p, addr, "-e")
		c.waitOutput(t, "- ReHandshake was completed", 1)
		c.stdin.Close()
		c.wait(t)
		waitFor(t, func() bool { return strings.Contains(log.String(), "conn 1: renegotiation 1 done\n") }, log)
	})
	t.Run("server-initiated", func(t *testing.T) {
		addr, log, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-renegotiation", "initiate-after=6")
		c := gnutlsCli(t, p, addr)
		c.waitOutput(t, "- Handshake was completed", 1)
		io.WriteString(c.stdin, "hello\n")
		waitFor(t, func() bool { return strings.Contains(log.String(), "conn 1: renegotiation 1 done\n") }, log)
		io.WriteString(c.stdin, "after\n")
		c.waitOutput(t, "after\n", 1)
		c.stdin.Close()
		c.wait(t)
		contains(t, "server log", log.String(), "conn 1: "+field("Renegotiations", "1"))
	})
}

func TestInteropServerOCSPGnuTLS(t *testing.T) {
	p := newInteropPKI(t)
	addr, log, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-ocsp", p.ocspFile)
	saved := filepath.Join(p.dir, "saved.der")
	c := gnutlsCli(t, p, addr, "--save-ocsp", saved)
	c.waitOutput(t, "- Handshake was completed", 1)
	c.stdin.Close()
	c.wait(t)
	if got := readFile(t, saved); got != string(p.ocspDER) {
		t.Errorf("gnutls-cli saved %d bytes of OCSP response, want the %d we staple", len(got), len(p.ocspDER))
	}
	waitFor(t, func() bool {
		return strings.Contains(log.String(), "conn 1: "+field("OCSP", fmt.Sprintf("stapled (%d bytes)", len(p.ocspDER))))
	}, log)
}

func TestInteropServerNoEMSGnuTLS(t *testing.T) {
	p := newInteropPKI(t)
	prio := []string{"--priority", gnutlsTLS12 + ":%NO_SESSION_HASH"}
	addr, log, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey)
	c := gnutlsCli(t, p, addr, prio...)
	c.stdin.Close()
	c.wait(t)
	waitFor(t, func() bool { return strings.Contains(log.String(), "handshake failed") }, log)
	contains(t, "server log", log.String(), "sent fatal alert handshake_failure, reason missing_ems; -allow-no-ems to accept")

	addr, log, _ = startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-allow-no-ems")
	c = gnutlsCli(t, p, addr, append(prio, "-r")...)
	c.waitOutput(t, "*** This is a resumed session", 1)
	c.stdin.Close()
	c.wait(t)
	waitFor(t, func() bool { return strings.Contains(log.String(), "conn 2: "+field("Session", "Reused (ticket)")) }, log)
	contains(t, "server log", log.String(), "conn 1: "+field("Extended master secret", "no"), "conn 2: "+field("Extended master secret", "no"))
}

// waitUntil waits for cond, bounded by hangLimit.
func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	limit := time.After(hangLimit)
	for !cond() {
		select {
		case <-limit:
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
