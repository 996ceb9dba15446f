//go:build unix

package interop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// pki is the test PKI: one ECDSA P-256 CA and leaves signed by it.
type pki struct {
	ca                *x509.Certificate
	caDER             []byte
	caKey             crypto.Signer
	ecdsa, rsa, other leaf // server leaves: localhost (ECDSA, RSA) and other.example (ECDSA)
	client            leaf // ECDSA client certificate
}

// leaf is a certificate (chain: leaf, CA) and its key.
type leaf struct {
	der  []byte
	cert *x509.Certificate
	key  crypto.Signer
}

var (
	pkiOnce sync.Once
	pkiVal  *pki
	pkiErr  error
)

// testPKI returns the process-wide PKI, generating it on first use.
func testPKI(t *testing.T) *pki {
	t.Helper()
	pkiOnce.Do(func() { pkiVal, pkiErr = newPKI() })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return pkiVal
}

func newPKI() (*pki, error) {
	p := &pki{}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	p.caKey = caKey
	caTmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "sanstls interop CA"},
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	if p.caDER, p.ca, err = p.sign(caTmpl, nil, caKey.Public()); err != nil {
		return nil, err
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	clientKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	// Different subjects for the ECDSA and RSA leaves (some stacks file
	// certificates by subject).
	if p.ecdsa, err = p.issue("localhost", ecKey, false, "localhost", "127.0.0.1"); err != nil {
		return nil, err
	}
	if p.rsa, err = p.issue("localhost rsa", rsaKey, false, "localhost", "127.0.0.1"); err != nil {
		return nil, err
	}
	if p.other, err = p.issue("other.example", otherKey, false, "other.example"); err != nil {
		return nil, err
	}
	if p.client, err = p.issue("sanstls interop client", clientKey, true); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *pki) issue(cn string, key crypto.Signer, client bool, names ...string) (leaf, error) {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if _, ok := key.(*rsa.PrivateKey); ok {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, cert, err := p.sign(tmpl, p.ca, key.Public())
	return leaf{der: der, cert: cert, key: key}, err
}

// sign issues tmpl (self-signed when parent is nil), valid from an hour
// ago for a year.
func (p *pki) sign(tmpl, parent *x509.Certificate, pub crypto.PublicKey) ([]byte, *x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().AddDate(1, 0, 0)
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, p.caKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return der, cert, err
}

// machineCert is l as a machine.Certificate (chain: leaf, CA).
func (p *pki) machineCert(l leaf) machine.Certificate {
	return machine.Certificate{Chain: [][]byte{l.der, p.caDER}, PrivateKey: l.key, Leaf: l.cert}
}

// roots is a pool holding the CA.
func (p *pki) roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.ca)
	return pool
}

// files are the PKI as PEM files, for the peer processes.
type files struct {
	dir                   string
	ca                    string
	ecdsaCert, ecdsaKey   string
	rsaCert, rsaKey       string
	otherCert, otherKey   string
	clientCert, clientKey string
}

// writeFiles writes the PKI into a fresh t.TempDir(). Certificate files
// hold the leaf then the CA.
func (p *pki) writeFiles(t *testing.T) files {
	t.Helper()
	f := files{dir: t.TempDir()}
	write := func(name string, blocks ...*pem.Block) string {
		path := filepath.Join(f.dir, name)
		var data []byte
		for _, b := range blocks {
			data = append(data, pem.EncodeToMemory(b)...)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	caBlock := &pem.Block{Type: "CERTIFICATE", Bytes: p.caDER}
	pair := func(name string, l leaf) (string, string) {
		der, err := x509.MarshalPKCS8PrivateKey(l.key)
		if err != nil {
			t.Fatal(err)
		}
		return write(name+".pem", &pem.Block{Type: "CERTIFICATE", Bytes: l.der}, caBlock),
			write(name+".key", &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	f.ca = write("ca.pem", caBlock)
	f.ecdsaCert, f.ecdsaKey = pair("ecdsa", p.ecdsa)
	f.rsaCert, f.rsaKey = pair("rsa", p.rsa)
	f.otherCert, f.otherKey = pair("other", p.other)
	f.clientCert, f.clientKey = pair("client", p.client)
	return f
}
