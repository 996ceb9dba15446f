package machine_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// seededRand is a deterministic io.Reader: SHA-256 in counter mode over a
// seed. Tests use it for Config.Rand so runs are reproducible.
type seededRand struct {
	seed    [32]byte
	counter uint64
	buf     []byte
}

func newRand(seed string) *seededRand { return &seededRand{seed: sha256.Sum256([]byte(seed))} }

func (r *seededRand) Read(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(r.buf) == 0 {
			var block [40]byte
			copy(block[:], r.seed[:])
			binary.BigEndian.PutUint64(block[32:], r.counter)
			r.counter++
			sum := sha256.Sum256(block[:])
			r.buf = sum[:]
		}
		c := copy(p, r.buf)
		p, r.buf = p[c:], r.buf[c:]
	}
	return n, nil
}

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func fixedTime() time.Time { return testNow }

// testPKI is a CA and leaf certificates of each key type, generated once.
type testPKI struct {
	roots                *x509.CertPool
	caCert               *x509.Certificate
	ecdsa, rsa, p384, ed machine.Certificate
	client               machine.Certificate // ECDSA client certificate
	otherName            machine.Certificate // ECDSA leaf for "other.example"
	tlsECDSA, tlsRSA     tls.Certificate
	tlsClient            tls.Certificate
	caKey                crypto.Signer
}

var (
	pkiOnce sync.Once
	pki     *testPKI
)

func mustKey(t testing.TB, kind string, seed string) crypto.Signer {
	t.Helper()
	r := newRand(seed)
	switch kind {
	case "p256":
		k, err := ecdsa.GenerateKey(elliptic.P256(), r)
		if err != nil {
			t.Fatal(err)
		}
		return k
	case "p384":
		k, err := ecdsa.GenerateKey(elliptic.P384(), r)
		if err != nil {
			t.Fatal(err)
		}
		return k
	case "rsa":
		k, err := rsa.GenerateKey(r, 2048)
		if err != nil {
			t.Fatal(err)
		}
		return k
	case "ed25519":
		_, k, err := ed25519.GenerateKey(r)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	t.Fatalf("unknown key kind %q", kind)
	return nil
}

func getPKI(t testing.TB) *testPKI {
	t.Helper()
	pkiOnce.Do(func() {
		p := &testPKI{}
		p.caKey = mustKey(t, "p256", "ca")
		caTmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "sanstls test CA"},
			NotBefore:             testNow.Add(-24 * time.Hour),
			NotAfter:              testNow.Add(10 * 365 * 24 * time.Hour),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		caDER, err := x509.CreateCertificate(newRand("ca-cert"), caTmpl, caTmpl, p.caKey.Public(), p.caKey)
		if err != nil {
			t.Fatal(err)
		}
		p.caCert, _ = x509.ParseCertificate(caDER)
		p.roots = x509.NewCertPool()
		p.roots.AddCert(p.caCert)
		leaf := func(kind, name string, serial int64, client bool) (machine.Certificate, tls.Certificate) {
			key := mustKey(t, kind, "leaf-"+kind+name)
			tmpl := &x509.Certificate{
				SerialNumber: big.NewInt(serial),
				Subject:      pkix.Name{CommonName: name},
				DNSNames:     []string{name},
				NotBefore:    testNow.Add(-24 * time.Hour),
				NotAfter:     testNow.Add(365 * 24 * time.Hour),
				KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
				ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			}
			if client {
				tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
			}
			der, err := x509.CreateCertificate(newRand("cert-"+kind+name), tmpl, p.caCert, key.Public(), p.caKey)
			if err != nil {
				t.Fatal(err)
			}
			parsed, _ := x509.ParseCertificate(der)
			return machine.Certificate{Chain: [][]byte{der, caDER}, PrivateKey: key, Leaf: parsed},
				tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key, Leaf: parsed}
		}
		p.ecdsa, p.tlsECDSA = leaf("p256", "example.com", 10, false)
		p.rsa, p.tlsRSA = leaf("rsa", "example.com", 11, false)
		p.p384, _ = leaf("p384", "example.com", 12, false)
		p.ed, _ = leaf("ed25519", "example.com", 13, false)
		p.client, p.tlsClient = leaf("p256", "client", 14, true)
		p.otherName, _ = leaf("p256", "other.example", 15, false)
		pki = p
	})
	if pki == nil {
		t.Fatal("PKI generation failed")
	}
	return pki
}

func clientConfig(t testing.TB, seed string) *machine.Config {
	p := getPKI(t)
	return &machine.Config{
		Rand:       newRand("client-" + seed),
		Time:       fixedTime,
		RootCAs:    p.roots,
		ServerName: "example.com",
	}
}

func serverConfig(t testing.TB, seed string, certs ...machine.Certificate) *machine.Config {
	p := getPKI(t)
	if len(certs) == 0 {
		certs = []machine.Certificate{p.ecdsa, p.rsa}
	}
	return &machine.Config{
		Rand:         newRand("server-" + seed),
		Time:         fixedTime,
		Certificates: certs,
	}
}
