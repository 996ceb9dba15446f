package chanpipe_test

import (
	"crypto/x509"
	"sync"
	"time"

	"github.com/sanstls/sanstls/internal/testkit"
	"github.com/sanstls/sanstls/machine"
)

// Alert descriptions used by the tests (RFC 5246, Section 7.2); the machine
// exports the Alert type but not its values.
const (
	alertBadRecordMAC machine.Alert = 20
	alertUnknownCA    machine.Alert = 48
)

// testPKI is a CA and an ECDSA server certificate for server.test, created
// once per test binary. ECDSA signing is deterministic in Go, so with seeded
// Rand and fixed Time the machines' output is reproducible.
type testPKI struct {
	roots, otherRoots *x509.CertPool
	cert              machine.Certificate
	now               time.Time
}

var pki = sync.OnceValue(func() *testPKI {
	now := time.Now().Truncate(time.Second)
	v := testkit.Validity{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	ca := testkit.Must(testkit.NewCA("chanpipe test CA", testkit.CAOptions{Validity: v}))
	other := testkit.Must(testkit.NewCA("unrelated CA", testkit.CAOptions{Validity: v}))
	leaf := testkit.Must(ca.Issue(testkit.LeafOptions{DNSNames: []string{"server.test"}, Validity: v}))
	return &testPKI{roots: ca.Pool(), otherRoots: other.Pool(), now: now,
		cert: machine.Certificate{Chain: [][]byte{leaf.DER}, PrivateKey: leaf.Key}}
})

// seededRand is a reproducible randomness source for a machine.
var seededRand = testkit.Rand

// configs returns client and server configurations with randomness from
// seed and a fixed clock.
func configs(seed uint64) (client, server *machine.Config) {
	p := pki()
	now := func() time.Time { return p.now }
	client = &machine.Config{Rand: seededRand(seed, 1), Time: now, RootCAs: p.roots, ServerName: "server.test"}
	server = &machine.Config{Rand: seededRand(seed, 2), Time: now, Certificates: []machine.Certificate{p.cert}}
	return client, server
}

// payload returns n reproducible pseudo-random bytes.
func payload(n int, seed uint64) []byte {
	b := make([]byte, n)
	seededRand(seed, 99).Read(b)
	return b
}
