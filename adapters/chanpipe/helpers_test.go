package chanpipe_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"math/big"
	mrand "math/rand/v2"
	"sync"
	"time"

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
	newCA := func(name string) (*ecdsa.PrivateKey, *x509.Certificate) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		must(err)
		cert, err := x509.ParseCertificate(der)
		must(err)
		return key, cert
	}
	caKey, ca := newCA("chanpipe test CA")
	_, other := newCA("unrelated CA")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "server.test"},
		DNSNames: []string{"server.test"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	must(err)
	p := &testPKI{roots: x509.NewCertPool(), otherRoots: x509.NewCertPool(), now: now,
		cert: machine.Certificate{Chain: [][]byte{der}, PrivateKey: key}}
	p.roots.AddCert(ca)
	p.otherRoots.AddCert(other)
	return p
})

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// seededRand is a reproducible randomness source for a machine.
func seededRand(seed, stream uint64) *mrand.ChaCha8 {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	binary.LittleEndian.PutUint64(s[8:], stream)
	return mrand.NewChaCha8(s)
}

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
