package netconn_test

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/internal/testkit"
	"github.com/sanstls/sanstls/machine"
)

// Alert descriptions used by the tests (RFC 5246, Section 7.2). The machine
// exports the Alert type but not its values.
const (
	alertBadRecordMAC   machine.Alert = 20
	alertBadCertificate machine.Alert = 42
	alertUnknownCA      machine.Alert = 48
)

// leaf is a certificate and key in both libraries' forms.
type leaf struct {
	der  []byte
	key  crypto.Signer
	cert *x509.Certificate
}

func (l leaf) ours() machine.Certificate {
	return machine.Certificate{Chain: [][]byte{l.der}, PrivateKey: l.key}
}

func (l leaf) theirs() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{l.der}, PrivateKey: l.key, Leaf: l.cert}
}

// testPKI is a root CA with server and client certificates, generated once
// per test binary.
type testPKI struct {
	caDER      []byte
	roots      *x509.CertPool // trusts the CA below
	otherRoots *x509.CertPool // trusts an unrelated CA
	ecdsaA     leaf           // ECDSA P-256, a.test and 127.0.0.1
	ecdsaB     leaf           // ECDSA P-256, b.test
	rsaA       leaf           // RSA-2048, a.test and 127.0.0.1
	client     leaf           // ECDSA P-256 client certificate
}

var pki = sync.OnceValue(func() *testPKI {
	ca := testkit.Must(testkit.NewCA("sanstls test CA", testkit.CAOptions{}))
	other := testkit.Must(testkit.NewCA("unrelated CA", testkit.CAOptions{}))
	issue := func(kt testkit.KeyType, name string, client bool) leaf {
		l := testkit.Must(ca.Issue(testkit.LeafOptions{KeyType: kt, DNSNames: []string{name},
			IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Client: client}))
		return leaf{der: l.DER, key: l.Key, cert: l.Cert}
	}
	return &testPKI{caDER: ca.DER, roots: ca.Pool(), otherRoots: other.Pool(),
		ecdsaA: issue(testkit.ECDSAP256, "a.test", false),
		ecdsaB: issue(testkit.ECDSAP256, "b.test", false),
		rsaA:   issue(testkit.RSA2048, "a.test", false),
		client: issue(testkit.ECDSAP256, "client.test", true),
	}
})

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// deadline is when a test's I/O must give up: well before the test binary's
// own deadline, and at most 3 minutes away (the machine may be loaded; this only
// bounds hangs).
func deadline(t testing.TB) time.Time {
	td, ok := time.Time{}, false
	if dt, can := t.(interface{ Deadline() (time.Time, bool) }); can {
		td, ok = dt.Deadline()
	}
	d := time.Now().Add(3 * time.Minute)
	if ok && td.Add(-5*time.Second).Before(d) {
		d = td.Add(-5 * time.Second)
	}
	return d
}

// transport makes a connected pair of net.Conns (client end, server end),
// each with the test deadline set.
type transport struct {
	name string
	pair func(t *testing.T) (net.Conn, net.Conn)
}

var transports = []transport{
	{"pipe", pipePair},
	{"tcp", tcpPair},
}

func pipePair(t *testing.T) (net.Conn, net.Conn) {
	a, b := net.Pipe()
	return withDeadline(t, a), withDeadline(t, b)
}

func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		c   net.Conn
		err error
	}
	accepted := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		accepted <- result{c, err}
	}()
	a, err := net.DialTimeout("tcp", ln.Addr().String(), time.Until(deadline(t)))
	if err != nil {
		t.Fatal(err)
	}
	r := <-accepted
	if r.err != nil {
		t.Fatal(r.err)
	}
	return withDeadline(t, a), withDeadline(t, r.c)
}

func withDeadline(t *testing.T, c net.Conn) net.Conn {
	if err := c.SetDeadline(deadline(t)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ourClientConfig trusts the test CA and expects a.test.
func ourClientConfig() *netconn.Config {
	return &netconn.Config{RootCAs: pki().roots, ServerName: "a.test"}
}

// ourServerConfig serves the given certificates.
func ourServerConfig(certs ...leaf) *netconn.Config {
	cfg := &netconn.Config{}
	for _, c := range certs {
		cfg.Certificates = append(cfg.Certificates, c.ours())
	}
	return cfg
}

// theirClientConfig is a crypto/tls client limited to TLS 1.2.
func theirClientConfig() *tls.Config {
	return &tls.Config{RootCAs: pki().roots, ServerName: "a.test", MaxVersion: tls.VersionTLS12}
}

// theirServerConfig is a crypto/tls server limited to TLS 1.2.
func theirServerConfig(certs ...leaf) *tls.Config {
	cfg := &tls.Config{MaxVersion: tls.VersionTLS12}
	for _, c := range certs {
		cfg.Certificates = append(cfg.Certificates, c.theirs())
	}
	return cfg
}

// handshaker is what both libraries' connections offer.
type handshaker interface {
	net.Conn
	Handshake() error
}

// handshakeBoth runs both handshakes concurrently and returns their errors.
func handshakeBoth(a, b handshaker) (errA, errB error) {
	done := make(chan error, 1)
	go func() { done <- b.Handshake() }()
	errA = a.Handshake()
	if errA != nil {
		// The peer may wait for bytes that will never come.
		a.Close()
	}
	errB = <-done
	return errA, errB
}

// exchange sends msgA from a to b and msgB from b to a, concurrently (a
// net.Pipe write blocks until the peer reads), and checks what arrives.
func exchange(t *testing.T, a, b net.Conn, msgA, msgB []byte) {
	t.Helper()
	errc := make(chan error, 2)
	go func() {
		_, err := a.Write(msgA)
		errc <- err
	}()
	go func() {
		_, err := b.Write(msgB)
		errc <- err
	}()
	gotA := make([]byte, len(msgA))
	gotB := make([]byte, len(msgB))
	readErr := make(chan error, 1)
	go func() {
		_, err := io.ReadFull(b, gotA)
		readErr <- err
	}()
	if _, err := io.ReadFull(a, gotB); err != nil {
		t.Fatalf("reading at a: %v", err)
	}
	if err := <-readErr; err != nil {
		t.Fatalf("reading at b: %v", err)
	}
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	if string(gotA) != string(msgA) || string(gotB) != string(msgB) {
		t.Fatalf("exchanged data differs: got %q and %q, want %q and %q", gotA, gotB, msgA, msgB)
	}
}
