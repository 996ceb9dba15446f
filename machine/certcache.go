package machine

// A cache of parsed peer certificates and of successful chain
// verifications, owned by the caller through Config.CertCache. Most
// handshakes of a client meet the same few server chains, and a server meets
// the same client chains again: parsing and verifying them is most of the
// allocation of a handshake after the public-key operations (crypto/tls
// caches parsed certificates for the same reason).
//
// The machine keeps no state between connections itself: the cache is a
// value of the Config, so a run stays reproducible and isolated, and the
// caller decides whether connections on several goroutines share it (then
// the caller synchronizes it; adapters/netconn does).

import (
	"bytes"
	"crypto/x509"
	"time"
)

// CertCache remembers parsed peer certificates and successful chain
// verifications across the connections of a Config. The machine calls it
// synchronously from Receive; it must not call back into the Conn. A
// CertCache used by Conns on several goroutines must synchronize itself.
// Values handed to it and returned by it are shared and must not be
// modified.
type CertCache interface {
	// Certificate returns the certificate parsed from exactly the bytes
	// der, or nil.
	Certificate(der []byte) *x509.Certificate
	// AddCertificate remembers cert under cert.Raw, which the machine does
	// not modify afterwards.
	AddCertificate(cert *x509.Certificate)
	// Verification returns the verification recorded for the leaf
	// certificate with exactly the bytes leaf, or nil. The machine checks
	// that it applies (same chain, roots, name, side and time) before use.
	Verification(leaf []byte) *Verification
	// AddVerification remembers v under v.Leaf().
	AddVerification(v *Verification)
}

// A Verification is a successful chain verification, as kept by a
// CertCache. Only the machine creates them.
type Verification struct {
	roots             *x509.CertPool
	isClient          bool
	name              string
	ders              [][]byte // the peer's chain as verified, leaf first
	chains            [][]*x509.Certificate
	notBefore, expiry time.Time // all certificates of chains are valid in between
}

// Leaf returns the DER bytes of the verified leaf certificate, the key a
// CertCache stores v under.
func (v *Verification) Leaf() []byte { return v.ders[0] }

// NewCertCache returns a bounded CertCache: two direct-mapped tables of
// slots entries each (parsed certificates, verifications); a slot is chosen
// from the key's bytes and a new entry replaces the old one, so a collision
// only costs a miss. It is not safe for concurrent use: share it between
// goroutines only behind a lock.
func NewCertCache(slots int) CertCache {
	if slots < 1 {
		slots = 1
	}
	return &slotCache{certs: make([]*x509.Certificate, slots), verified: make([]*Verification, slots)}
}

type slotCache struct {
	certs    []*x509.Certificate
	verified []*Verification
}

// slot picks a slot from a DER certificate: FNV-1a over its length and its
// last 32 bytes (the signature, the part that differs most).
func slot(der []byte, n int) int {
	h := uint32(2166136261)
	h = (h ^ uint32(len(der))) * 16777619
	for _, b := range der[max(0, len(der)-32):] {
		h = (h ^ uint32(b)) * 16777619
	}
	return int(h % uint32(n))
}

func (s *slotCache) Certificate(der []byte) *x509.Certificate {
	if c := s.certs[slot(der, len(s.certs))]; c != nil && bytes.Equal(c.Raw, der) {
		return c
	}
	return nil
}

func (s *slotCache) AddCertificate(cert *x509.Certificate) {
	s.certs[slot(cert.Raw, len(s.certs))] = cert
}

func (s *slotCache) Verification(leaf []byte) *Verification {
	if v := s.verified[slot(leaf, len(s.verified))]; v != nil && bytes.Equal(v.Leaf(), leaf) {
		return v
	}
	return nil
}

func (s *slotCache) AddVerification(v *Verification) {
	s.verified[slot(v.Leaf(), len(s.verified))] = v
}

// parseCertificate parses a DER certificate, or returns the cache's parse of
// the same bytes. Returned certificates may be shared: never modify them.
func parseCertificate(cache CertCache, der []byte) (*x509.Certificate, error) {
	if cache == nil {
		// A copy, so that a kept certificate holds its own bytes rather
		// than the buffer of the whole flight it arrived in.
		return x509.ParseCertificate(bytes.Clone(der))
	}
	if cert := cache.Certificate(der); cert != nil {
		return cert, nil
	}
	// Parse a private copy: the certificate's Raw fields alias it, and the
	// caller's buffer may be reused.
	cert, err := x509.ParseCertificate(bytes.Clone(der))
	if err != nil {
		return nil, err
	}
	cache.AddCertificate(cert)
	return cert, nil
}

// cachedVerification returns an earlier successful verification of the
// same certificates against the same roots, name and side, if every
// certificate in its chains is valid at pc.Now, or nil.
func cachedVerification(cache CertCache, pc *PeerCerts, roots *x509.CertPool, name string) *Verification {
	if cache == nil || len(pc.Certificates) == 0 {
		return nil
	}
	if v := cache.Verification(pc.Certificates[0].Raw); v.appliesTo(pc, roots, name) {
		return v
	}
	return nil
}

// appliesTo reports whether v (which may be nil) vouches for pc's
// certificates under roots and name at pc.Now: the same roots pool, side,
// name and certificates, and pc.Now inside the validity window of every
// certificate of the verified chains, which is what x509 checks of time.
func (v *Verification) appliesTo(pc *PeerCerts, roots *x509.CertPool, name string) bool {
	if v == nil || v.roots != roots || v.isClient != pc.IsClient || v.name != name ||
		len(v.ders) != len(pc.Certificates) || pc.Now.Before(v.notBefore) || pc.Now.After(v.expiry) {
		return false
	}
	for i, cert := range pc.Certificates {
		if !bytes.Equal(v.ders[i], cert.Raw) {
			return false
		}
	}
	return true
}

// newVerification records a successful verification. With clone unset the
// record keeps pc's certificates' Raw bytes rather than copies: only for
// certificates the machine parsed itself (private copies, never modified).
func newVerification(pc *PeerCerts, roots *x509.CertPool, name string, chains [][]*x509.Certificate, clone bool) *Verification {
	v := &Verification{roots: roots, isClient: pc.IsClient, name: name, chains: chains,
		ders: make([][]byte, len(pc.Certificates))}
	for i, cert := range pc.Certificates {
		v.ders[i] = cert.Raw
		if clone {
			v.ders[i] = bytes.Clone(cert.Raw)
		}
	}
	first := true
	for _, chain := range chains {
		for _, cert := range chain {
			if first || cert.NotBefore.After(v.notBefore) {
				v.notBefore = cert.NotBefore
			}
			if first || cert.NotAfter.Before(v.expiry) {
				v.expiry = cert.NotAfter
			}
			first = false
		}
	}
	return v
}
