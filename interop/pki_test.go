//go:build unix

package interop

import (
	"crypto"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sanstls/sanstls/internal/testkit"
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
	// Valid from an hour ago for a year; random serials, as peers that
	// keep certificate stores expect from a CA.
	v := testkit.Validity{NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)}
	ca, err := testkit.NewCA("sanstls interop CA", testkit.CAOptions{RandomSerials: true, Validity: v})
	if err != nil {
		return nil, err
	}
	p := &pki{ca: ca.Cert, caDER: ca.DER, caKey: ca.Key}
	issue := func(kt testkit.KeyType, cn string, client bool, names ...string) (leaf, error) {
		o := testkit.LeafOptions{KeyType: kt, CommonName: cn, Client: client, Validity: v}
		for _, n := range names {
			if ip := net.ParseIP(n); ip != nil {
				o.IPs = append(o.IPs, ip)
			} else {
				o.DNSNames = append(o.DNSNames, n)
			}
		}
		l, err := ca.Issue(o)
		if err != nil {
			return leaf{}, err
		}
		return leaf{der: l.DER, cert: l.Cert, key: l.Key}, nil
	}
	// Different subjects for the ECDSA and RSA leaves (some stacks file
	// certificates by subject).
	if p.ecdsa, err = issue(testkit.ECDSAP256, "localhost", false, "localhost", "127.0.0.1"); err != nil {
		return nil, err
	}
	if p.rsa, err = issue(testkit.RSA2048, "localhost rsa", false, "localhost", "127.0.0.1"); err != nil {
		return nil, err
	}
	if p.other, err = issue(testkit.ECDSAP256, "other.example", false, "other.example"); err != nil {
		return nil, err
	}
	if p.client, err = issue(testkit.ECDSAP256, "sanstls interop client", true); err != nil {
		return nil, err
	}
	return p, nil
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
	write := func(name string, data []byte) string {
		path := filepath.Join(f.dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	pair := func(name string, l leaf) (string, string) {
		key, err := testkit.KeyPEM(l.key)
		if err != nil {
			t.Fatal(err)
		}
		return write(name+".pem", testkit.CertPEM(l.der, p.caDER)), write(name+".key", key)
	}
	f.ca = write("ca.pem", testkit.CertPEM(p.caDER))
	f.ecdsaCert, f.ecdsaKey = pair("ecdsa", p.ecdsa)
	f.rsaCert, f.rsaKey = pair("rsa", p.rsa)
	f.otherCert, f.otherKey = pair("other", p.other)
	f.clientCert, f.clientKey = pair("client", p.client)
	return f
}
