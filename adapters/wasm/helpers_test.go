package wasm

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"testing"
	"time"
)

// testPKI is the certificate material in testdata: a CA and a leaf for
// a.test (ECDSA P-256, server and client auth, valid 2025 to 2125).
type testPKI struct {
	caPEM, leafPEM, keyPEM string
	leaf                   *x509.Certificate
}

func loadPKI(t testing.TB) testPKI {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	p := testPKI{caPEM: read("ca.pem"), leafPEM: read("leaf.pem"), keyPEM: read("leaf.key")}
	block, _ := pem.Decode([]byte(p.leafPEM))
	if block == nil {
		t.Fatal("testdata/leaf.pem: no PEM block")
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p.leaf = leaf
	return p
}

func (p testPKI) client() HostConfig {
	return HostConfig{ServerName: "a.test", ALPN: []string{"h2", "http/1.1"}, RootsPEM: p.caPEM}
}

func (p testPKI) server() HostConfig {
	return HostConfig{ALPN: []string{"http/1.1"}, CertPEM: p.leafPEM, KeyPEM: p.keyPEM}
}

func newTestModule() *Module { return NewModule(rand.Reader, time.Now) }

// put lends a buffer holding b and returns its address and length.
func put(t testing.TB, m *Module, b []byte) (uintptr, int32) {
	t.Helper()
	if len(b) == 0 {
		return 0, 0
	}
	p := m.Alloc(int32(len(b)))
	if p == 0 {
		t.Fatalf("Alloc(%d): %s", len(b), m.Text())
	}
	mem, err := m.Memory(p, int32(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	copy(mem, b)
	return p, int32(len(b))
}

func free(t testing.TB, m *Module, p uintptr) {
	t.Helper()
	if p == 0 {
		return
	}
	if rc := m.Free(p); rc != CodeOK {
		t.Fatalf("Free: %d: %s", rc, m.Text())
	}
}

// create makes a connection from hc, failing the test on error.
func create(t testing.TB, m *Module, isClient bool, hc HostConfig) int32 {
	t.Helper()
	h, text := tryCreate(t, m, isClient, hc)
	if h <= 0 {
		t.Fatalf("create: %d: %s", h, text)
	}
	return h
}

// tryCreate makes a connection from hc and returns the result and text.
func tryCreate(t testing.TB, m *Module, isClient bool, hc HostConfig) (int32, string) {
	t.Helper()
	doc, err := json.Marshal(hc)
	if err != nil {
		t.Fatal(err)
	}
	p, n := put(t, m, doc)
	defer free(t, m, p)
	var h int32
	if isClient {
		h = m.Client(p, n)
	} else {
		h = m.Server(p, n)
	}
	return h, string(m.Text())
}

// endpoint is a host for one handle, written the way the package
// documentation tells hosts to drive a connection.
type endpoint struct {
	t        testing.TB
	m        *Module
	h        int32
	pending  []byte  // received bytes not yet consumed
	received []byte  // application data, copied out of event views
	events   []int32 // kinds other than EventAppData
	alerts   []int32 // EventAlert of each EventWarningAlert
	code     int32   // first negative receive result
	text     string  // its message
	calls    int     // Receive calls
	maxNeed  int32   // largest NeedBytes seen
}

func newEndpoint(t testing.TB, m *Module, isClient bool, hc HostConfig) *endpoint {
	return &endpoint{t: t, m: m, h: create(t, m, isClient, hc)}
}

// out copies the output view, checking that its address matches.
func (e *endpoint) out() []byte {
	e.t.Helper()
	o := e.m.Out(e.h)
	if e.m.OutPtr(e.h) != addrOf(o) || e.m.OutLen(e.h) != int32(len(o)) {
		e.t.Fatalf("output view: ptr %#x len %d, slice at %#x len %d",
			e.m.OutPtr(e.h), e.m.OutLen(e.h), addrOf(o), len(o))
	}
	return bytes.Clone(o)
}

func (e *endpoint) mustOK(name string, rc int32) {
	e.t.Helper()
	if rc != CodeOK {
		e.t.Fatalf("%s: %d: %s", name, rc, e.m.Text())
	}
}

func (e *endpoint) start() []byte {
	e.t.Helper()
	e.mustOK("Start", e.m.Start(e.h))
	return e.out()
}

func (e *endpoint) send(b []byte) []byte {
	e.t.Helper()
	p, n := put(e.t, e.m, b)
	defer free(e.t, e.m, p)
	e.mustOK("Send", e.m.Send(e.h, p, n))
	return e.out()
}

func (e *endpoint) close() []byte {
	e.t.Helper()
	e.mustOK("Close", e.m.Close(e.h))
	return e.out()
}

func (e *endpoint) state() ConnState {
	e.t.Helper()
	n := e.m.State(e.h)
	if n < 0 || int(n) != len(e.m.Text()) {
		e.t.Fatalf("State: %d, text %d bytes", n, len(e.m.Text()))
	}
	var cs ConnState
	if err := json.Unmarshal(e.m.Text(), &cs); err != nil {
		e.t.Fatal(err)
	}
	return cs
}

// feed hands newly arrived bytes to the connection and returns what it
// wants to send back. After a failure it drops its input.
func (e *endpoint) feed(b []byte) []byte {
	e.t.Helper()
	if e.code < 0 {
		return nil
	}
	all := append(e.pending, b...)
	p, n := put(e.t, e.m, all)
	defer free(e.t, e.m, p)
	var out []byte
	off := int32(0)
	for {
		e.calls++
		rc := e.m.Receive(e.h, p+uintptr(off), n-off)
		out = append(out, e.out()...)
		if rc < 0 {
			e.code, e.text = rc, string(e.m.Text())
			e.pending = nil
			return out
		}
		if rc > n-off {
			e.t.Fatalf("Receive consumed %d of %d bytes", rc, n-off)
		}
		off += rc
		e.maxNeed = max(e.maxNeed, e.m.NeedBytes(e.h))
		events := 0
		for k := e.m.NextEvent(e.h); k != EventNone; k = e.m.NextEvent(e.h) {
			events++
			switch k {
			case EventAppData:
				data := e.m.EventData(e.h)
				// The data was decrypted in place: it lies in the buffer.
				ptr := e.m.EventPtr(e.h)
				if ptr < p || ptr+uintptr(len(data)) > p+uintptr(n) || e.m.EventLen(e.h) != int32(len(data)) {
					e.t.Fatalf("event view %#x+%d outside the input %#x+%d", ptr, len(data), p, n)
				}
				e.received = append(e.received, data...)
			case EventWarningAlert:
				e.events = append(e.events, k)
				e.alerts = append(e.alerts, e.m.EventAlert(e.h))
			default:
				e.events = append(e.events, k)
			}
		}
		if rc == 0 && events == 0 {
			break
		}
	}
	// The unconsumed tail is read back from the buffer, as a wasm host
	// would: the machine must have left it untouched.
	tail, err := e.m.Memory(p+uintptr(off), n-off)
	if err != nil {
		e.t.Fatal(err)
	}
	e.pending = bytes.Clone(tail)
	return out
}

// deliver feeds b to e in chunks of at most chunk bytes.
func deliver(e *endpoint, b []byte, chunk int) []byte {
	var out []byte
	for len(b) > 0 {
		c := min(chunk, len(b))
		out = append(out, e.feed(b[:c])...)
		b = b[c:]
	}
	return out
}

// exchange moves bytes both ways until neither side has anything to send.
func exchange(t testing.TB, client, server *endpoint, c2s, s2c []byte, chunk int) {
	t.Helper()
	for round := 0; len(c2s) > 0 || len(s2c) > 0; round++ {
		if round > 100 {
			t.Fatal("no quiescence after 100 rounds")
		}
		fromServer := deliver(server, c2s, chunk)
		c2s = deliver(client, append(s2c, fromServer...), chunk)
		s2c = nil
	}
}
