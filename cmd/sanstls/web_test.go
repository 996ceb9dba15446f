package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

func testWebServer(t *testing.T) *httptest.Server {
	t.Helper()
	wasm := []byte("\x00asm\x01\x00\x00\x00")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(wasm)
	zw.Close()
	a := &webAssets{wasm: wasm, wasmGz: gz.Bytes(), wasmExec: []byte("// exec"), glue: []byte("// glue")}
	srv := httptest.NewServer(newWebHandler(a))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestWebHandlerAssets(t *testing.T) {
	srv := testWebServer(t)
	for _, c := range []struct{ path, ctype, body string }{
		{"/", "text/html", "<title>sanstls"},
		{"/app.js", "text/javascript", "sanstls.js"},
		{"/style.css", "text/css", ":root"},
		{"/sanstls.wasm", "application/wasm", "\x00asm"},
		{"/wasm_exec.js", "text/javascript", "// exec"},
		{"/sanstls.js", "text/javascript", "// glue"},
	} {
		resp, body := get(t, srv.URL+c.path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) || !strings.Contains(string(body), c.body) {
			t.Errorf("%s: %d %q, body %.40q", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: CSP %q", c.path, csp)
		}
	}
	// The module goes gzipped to clients that accept it.
	req, _ := http.NewRequest("GET", srv.URL+"/sanstls.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("module sent with Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	// The page loads nothing from elsewhere.
	for _, name := range []string{"index.html", "app.js", "style.css"} {
		b, err := webUI.ReadFile("webui/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "http://") || strings.Contains(string(b), "https://") {
			t.Errorf("%s refers to another origin", name)
		}
	}
}

func TestWebPKI(t *testing.T) {
	srv := testWebServer(t)
	fetch := func(q string) webPKI {
		resp, body := get(t, srv.URL+"/pki?"+q)
		if resp.StatusCode != 200 {
			t.Fatalf("/pki?%s: %d %s", q, resp.StatusCode, body)
		}
		var p webPKI
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, key := range []string{"ecdsa", "ed25519"} {
		p := fetch("seed=3&key=" + key)
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM([]byte(p.CAPEM)) {
			t.Fatal("no CA")
		}
		for _, c := range []struct {
			cert, key string
			usage     x509.ExtKeyUsage
		}{{p.ServerCertPEM, p.ServerKeyPEM, x509.ExtKeyUsageServerAuth}, {p.ClientCertPEM, p.ClientKeyPEM, x509.ExtKeyUsageClientAuth}} {
			pair, err := machine.X509KeyPair([]byte(c.cert), []byte(c.key))
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			block, _ := pem.Decode([]byte(c.cert))
			leaf, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			opts := x509.VerifyOptions{Roots: roots, CurrentTime: time.UnixMilli(p.TimeMs), KeyUsages: []x509.ExtKeyUsage{c.usage}}
			if _, err := leaf.Verify(opts); err != nil {
				t.Errorf("%s: %v", key, err)
			}
			if len(pair.Chain) != 2 {
				t.Errorf("%s: chain of %d", key, len(pair.Chain))
			}
		}
	}
	if a, b := fetch("seed=3&key=ecdsa"), fetch("seed=4&key=ecdsa"); a.CAPEM == b.CAPEM {
		t.Error("two seeds gave the same CA")
	}
	if a, b := fetch("seed=5&key=ecdsa"), fetch("seed=5&key=ecdsa"); a != b {
		t.Error("one seed gave two PKIs")
	}
	for _, q := range []string{"seed=x&key=ecdsa", "seed=1&key=dsa", ""} {
		if resp, _ := get(t, srv.URL+"/pki?"+q); resp.StatusCode != 400 {
			t.Errorf("/pki?%s: %d, want 400", q, resp.StatusCode)
		}
	}
}

func TestWebHold(t *testing.T) {
	srv := testWebServer(t)
	done := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/hold?id=abc")
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	// The hold stays open until released; give it a moment to register.
	select {
	case <-done:
		t.Fatal("/hold answered before /release")
	case <-time.After(300 * time.Millisecond):
	}
	if resp, _ := get(t, srv.URL+"/release?id=abc"); resp.StatusCode != http.StatusNoContent {
		t.Errorf("/release: %d", resp.StatusCode)
	}
	select {
	case resp := <-done:
		if resp == nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/gif" {
			t.Errorf("/hold answered %v", resp)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("/hold still open after /release")
	}
	// A release that comes first lets the hold through at once.
	get(t, srv.URL+"/release?id=early")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/hold?id=early", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("early-released hold: %v", err)
	}
}

func TestFindSourceRoot(t *testing.T) {
	root, err := findSourceRoot("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "adapters", "wasm", "cmd", "sanstls-js", "main.go")); err != nil {
		t.Errorf("root %s has no sanstls-js: %v", root, err)
	}
	if _, err := findSourceRoot(t.TempDir()); err == nil {
		t.Error("an empty directory was taken for the source tree")
	}
	if got, err := findSourceRoot(root); err != nil || got != root {
		t.Errorf("-src %s: %s, %v", root, got, err)
	}
}

func TestWebCommandFlags(t *testing.T) {
	var out, errb strings.Builder
	if err := webCommand(t.Context(), []string{"extra"}, &out, &errb); err == nil {
		t.Error("extra argument accepted")
	}
	if err := webCommand(t.Context(), []string{"-src", t.TempDir()}, &out, &errb); err == nil {
		t.Error("a -src without go.mod accepted")
	}
}
