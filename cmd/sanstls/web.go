package main

// `sanstls web`: serves a page on which a client and a server, both the
// real machine compiled to WebAssembly (GOOS=js), run the seed's handshake
// in the browser, message by message.
//
// The module is built when the command starts, from the source tree this
// program was built from, with the Go installation that runs it (the same
// one that `go run` uses); wasm_exec.js comes from that installation too.
// Built assets are never committed, so the module always matches the
// source and its wasm_exec.js always matches the compiler. The go build
// cache makes every start after the first quick.

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/x509"
	"embed"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed webui
var webUI embed.FS

// webAssets are the files the page loads besides the embedded ones: built
// or read from the source tree and the Go installation at startup.
type webAssets struct {
	wasm     []byte // adapters/wasm/cmd/sanstls-js for GOOS=js
	wasmGz   []byte // wasm, gzipped once (about a quarter of the size)
	wasmExec []byte // $(go env GOROOT)/lib/wasm/wasm_exec.js
	glue     []byte // adapters/wasm/js/sanstls.js
}

// holdTimeout bounds how long /hold keeps a page's load event open.
const holdTimeout = 2 * time.Minute

func webCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("web", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "TCP `address` to serve the page on")
	src := fs.String("src", "", "sanstls source `directory` to build the module from (default: found from the working directory or this program)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sanstls web [flags]\n\nServes a page that runs a TLS 1.2 client and server (the sanstls machine compiled\nto WebAssembly) in the browser and draws the handshake. Open /?run=1 to start the\ndefault handshake on load.\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: %v", fs.Args())
	}
	root, err := findSourceRoot(*src)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Fprintf(stderr, "sanstls web: building the WebAssembly module from %s (the first build takes a minute)\n", root)
	began := time.Now()
	assets, err := buildWebAssets(ctx, root)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "sanstls web: module built in %v (%d bytes, %d gzipped)\n", time.Since(began).Round(100*time.Millisecond), len(assets.wasm), len(assets.wasmGz))
	fmt.Fprintf(stdout, "sanstls web: serving http://%s/ (add ?run=1 to run the default handshake on load)\n", ln.Addr())

	srv := &http.Server{Handler: newWebHandler(assets), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		return nil
	}
}

// findSourceRoot returns the root of the sanstls module: dir if given,
// else the nearest directory at or above the working directory whose
// go.mod declares the module, else the tree this program was compiled from.
func findSourceRoot(dir string) (string, error) {
	if dir != "" {
		if !isSanstlsRoot(dir) {
			return "", usageError("-src %s: not the root of the sanstls module", dir)
		}
		return dir, nil
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if isSanstlsRoot(d) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if d := filepath.Dir(filepath.Dir(filepath.Dir(file))); isSanstlsRoot(d) {
			return d, nil
		}
	}
	return "", errors.New("cannot find the sanstls source tree to build the WebAssembly module from: run this command inside a clone, or pass -src")
}

func isSanstlsRoot(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(first) == "module github.com/sanstls/sanstls"
}

// buildWebAssets builds the GOOS=js module with the go command on PATH and
// reads wasm_exec.js from the same Go installation.
func buildWebAssets(ctx context.Context, root string) (*webAssets, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("the go command is needed to build the page's module: %w", err)
	}
	tmp, err := os.MkdirTemp("", "sanstls-web")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "sanstls.wasm")
	build := exec.CommandContext(ctx, goTool, "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./adapters/wasm/cmd/sanstls-js")
	build.Dir = root
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=")
	if msg, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the module: %v\n%s", err, msg)
	}
	goroot, err := exec.CommandContext(ctx, goTool, "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOROOT: %w", err)
	}
	a := &webAssets{}
	if a.wasm, err = os.ReadFile(out); err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(a.wasm)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	a.wasmGz = gz.Bytes()
	if a.wasmExec, err = os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js")); err != nil {
		return nil, err
	}
	if a.glue, err = os.ReadFile(filepath.Join(root, "adapters", "wasm", "js", "sanstls.js")); err != nil {
		return nil, err
	}
	return a, nil
}

// contentSecurityPolicy keeps the page to its own origin: no CDN, no inline
// script; 'wasm-unsafe-eval' lets it compile the module.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// newWebHandler serves the page, the module and the page's helpers.
func newWebHandler(a *webAssets) http.Handler {
	ui, _ := fs.Sub(webUI, "webui")
	mux := http.NewServeMux()
	serveBytes := func(path, ctype string, b []byte) {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Write(b)
		})
	}
	mux.HandleFunc("GET /sanstls.wasm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		w.Header().Set("Vary", "Accept-Encoding")
		if a.wasmGz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(a.wasmGz)
			return
		}
		w.Write(a.wasm)
	})
	serveBytes("/wasm_exec.js", "text/javascript; charset=utf-8", a.wasmExec)
	serveBytes("/sanstls.js", "text/javascript; charset=utf-8", a.glue)
	mux.Handle("GET /", http.FileServerFS(ui))
	p := &pkiCache{m: map[string][]byte{}}
	mux.HandleFunc("GET /pki", p.serve)
	h := &holds{m: map[string]chan struct{}{}}
	mux.HandleFunc("GET /hold", h.hold)
	mux.HandleFunc("GET /release", h.release)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
}

// webPKI is the JSON document of /pki: a CA, a server certificate for
// localhost and a client certificate, all from one seed, and the time the
// page's machines use (certificates are valid from a year before it).
type webPKI struct {
	CAPEM         string `json:"ca_pem"`
	ServerCertPEM string `json:"server_cert_pem"`
	ServerKeyPEM  string `json:"server_key_pem"`
	ServerKey     string `json:"server_key"`
	ClientCertPEM string `json:"client_cert_pem"`
	ClientKeyPEM  string `json:"client_key_pem"`
	TimeMs        int64  `json:"time_ms"`
}

// pkiCache answers /pki?seed=N&key=ecdsa|rsa|ed25519, building each PKI
// once (RSA keys take a moment).
type pkiCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *pkiCache) serve(w http.ResponseWriter, r *http.Request) {
	seed, err := strconv.ParseUint(r.URL.Query().Get("seed"), 10, 64)
	key := r.URL.Query().Get("key")
	if err != nil || (key != "ecdsa" && key != "rsa" && key != "ed25519") {
		http.Error(w, "want seed=<uint64>&key=ecdsa|rsa|ed25519", http.StatusBadRequest)
		return
	}
	doc, err := c.get(seed, key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(doc)
}

// maxCachedPKIs bounds the cache; beyond it, PKIs are rebuilt on demand.
const maxCachedPKIs = 64

func (c *pkiCache) get(seed uint64, key string) ([]byte, error) {
	id := strconv.FormatUint(seed, 10) + "/" + key
	c.mu.Lock()
	defer c.mu.Unlock()
	if doc, ok := c.m[id]; ok {
		return doc, nil
	}
	doc, err := makeWebPKI(seed, key)
	if err != nil {
		return nil, err
	}
	if len(c.m) < maxCachedPKIs {
		c.m[id] = doc
	}
	return doc, nil
}

// makeWebPKI builds the page's certificates the way `sanstls demo` does.
func makeWebPKI(seed uint64, key string) ([]byte, error) {
	ca, err := newAuthority("sanstls demo CA", pkiOptions{Rand: seededReader(seed, "sanstls web pki"), NotBefore: demoTime.AddDate(-1, 0, 0)})
	if err != nil {
		return nil, err
	}
	server, err := ca.issue("localhost", key, false, "localhost", "127.0.0.1")
	if err != nil {
		return nil, err
	}
	client, err := ca.issue("sanstls demo client", "ecdsa", true)
	if err != nil {
		return nil, err
	}
	p := webPKI{CAPEM: string(certPEM(ca.der)), ServerCertPEM: string(certPEM(server.Chain...)),
		ServerKey: keyDescription(server.Leaf.PublicKey), ClientCertPEM: string(certPEM(client.Chain...)), TimeMs: demoTime.UnixMilli()}
	if p.ServerKeyPEM, err = privateKeyPEM(server.PrivateKey); err != nil {
		return nil, err
	}
	if p.ClientKeyPEM, err = privateKeyPEM(client.PrivateKey); err != nil {
		return nil, err
	}
	return json.Marshal(p)
}

// privateKeyPEM encodes a key as PKCS #8 PEM.
func privateKeyPEM(k crypto.Signer) (string, error) {
	var key any = k
	if s, ok := k.(rfc6979Signer); ok {
		key = s.PrivateKey
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// holds lets a page keep its load event open while it runs: with ?run=1 the
// page adds an image from /hold?id=X at once and fetches /release?id=X when
// the run ends. A headless browser that reads the DOM at the load event
// (chromium --dump-dom) then sees the finished run. A hold ends after
// holdTimeout in any case.
type holds struct {
	mu sync.Mutex
	m  map[string]chan struct{}
}

// maxHolds bounds the holds open at once.
const maxHolds = 32

func (h *holds) channel(id string, create bool) chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch, ok := h.m[id]
	if !ok && create && len(h.m) < maxHolds {
		ch = make(chan struct{})
		h.m[id] = ch
	}
	return ch
}

// transparentGIF is a 1x1 transparent GIF, the body of every /hold answer.
var transparentGIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

func (h *holds) hold(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if ch := h.channel(id, id != ""); ch != nil {
		t := time.NewTimer(holdTimeout)
		select {
		case <-ch:
		case <-t.C:
		case <-r.Context().Done():
		}
		t.Stop()
		h.mu.Lock()
		delete(h.m, id)
		h.mu.Unlock()
	}
	w.Header().Set("Content-Type", "image/gif")
	w.Write(transparentGIF)
}

func (h *holds) release(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if ch := h.channel(id, true); ch != nil {
		h.mu.Lock()
		select {
		case <-ch:
		default:
			close(ch)
		}
		h.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}
