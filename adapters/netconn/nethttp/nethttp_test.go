package nethttp_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/adapters/netconn/nethttp"
	"github.com/sanstls/sanstls/internal/testkit"
)

type testPKI struct {
	roots  *x509.CertPool
	caPEM  []byte
	cert   netconn.Certificate // a.test and 127.0.0.1
	theirs tls.Certificate
}

var pki = sync.OnceValue(func() *testPKI {
	ca := testkit.Must(testkit.NewCA("nethttp test CA", testkit.CAOptions{}))
	l := testkit.Must(ca.Issue(testkit.LeafOptions{DNSNames: []string{"a.test"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}))
	return &testPKI{roots: ca.Pool(), caPEM: testkit.CertPEM(ca.DER),
		cert:   netconn.Certificate{Chain: [][]byte{l.DER}, PrivateKey: l.Key, Leaf: l.Cert},
		theirs: tls.Certificate{Certificate: [][]byte{l.DER}, PrivateKey: l.Key, Leaf: l.Cert},
	}
})

// startServer serves a handler reporting the protocol and the TLS state it
// saw, over netconn with the given ALPN list, and returns its address.
func startServer(t *testing.T, protos ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.TLS == nil {
				http.Error(w, "no TLS state", http.StatusInternalServerError)
				return
			}
			fmt.Fprintf(w, "%s %s %x %v", r.Proto, r.TLS.NegotiatedProtocol, r.TLS.CipherSuite, r.TLS.HandshakeComplete)
		}),
		ReadHeaderTimeout: time.Minute,
	}
	cfg := &netconn.Config{Certificates: []netconn.Certificate{pki().cert}, NextProtos: protos}
	done := make(chan error, 1)
	go func() { done <- nethttp.ServeTLS(srv, ln, cfg) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
			_ = srv.Close()
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("ServeTLS returned %v", err)
		}
	})
	return ln.Addr().String()
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	return resp, string(body)
}

func ourClient(disableH2 bool) (*http.Client, *nethttp.Transport) {
	tr := nethttp.NewTransport(&netconn.Config{RootCAs: pki().roots, ServerName: "a.test"})
	tr.DisableHTTP2 = disableH2
	return &http.Client{Transport: tr}, tr
}

func checkTLS(t *testing.T, resp *http.Response, proto string) {
	t.Helper()
	if resp.TLS == nil {
		t.Fatal("resp.TLS is nil")
	}
	if !resp.TLS.HandshakeComplete || resp.TLS.Version != tls.VersionTLS12 || resp.TLS.NegotiatedProtocol != proto {
		t.Fatalf("resp.TLS: complete %v version %x ALPN %q, want ALPN %q", resp.TLS.HandshakeComplete, resp.TLS.Version, resp.TLS.NegotiatedProtocol, proto)
	}
	if len(resp.TLS.PeerCertificates) == 0 || len(resp.TLS.VerifiedChains) == 0 {
		t.Fatal("resp.TLS has no peer certificates or verified chains")
	}
}

func TestOursToOursHTTP2(t *testing.T) {
	addr := startServer(t)
	c, tr := ourClient(false)
	defer tr.CloseIdleConnections()
	for range 3 { // the HTTP/2 connection is reused
		resp, body := get(t, c, "https://"+addr+"/")
		if resp.ProtoMajor != 2 {
			t.Fatalf("response over %s, want HTTP/2", resp.Proto)
		}
		checkTLS(t, resp, "h2")
		if !strings.HasPrefix(body, "HTTP/2.0 h2 ") || !strings.HasSuffix(body, " true") {
			t.Fatalf("server saw %q", body)
		}
	}
}

func TestOursToOursHTTP1WhenClientDoesNotOfferH2(t *testing.T) {
	addr := startServer(t)
	c, tr := ourClient(true)
	defer tr.CloseIdleConnections()
	resp, body := get(t, c, "https://"+addr+"/")
	if resp.ProtoMajor != 1 {
		t.Fatalf("response over %s, want HTTP/1.1", resp.Proto)
	}
	checkTLS(t, resp, "http/1.1")
	if !strings.HasPrefix(body, "HTTP/1.1 http/1.1 ") {
		t.Fatalf("server saw %q", body)
	}
}

func TestOursToOursHTTP1WhenServerDeclinesH2(t *testing.T) {
	addr := startServer(t, "http/1.1")
	c, tr := ourClient(false)
	defer tr.CloseIdleConnections()
	for range 2 {
		resp, body := get(t, c, "https://"+addr+"/")
		if resp.ProtoMajor != 1 {
			t.Fatalf("response over %s, want HTTP/1.1", resp.Proto)
		}
		checkTLS(t, resp, "http/1.1")
		if !strings.HasPrefix(body, "HTTP/1.1 http/1.1 ") {
			t.Fatalf("server saw %q", body)
		}
	}
}

// TestCryptoTLSClientToOurServer: net/http's own client, over crypto/tls,
// negotiates h2 with our server.
func TestCryptoTLSClientToOurServer(t *testing.T) {
	addr := startServer(t)
	for _, h2 := range []bool{true, false} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki().roots, ServerName: "a.test"}, ForceAttemptHTTP2: h2}
		if !h2 {
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		}
		resp, body := get(t, &http.Client{Transport: tr}, "https://"+addr+"/")
		tr.CloseIdleConnections()
		want := map[bool]int{true: 2, false: 1}[h2]
		if resp.ProtoMajor != want {
			t.Fatalf("h2 %v: response over %s", h2, resp.Proto)
		}
		if !strings.Contains(body, fmt.Sprintf("HTTP/%d", want)) {
			t.Fatalf("server saw %q", body)
		}
	}
}

// TestOurClientToCryptoTLSServer: our Transport negotiates h2 with a
// net/http server over crypto/tls, and falls back to HTTP/1.1 when that
// server does not offer it.
func TestOurClientToCryptoTLSServer(t *testing.T) {
	for _, h2 := range []bool{true, false} {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, r.Proto)
		}))
		srv.EnableHTTP2 = h2
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki().theirs}, MaxVersion: tls.VersionTLS12}
		srv.StartTLS()
		c, tr := ourClient(false)
		resp, body := get(t, c, srv.URL+"/")
		want := map[bool]string{true: "h2", false: "http/1.1"}[h2]
		checkTLS(t, resp, want)
		if (resp.ProtoMajor == 2) != h2 || !strings.HasPrefix(body, fmt.Sprintf("HTTP/%d", resp.ProtoMajor)) {
			t.Fatalf("h2 %v: response over %s, server saw %q", h2, resp.Proto, body)
		}
		tr.CloseIdleConnections()
		srv.Close()
	}
}

// TestCurl fetches from our server with curl over HTTP/2 and HTTP/1.1.
func TestCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl not installed")
		}
		t.Skip("curl not installed")
	}
	addr := startServer(t)
	_, port, _ := net.SplitHostPort(addr)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pki().caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ flag, status, body string }{
		{"--http2", "HTTP/2 200", "HTTP/2.0 h2 "},
		{"--http1.1", "HTTP/1.1 200", "HTTP/1.1 http/1.1 "},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, curl, "-sS", "-i", tc.flag, "--cacert", ca,
			"--resolve", "a.test:"+port+":127.0.0.1", "https://a.test:"+port+"/").CombinedOutput()
		cancel()
		if err != nil {
			if tc.flag == "--http2" && strings.Contains(string(out), "not support") {
				t.Fatalf("curl lacks HTTP/2: %s", out)
			}
			t.Fatalf("curl %s: %v\n%s", tc.flag, err, out)
		}
		if !strings.HasPrefix(string(out), tc.status) || !strings.Contains(string(out), tc.body) {
			t.Fatalf("curl %s: got\n%s", tc.flag, out)
		}
	}
}

// TestStalledClientReleased: a client that connects and sends nothing is
// dropped after the server's ReadHeaderTimeout, as net/http drops it over
// crypto/tls.
func TestStalledClientReleased(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: 50 * time.Millisecond}
	done := make(chan error, 1)
	go func() {
		done <- nethttp.ServeTLS(srv, ln, &netconn.Config{Certificates: []netconn.Certificate{pki().cert}})
	}()
	defer func() {
		srv.Close()
		<-done
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute)) // bounds a hang only
	if n, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("stalled client read %d bytes, %v; want EOF once the server gives up", n, err)
	}
}
