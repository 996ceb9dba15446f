package testkit

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"time"
)

// KeyType names the kind of key NewKey generates.
type KeyType int

const (
	ECDSAP256 KeyType = iota
	ECDSAP384
	RSA2048
	Ed25519
)

func (k KeyType) String() string {
	switch k {
	case ECDSAP256:
		return "ECDSA-P256"
	case ECDSAP384:
		return "ECDSA-P384"
	case RSA2048:
		return "RSA-2048"
	case Ed25519:
		return "Ed25519"
	}
	return "unknown key type"
}

// NewKey generates a key of type kt from r (crypto/rand when r is nil). Go's
// ECDSA and RSA generators do not take custom randomness for reproducible
// keys, so only Ed25519 keys are reproducible from a seeded r.
func NewKey(kt KeyType, r io.Reader) (crypto.Signer, error) {
	if r == nil {
		r = rand.Reader
	}
	switch kt {
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), r)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), r)
	case RSA2048:
		return rsa.GenerateKey(r, 2048)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(r)
		return k, err
	}
	return nil, errors.New("testkit: unknown key type")
}

// Validity is a certificate's validity window. The zero value means one hour
// before the current time to 24 hours after it.
type Validity struct {
	NotBefore, NotAfter time.Time
}

func (v Validity) window() (time.Time, time.Time) {
	nb, na := v.NotBefore, v.NotAfter
	if nb.IsZero() {
		nb = time.Now().Add(-time.Hour)
	}
	if na.IsZero() {
		na = nb.Add(25 * time.Hour)
	}
	return nb, na
}

// CA is a self-signed certificate authority.
type CA struct {
	Key  crypto.Signer
	Cert *x509.Certificate
	DER  []byte

	rand          io.Reader
	serial        int64
	randomSerials bool
}

// CAOptions configures NewCA. The zero value gives an ECDSA P-256 CA valid
// from an hour ago for 25 hours, with keys and signatures from crypto/rand.
type CAOptions struct {
	KeyType KeyType
	Key     crypto.Signer // used instead of a generated key when set
	Rand    io.Reader     // for keys and signatures; nil: crypto/rand
	// RandomSerials gives the CA and every leaf without an explicit Serial
	// a random 120-bit serial number (from Rand) instead of 1, 2, 3...:
	// peers that keep a certificate store between runs (NSS) reject a
	// reused issuer and serial with a different key.
	RandomSerials bool
	Validity
}

// NewCA creates a self-signed CA named name (serial number 1 unless
// o.RandomSerials).
func NewCA(name string, o CAOptions) (*CA, error) {
	r := o.Rand
	if r == nil {
		r = rand.Reader
	}
	key := o.Key
	if key == nil {
		var err error
		if key, err = NewKey(o.KeyType, r); err != nil {
			return nil, err
		}
	}
	ca := &CA{Key: key, rand: r, serial: 1, randomSerials: o.RandomSerials}
	serial, err := ca.nextSerial(0)
	if err != nil {
		return nil, err
	}
	nb, na := o.window()
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: name},
		NotBefore: nb, NotAfter: na,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(r, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	if ca.Cert, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	ca.DER = der
	return ca, nil
}

// nextSerial returns explicit if not zero, else a random serial or the
// next in sequence.
func (ca *CA) nextSerial(explicit int64) (*big.Int, error) {
	switch {
	case explicit != 0:
		return big.NewInt(explicit), nil
	case ca.randomSerials:
		return rand.Int(ca.rand, new(big.Int).Lsh(big.NewInt(1), 120))
	}
	n := big.NewInt(ca.serial)
	ca.serial++
	return n, nil
}

// Pool returns a certificate pool holding only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// LeafOptions describes a certificate for Issue.
type LeafOptions struct {
	KeyType KeyType
	Key     crypto.Signer // used instead of a generated key when set

	// CommonName is the subject name; empty: the first DNS name.
	CommonName string
	DNSNames   []string
	IPs        []net.IP

	// Client gives the certificate the client-auth extended key usage
	// instead of server-auth.
	Client bool
	// Serial is the serial number; zero: the CA's next one.
	Serial int64
	Validity
}

// Leaf is an issued certificate with its key.
type Leaf struct {
	Key  crypto.Signer
	Cert *x509.Certificate
	DER  []byte
}

// Issue creates a leaf certificate (CA:FALSE) signed by ca. Its key usage is
// digitalSignature, plus keyEncipherment for RSA keys (RSA key exchange).
func (ca *CA) Issue(o LeafOptions) (*Leaf, error) {
	key := o.Key
	if key == nil {
		var err error
		if key, err = NewKey(o.KeyType, ca.rand); err != nil {
			return nil, err
		}
	}
	serial, err := ca.nextSerial(o.Serial)
	if err != nil {
		return nil, err
	}
	cn := o.CommonName
	if cn == "" && len(o.DNSNames) > 0 {
		cn = o.DNSNames[0]
	}
	nb, na := o.window()
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		DNSNames: o.DNSNames, IPAddresses: o.IPs,
		NotBefore: nb, NotAfter: na,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, // CA:FALSE
	}
	if _, ok := key.Public().(*rsa.PublicKey); ok {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	if o.Client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(ca.rand, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Leaf{Key: key, Cert: cert, DER: der}, nil
}

// Must returns v, panicking if err is not nil; for package-level test
// fixtures built once.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
