package property_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/pem"
	"math/big"
	"sync"
	"time"

	"github.com/sanstls/sanstls/internal/testkit"
	"github.com/sanstls/sanstls/machine"
)

// serverName is the name every server certificate carries and every client
// asks for.
const serverName = "server.test"

// testNow is the fixed clock of every machine in this package.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func fixedTime() time.Time { return testNow }

// rsaKeyPEM is an RSA-2048 key generated once for these tests (PKCS #8).
// Go ignores custom randomness when generating RSA keys, so a fixed key is
// what keeps the certificates, and so every transcript, reproducible.
//
//go:embed testdata/rsa-2048.pem
var rsaKeyPEM []byte

// testPKI is a CA with ECDSA P-256 and RSA-2048 server and client
// certificates. Everything is derived from fixed seeds: the P-256 keys are
// scalars from seededRand, the CA is Ed25519 (deterministic signatures),
// so the certificates are the same bytes in every run and a rapid fail
// file replays exactly.
type testPKI struct {
	roots                    *x509.CertPool
	serverECDSA, serverRSA   machine.Certificate
	clientECDSA, clientRSA   machine.Certificate
	ecdsaLeafRaw, rsaLeafRaw []byte
}

var pki = sync.OnceValue(func() *testPKI {
	var scalar [32]byte
	_, _ = seededRand(1, 0x5ca1a4).Read(scalar[:])
	scalar[0] &= 0x7f // below the P-256 group order
	ecKey, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), scalar[:])
	must(err)
	block, _ := pem.Decode(rsaKeyPEM)
	if block == nil {
		panic("property_test: no PEM block in testdata/rsa-2048.pem")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	must(err)
	rsaKey := parsed.(crypto.Signer)
	var seed [ed25519.SeedSize]byte
	_, _ = seededRand(2, 0xca).Read(seed[:])
	caKey := ed25519.NewKeyFromSeed(seed[:])
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "property test CA"},
		NotBefore: testNow.Add(-24 * time.Hour), NotAfter: testNow.Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	caDER, err := x509.CreateCertificate(nil, caTmpl, caTmpl, caKey.Public(), caKey)
	must(err)
	ca, err := x509.ParseCertificate(caDER)
	must(err)
	serial := int64(10)
	leaf := func(key crypto.Signer, name string, eku x509.ExtKeyUsage) machine.Certificate {
		serial++
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: testNow.Add(-24 * time.Hour), NotAfter: testNow.Add(365 * 24 * time.Hour),
			KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage: []x509.ExtKeyUsage{eku},
		}
		if eku == x509.ExtKeyUsageServerAuth {
			tmpl.DNSNames = []string{name}
		}
		der, err := x509.CreateCertificate(nil, tmpl, ca, key.Public(), caKey)
		must(err)
		parsed, err := x509.ParseCertificate(der)
		must(err)
		return machine.Certificate{Chain: [][]byte{der}, PrivateKey: key, Leaf: parsed}
	}
	p := &testPKI{roots: x509.NewCertPool()}
	p.roots.AddCert(ca)
	p.serverECDSA = leaf(ecKey, serverName, x509.ExtKeyUsageServerAuth)
	p.serverRSA = leaf(rsaKey, serverName, x509.ExtKeyUsageServerAuth)
	p.clientECDSA = leaf(ecKey, "client", x509.ExtKeyUsageClientAuth)
	p.clientRSA = leaf(rsaKey, "client", x509.ExtKeyUsageClientAuth)
	p.ecdsaLeafRaw, p.rsaLeafRaw = p.serverECDSA.Chain[0], p.serverRSA.Chain[0]
	return p
})

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// seededRand is a reproducible randomness source: ChaCha8 keyed by seed and
// stream (the same construction and bytes as before it moved to testkit, so
// the certificates and rapid fail files replay unchanged).
var seededRand = testkit.Rand

// payload returns n reproducible pseudo-random bytes.
func payload(n int, seed uint64) []byte {
	b := make([]byte, n)
	_, _ = seededRand(seed, 0xda7a).Read(b)
	return b
}

// clientCache is a machine.ClientSessionCache in a map.
type clientCache map[string]*machine.ClientSession

func (c clientCache) Get(key string) (*machine.ClientSession, bool) {
	s, ok := c[key]
	return s, ok
}

func (c clientCache) Put(key string, s *machine.ClientSession) {
	if s == nil {
		delete(c, key)
		return
	}
	c[key] = s
}

// serverCache is a machine.SessionCache in a map.
type serverCache map[string][]byte

func (c serverCache) Get(id []byte) ([]byte, bool) {
	s, ok := c[string(id)]
	return s, ok
}

func (c serverCache) Put(id, state []byte) { c[string(id)] = append([]byte(nil), state...) }
