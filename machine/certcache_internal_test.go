package machine

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// TestParseCertificateOwnsItsBytes: a cached parse keeps a private copy of
// the DER, so a caller reusing its buffer cannot change what a later lookup
// of the original bytes returns.
func TestParseCertificateOwnsItsBytes(t *testing.T) {
	cache := NewCertCache(16)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "own"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	buf := bytes.Clone(der)
	first, err := parseCertificate(cache, buf)
	if err != nil {
		t.Fatal(err)
	}
	clear(buf)
	again, err := parseCertificate(cache, der)
	if err != nil {
		t.Fatal(err)
	}
	if again != first || !bytes.Equal(again.Raw, der) || again.Subject.CommonName != "own" {
		t.Fatal("cached certificate changed with the caller's buffer")
	}
	if _, err := parseCertificate(cache, buf); err == nil {
		t.Fatal("zeroed bytes parsed as a certificate")
	}
}
