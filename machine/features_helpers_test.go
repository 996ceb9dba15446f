package machine_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// issuedLeaf makes a leaf for name with key, signed by issuer (nil: the
// test CA) and valid around testNow.
func issuedLeaf(t testing.TB, key crypto.Signer, name string, serial int64, client bool, issuer *x509.Certificate, issuerKey crypto.Signer) machine.Certificate {
	t.Helper()
	p := getPKI(t)
	if issuer == nil {
		issuer, issuerKey = p.caCert, p.caKey
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    testNow.Add(-24 * time.Hour),
		NotAfter:     testNow.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(newRand("issued-"+name), tmpl, issuer, key.Public(), issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return machine.Certificate{Chain: [][]byte{der, issuer.Raw}, PrivateKey: key, Leaf: leaf}
}

// p521Leaf is an ECDSA P-521 leaf for example.com (or a client leaf).
func p521Leaf(t testing.TB, client bool) machine.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P521(), newRand("p521"))
	if err != nil {
		t.Fatal(err)
	}
	name, serial := "example.com", int64(521)
	if client {
		name, serial = "client", 522
	}
	return issuedLeaf(t, k, name, serial, client, nil, nil)
}
