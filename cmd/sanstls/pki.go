package main

// Certificates for the demo and for a server started without -cert: a CA and
// leaves signed by it. The demo needs them to be reproducible from -seed, and
// on Go 1.26 the standard key generators ignore a caller's reader, so keys
// are built here from bytes read from the seeded stream instead.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// seededReader returns a deterministic stream of bytes: ChaCha8 keyed with
// SHA-256(label || seed). Different labels give independent streams from one
// seed, so the client, the server and the PKI do not share bytes.
func seededReader(seed uint64, label string) io.Reader {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h := sha256.New()
	h.Write([]byte(label))
	h.Write(b[:])
	var key [32]byte
	copy(key[:], h.Sum(nil))
	return rand.NewChaCha8(key)
}

// keyTypes are the values of -key, in the order `sanstls demo -h` lists them.
var keyTypes = []string{"ecdsa", "rsa", "ed25519"}

// newKey builds a private key of the given type ("ecdsa" is P-256, "rsa" is
// RSA-2048) from bytes read from r, so a seeded r gives the same key every
// time. The ECDSA key is wrapped so that it signs deterministically.
func newKey(kind string, r io.Reader) (crypto.Signer, error) {
	switch kind {
	case "ecdsa":
		return newECDSAKey(elliptic.P256(), r)
	case "rsa":
		return newRSAKey(r, 2048)
	case "ed25519":
		seed := make([]byte, ed25519.SeedSize)
		if _, err := io.ReadFull(r, seed); err != nil {
			return nil, err
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	return nil, fmt.Errorf("unknown key type %q (want ecdsa, rsa or ed25519)", kind)
}

// newECDSAKey draws scalars from r until one is a valid private key (a value
// in [1, n-1]; for P-256 the first draw fails with probability below 2^-32).
func newECDSAKey(curve elliptic.Curve, r io.Reader) (crypto.Signer, error) {
	buf := make([]byte, (curve.Params().BitSize+7)/8)
	for range 64 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		k, err := ecdsa.ParseRawPrivateKey(curve, buf)
		if err == nil {
			return rfc6979Signer{k}, nil
		}
	}
	return nil, errors.New("could not draw an ECDSA private key")
}

// rfc6979Signer signs with an ECDSA key deterministically (RFC 6979): since
// Go 1.26, ecdsa.PrivateKey.Sign ignores a custom random source and uses the
// system's, and only a nil source selects deterministic signatures.
type rfc6979Signer struct{ *ecdsa.PrivateKey }

func (s rfc6979Signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return s.PrivateKey.Sign(nil, digest, opts)
}

// newRSAKey builds an RSA key with e = 65537 from two primes found by
// searching upwards from random odd starting points read from r. Both
// starting points have their top two bits set, so the modulus has exactly
// bits bits. The searches are bounded.
func newRSAKey(r io.Reader, bits int) (*rsa.PrivateKey, error) {
	e := big.NewInt(65537)
	one := big.NewInt(1)
	for range 16 {
		p, err := findPrime(r, bits/2, e)
		if err != nil {
			return nil, err
		}
		q, err := findPrime(r, bits-bits/2, e)
		if err != nil {
			return nil, err
		}
		if p.Cmp(q) == 0 {
			continue
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != bits {
			continue
		}
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		key := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())}, D: d, Primes: []*big.Int{p, q}}
		key.Precompute()
		if key.Validate() == nil {
			return key, nil
		}
	}
	return nil, errors.New("could not build an RSA key")
}

// findPrime returns a prime of exactly bits bits with gcd(p-1, e) = 1.
func findPrime(r io.Reader, bits int, e *big.Int) (*big.Int, error) {
	buf := make([]byte, (bits+7)/8)
	two := big.NewInt(2)
	one := big.NewInt(1)
	for range 8 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		if extra := len(buf)*8 - bits; extra > 0 {
			buf[0] &= 0xff >> extra
		}
		p := new(big.Int).SetBytes(buf)
		p.SetBit(p, bits-1, 1)
		p.SetBit(p, bits-2, 1)
		p.SetBit(p, 0, 1)
		// Primes near 2^1024 are about 710 apart on average; 20000 odd
		// candidates leave a miss with negligible probability.
		for range 20000 {
			if p.BitLen() != bits {
				break
			}
			if p.ProbablyPrime(20) {
				pm1 := new(big.Int).Sub(p, one)
				if new(big.Int).GCD(nil, nil, pm1, e).Cmp(one) == 0 {
					return p, nil
				}
			}
			p.Add(p, two)
		}
	}
	return nil, errors.New("no prime found")
}

// keyDescription names a public key's algorithm and size for humans.
func keyDescription(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// pkiOptions describes the certificates issueCert makes.
type pkiOptions struct {
	// Rand supplies every random byte (keys, serial numbers, signatures).
	Rand io.Reader
	// NotBefore is the start of validity; certificates last ten years.
	NotBefore time.Time
}

// authority is a CA that can issue leaves.
type authority struct {
	cert *x509.Certificate
	der  []byte
	key  crypto.Signer
	opts pkiOptions
}

// newAuthority makes a self-signed ECDSA P-256 CA named cn.
func newAuthority(cn string, opts pkiOptions) (*authority, error) {
	key, err := newECDSAKey(elliptic.P256(), opts.Rand)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             opts.NotBefore,
		NotAfter:              opts.NotBefore.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, cert, err := sign(tmpl, nil, key.Public(), key, opts.Rand)
	if err != nil {
		return nil, err
	}
	return &authority{cert: cert, der: der, key: key, opts: opts}, nil
}

// issue makes a leaf for cn with a key of the given type. A server leaf
// (client false) gets the DNS names and IP addresses in names as SANs and
// the serverAuth usage; a client leaf gets clientAuth. The returned chain
// is leaf then CA.
func (a *authority) issue(cn, kind string, client bool, names ...string) (machine.Certificate, error) {
	key, err := newKey(kind, a.opts.Rand)
	if err != nil {
		return machine.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             a.opts.NotBefore,
		NotAfter:              a.opts.NotBefore.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else if _, ok := key.Public().(*rsa.PublicKey); ok {
		// RSA key exchange (TLS_RSA_*) encrypts the premaster secret to
		// this key: RFC 5280 Section 4.2.1.3 keyEncipherment.
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, leaf, err := sign(tmpl, a.cert, key.Public(), a.key, a.opts.Rand)
	if err != nil {
		return machine.Certificate{}, err
	}
	return machine.Certificate{Chain: [][]byte{der, a.der}, PrivateKey: key, Leaf: leaf}, nil
}

// selfSigned makes a self-signed ECDSA P-256 server certificate for names
// (the first is the subject's CN).
func selfSigned(opts pkiOptions, names ...string) (machine.Certificate, error) {
	key, err := newECDSAKey(elliptic.P256(), opts.Rand)
	if err != nil {
		return machine.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: names[0]},
		NotBefore:             opts.NotBefore,
		NotAfter:              opts.NotBefore.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so that clients can trust it as its own root
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, cert, err := sign(tmpl, nil, key.Public(), key, opts.Rand)
	if err != nil {
		return machine.Certificate{}, err
	}
	return machine.Certificate{Chain: [][]byte{der}, PrivateKey: key, Leaf: cert}, nil
}

// sign fills in a serial number read from r and creates the certificate
// (self-signed when parent is nil).
func sign(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer, r io.Reader) ([]byte, *x509.Certificate, error) {
	serial := make([]byte, 16)
	if _, err := io.ReadFull(r, serial); err != nil {
		return nil, nil, err
	}
	serial[0] &= 0x7f
	tmpl.SerialNumber = new(big.Int).SetBytes(serial)
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(r, tmpl, parent, pub, signer)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return der, cert, nil
}

// certPEM encodes DER certificates as PEM blocks.
func certPEM(ders ...[]byte) []byte {
	var out []byte
	for _, d := range ders {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
	}
	return out
}
