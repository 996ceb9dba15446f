package sim

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"io"
	"math/big"
	"math/rand/v2"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// ServerName is the name every simulated server's certificate carries and
// every simulated client asks for.
const ServerName = "server.sim.test"

// Epoch is virtual time zero: Config.Time returns Epoch plus the virtual
// clock. The certificates are valid from a day before it for a year.
var Epoch = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)

// pki is the simulation's certificates: an Ed25519 CA (deterministic
// signatures) and ECDSA P-256 server and client keys derived from fixed
// bytes that sign with RFC 6979, so that every certificate and every
// ServerKeyExchange is the same in every run.
type pki struct {
	roots          *x509.CertPool
	server, client machine.Certificate
}

// rfc6979 signs deterministically: since Go 1.26 an *ecdsa.PrivateKey
// ignores a custom random source (it uses the system's) unless the source
// is nil, which selects RFC 6979 nonces.
type rfc6979 struct{ *ecdsa.PrivateKey }

func (k rfc6979) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.PrivateKey.Sign(nil, digest, opts)
}

func newPKI() (*pki, error) {
	r := rand.NewChaCha8([32]byte{'s', 'i', 'm', ' ', 'p', 'k', 'i'})
	var caSeed [ed25519.SeedSize]byte
	_, _ = r.Read(caSeed[:])
	caKey := ed25519.NewKeyFromSeed(caSeed[:])
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sanstls sim CA"},
		NotBefore: Epoch.Add(-24 * time.Hour), NotAfter: Epoch.Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	caDER, err := x509.CreateCertificate(nil, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	leaf := func(serial int64, name string, eku x509.ExtKeyUsage) (machine.Certificate, error) {
		var scalar [32]byte
		_, _ = r.Read(scalar[:])
		scalar[0] &= 0x7f // below the P-256 group order
		key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), scalar[:])
		if err != nil {
			return machine.Certificate{}, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: Epoch.Add(-24 * time.Hour), NotAfter: Epoch.Add(365 * 24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{eku},
		}
		if eku == x509.ExtKeyUsageServerAuth {
			tmpl.DNSNames = []string{name}
		}
		der, err := x509.CreateCertificate(nil, tmpl, ca, key.Public(), caKey)
		if err != nil {
			return machine.Certificate{}, err
		}
		parsed, err := x509.ParseCertificate(der)
		if err != nil {
			return machine.Certificate{}, err
		}
		return machine.Certificate{Chain: [][]byte{der}, PrivateKey: rfc6979{key}, Leaf: parsed}, nil
	}
	p := &pki{roots: x509.NewCertPool()}
	p.roots.AddCert(ca)
	if p.server, err = leaf(2, ServerName, x509.ExtKeyUsageServerAuth); err != nil {
		return nil, err
	}
	if p.client, err = leaf(3, "client.sim.test", x509.ExtKeyUsageClientAuth); err != nil {
		return nil, err
	}
	return p, nil
}

// newPCG returns the PCG stream (seed, stream): every random choice of a
// run comes from one of these.
func newPCG(seed, stream uint64) rand.PCG {
	return *rand.NewPCG(seed, stream)
}

// fill fills p from a PCG stream.
func fill(g *rand.PCG, p []byte) {
	for len(p) >= 8 {
		binary.LittleEndian.PutUint64(p, g.Uint64())
		p = p[8:]
	}
	if len(p) > 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], g.Uint64())
		copy(p, b[:])
	}
}
