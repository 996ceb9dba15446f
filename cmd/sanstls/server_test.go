package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// testPKI is a CA with an ECDSA and an RSA server certificate and an ECDSA
// client certificate, written to PEM files.
type testPKI struct {
	dir                   string
	ca                    *authority
	caFile                string
	ecCert, ecKey         string
	rsaCert, rsaKey       string
	clientCert, clientKey string
	certs                 []machine.Certificate
}

// sharedPKI is generated once: the RSA key takes a few hundred
// milliseconds.
var sharedPKI struct {
	once            sync.Once
	err             error
	ca              *authority
	ec, rsa, client machine.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	sp := &sharedPKI
	sp.once.Do(func() {
		sp.ca, sp.err = newAuthority("cmd test CA", pkiOptions{Rand: seededReader(11, "pki"), NotBefore: time.Now().Add(-time.Hour)})
		if sp.err == nil {
			sp.ec, sp.err = sp.ca.issue("localhost", "ecdsa", false, "localhost", "127.0.0.1")
		}
		if sp.err == nil {
			sp.rsa, sp.err = sp.ca.issue("localhost rsa", "rsa", false, "localhost", "127.0.0.1")
		}
		if sp.err == nil {
			sp.client, sp.err = sp.ca.issue("test client", "ecdsa", true)
		}
	})
	if sp.err != nil {
		t.Fatal(sp.err)
	}
	p := &testPKI{dir: t.TempDir(), ca: sp.ca, certs: []machine.Certificate{sp.ec, sp.rsa}}
	p.caFile = filepath.Join(p.dir, "ca.pem")
	writeFile(t, p.caFile, certPEM(p.ca.der))
	p.ecCert, p.ecKey = writeCertFiles(t, p.dir, "ec", sp.ec)
	p.rsaCert, p.rsaKey = writeCertFiles(t, p.dir, "rsa", sp.rsa)
	p.clientCert, p.clientKey = writeCertFiles(t, p.dir, "client", sp.client)
	return p
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent logging
// and the test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs serverCommand with args on a kernel-chosen port and
// returns its address, its log and a function that stops it and returns
// its error.
func startServer(t *testing.T, args ...string) (addr string, log *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- serverCommand(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), log, noEnv)
	}()
	listening := regexp.MustCompile(`listening on (\S+)`)
	deadline := time.Now().Add(hangLimit)
	for {
		if m := listening.FindStringSubmatch(log.String()); m != nil {
			addr = m[1]
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("server exited: %v\n%s", err, log.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server did not start:\n%s", log.String())
		}
	}
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(hangLimit):
				err = errors.New("server did not stop")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return addr, log, stop
}

func TestEchoServerAndClient(t *testing.T) {
	p := newTestPKI(t)
	addr, log, stop := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-cert", p.rsaCert, "-key", p.rsaKey, "-alpn", "h2,http/1.1")
	for _, suite := range []string{"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"} {
		input := strings.Repeat("line of input\n", 5000) // 70 kB: several records
		out, report, err := client(t, input, "-connect", addr, "-servername", "localhost", "-cafile", p.caFile,
			"-suites", suite, "-groups", "P-256", "-alpn", "http/1.1")
		if err != nil {
			t.Fatalf("%s: client: %v\n%s\nserver log:\n%s", suite, err, report, log.String())
		}
		if out != input {
			t.Errorf("%s: echoed %d bytes, sent %d", suite, len(out), len(input))
		}
		id, _ := parseSuite(suite)
		for _, want := range []string{"Protocol:                TLS 1.2", "Cipher:                  " + suiteName(id),
			"Group:                   P-256", "ALPN protocol:           http/1.1", "Verification:            OK (CN=localhost", "Session:                 New (ticket issued)", "0 s:CN=localhost"} {
			if !strings.Contains(report, want) {
				t.Errorf("%s: report lacks %q:\n%s", suite, want, report)
			}
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), "close_notify received and sent"); n != 2 {
		t.Errorf("server log reports %d clean closes, want 2:\n%s", n, log.String())
	}
}

func TestWWWServer(t *testing.T) {
	p := newTestPKI(t)
	addr, log, _ := startServer(t, "-www", "-cert", p.ecCert, "-key", p.ecKey, "-max-conns", "2")
	out, report, err := client(t, "GET / HTTP/1.0\r\n\r\n", "-connect", addr, "-servername", "localhost", "-cafile", p.caFile)
	if err != nil {
		t.Fatalf("client: %v\n%s\n%s", err, report, log.String())
	}
	for _, want := range []string{"HTTP/1.0 200 OK\r\n", "Content-Type: text/html", "Protocol:                TLS 1.2",
		"Cipher:                  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (ECDHE-ECDSA-AES128-GCM-SHA256)",
		"Extended master secret:  yes", "Server name:             localhost", "</html>"} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q:\n%s", want, out)
		}
	}
	out, _, err = client(t, "POST / HTTP/1.0\r\n\r\n", "-connect", addr, "-servername", "localhost", "-cafile", p.caFile)
	if err != nil || !strings.HasPrefix(out, "HTTP/1.0 400 ") {
		t.Errorf("POST: %v, %q", err, out)
	}
}

func TestServerGeneratedCertificate(t *testing.T) {
	dir := t.TempDir()
	certFile := filepath.Join(dir, "self.pem")
	addr, log, stop := startServer(t, "-write-cert", certFile, "-quiet")
	out, report, err := client(t, "hi\n", "-connect", addr, "-cafile", certFile)
	if err != nil || out != "hi\n" {
		t.Fatalf("client: %v %q\n%s\n%s", err, out, report, log.String())
	}
	// Without -servername, the host of -connect (127.0.0.1) is verified
	// against the certificate's IP address SAN.
	if !strings.Contains(report, "Verification:            OK (CN=localhost)\n") {
		t.Errorf("report:\n%s", report)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "conn 1") {
		t.Errorf("-quiet server reported the connection:\n%s", log.String())
	}
}

func TestServerKeyLog(t *testing.T) {
	p := newTestPKI(t)
	keys := filepath.Join(p.dir, "server.keys")
	ckeys := filepath.Join(p.dir, "client.keys")
	addr, _, stop := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-keylog", keys)
	if _, _, err := client(t, "x", "-connect", addr, "-cafile", p.caFile, "-servername", "localhost", "-keylog", ckeys); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	s, c := readFile(t, keys), readFile(t, ckeys)
	if !regexp.MustCompile(`^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$`).MatchString(s) || s != c {
		t.Errorf("key logs differ or are malformed:\nserver %q\nclient %q", s, c)
	}
}

func TestServeMaxConns(t *testing.T) {
	p := newTestPKI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var log syncBuffer
	go func() {
		done <- serve(context.Background(), ln, serverOptions{Config: &machine.Config{Certificates: p.certs}, MaxConns: 2}, &log)
	}()
	for i := range 2 {
		if _, _, err := client(t, "x", "-connect", ln.Addr().String(), "-cafile", p.caFile, "-servername", "localhost"); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(hangLimit):
		t.Fatal("serve did not return after -max-conns connections")
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Errorf("listener still open after serve returned")
	}
}

func TestStatusPageEscapes(t *testing.T) {
	page := statusPage((&observer{}).fields(machine.ConnectionState{Version: 0x0303, CipherSuite: 0xc02b, ServerName: "<b>x</b>"}, reportContext{}))
	if strings.Contains(page, "<b>x</b>") || !strings.Contains(page, "&lt;b&gt;x&lt;/b&gt;") {
		t.Errorf("server name not escaped:\n%s", page)
	}
}

// waitFor waits until cond holds; the limit only catches a hang (the
// conditions are log lines that follow from what the test already saw).
func waitFor(t *testing.T, cond func() bool, log *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(hangLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met; server log:\n%s", log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
