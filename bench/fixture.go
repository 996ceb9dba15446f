package bench

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"math/big"
	"sync"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// detRand is a deterministic reader (SHA-256 in counter mode): the bytes the
// handshakes draw do not depend on the system's entropy source.
type detRand struct {
	mu  sync.Mutex
	ctr uint64
	buf []byte
}

func (r *detRand) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		if len(r.buf) == 0 {
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], r.ctr)
			r.ctr++
			s := sha256.Sum256(b[:])
			r.buf = s[:]
		}
		c := copy(p, r.buf)
		p, r.buf = p[c:], r.buf[c:]
	}
	return n, nil
}

// now is the fixed clock of every configuration.
var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// serverName is the name in the leaf certificates.
const serverName = "bench.example"

// KeyType is the server certificate's key.
type KeyType int

const (
	ECDSA   KeyType = iota // ECDSA P-256
	RSA2048                // RSA-2048 (RSA-PSS signatures)
)

func (k KeyType) String() string {
	if k == RSA2048 {
		return "RSA-2048"
	}
	return "ECDSA P-256"
}

// leaf is a server certificate with its key in both stacks' forms.
type leaf struct {
	der    []byte
	key    crypto.Signer
	parsed *x509.Certificate
	mcert  machine.Certificate
	tcert  tls.Certificate
}

// pki is a CA (ECDSA P-256) and an ECDSA and an RSA-2048 leaf for
// serverName, valid around now.
type pki struct {
	roots  *x509.CertPool
	caCert *x509.Certificate
	leaves [2]leaf
}

var getPKI = sync.OnceValue(func() *pki {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), &detRand{ctr: 1 << 40})
	if err != nil {
		panic(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(&detRand{}, ca, ca, caKey.Public(), caKey)
	if err != nil {
		panic(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	p := &pki{roots: x509.NewCertPool(), caCert: caCert}
	p.roots.AddCert(caCert)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), &detRand{ctr: 1 << 41})
	if err != nil {
		panic(err)
	}
	// rsa.GenerateKey may ignore the reader; the key need not be
	// reproducible, only its size.
	rsaKey, err := rsa.GenerateKey(&detRand{ctr: 1 << 42}, 2048)
	if err != nil {
		panic(err)
	}
	for i, key := range []crypto.Signer{ecKey, rsaKey} {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(2 + i)), Subject: pkix.Name{CommonName: serverName},
			DNSNames: []string{serverName}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		der, err := x509.CreateCertificate(&detRand{}, tmpl, caCert, key.Public(), caKey)
		if err != nil {
			panic(err)
		}
		parsed, _ := x509.ParseCertificate(der)
		p.leaves[i] = leaf{der: der, key: key, parsed: parsed,
			mcert: machine.Certificate{Chain: [][]byte{der}, PrivateKey: key, Leaf: parsed},
			tcert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: parsed}}
	}
	return p
})
