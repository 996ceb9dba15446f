package machine

// A bounded cache of parsed peer certificates and of successful chain
// verifications, shared by all Conns of the process (crypto/tls caches
// parsed certificates the same way). Most handshakes of a client meet the
// same few server chains, and a server meets the same client chains again:
// parsing and verifying them is most of the allocation of a handshake after
// the public-key operations.
//
// Both tables are direct-mapped: a slot is chosen from the bytes of the key
// and holds one immutable entry, replaced on a miss. A hit requires the
// exact key (every DER byte; for verification also the root pool, the name
// and the side), so a collision only costs a miss. Slots are atomic
// pointers: lookups and replacements by concurrent Conns need no lock, and
// the memory is bounded by the slot count. Only success is cached; a
// verification is reused only while every certificate of its chains is
// valid at the handshake's Config.Time, so the cache never accepts a chain
// that x509 verification would refuse at that time. Errors and failures are
// never cached.

import (
	"bytes"
	"crypto/x509"
	"sync/atomic"
	"time"
)

const certCacheSlots = 256

// certCacheOn switches both tables (tests and benchmarks compare without).
var certCacheOn atomic.Bool

func init() { certCacheOn.Store(true) }

type parsedCert struct {
	der  []byte // private copy: the parsed fields alias it
	cert *x509.Certificate
}

type verifiedChain struct {
	roots             *x509.CertPool
	isClient          bool
	name              string
	ders              [][]byte // the peer's chain as verified, leaf first
	chains            [][]*x509.Certificate
	notBefore, expiry time.Time // all certificates of chains are valid in between
}

var (
	parsedCerts    [certCacheSlots]atomic.Pointer[parsedCert]
	verifiedChains [certCacheSlots]atomic.Pointer[verifiedChain]
)

// certSlot picks a slot from a DER certificate: FNV-1a over its length and
// its last 32 bytes (the signature, the part that differs most).
func certSlot(der []byte) int {
	h := uint32(2166136261)
	h = (h ^ uint32(len(der))) * 16777619
	tail := der[max(0, len(der)-32):]
	for _, b := range tail {
		h = (h ^ uint32(b)) * 16777619
	}
	return int(h % certCacheSlots)
}

// parseCertificate parses a DER certificate, or returns the cached parse of
// the same bytes. Returned certificates may be shared: never modify them.
func parseCertificate(der []byte) (*x509.Certificate, error) {
	if !certCacheOn.Load() {
		return x509.ParseCertificate(der)
	}
	slot := &parsedCerts[certSlot(der)]
	if e := slot.Load(); e != nil && bytes.Equal(e.der, der) {
		return e.cert, nil
	}
	// Parse a private copy: the certificate's Raw fields alias it, and the
	// caller's buffer may be reused.
	own := bytes.Clone(der)
	cert, err := x509.ParseCertificate(own)
	if err != nil {
		return nil, err
	}
	slot.Store(&parsedCert{der: own, cert: cert})
	return cert, nil
}

// cachedVerification returns the chains of an earlier successful
// verification of the same certificates against the same roots, name and
// side, if every certificate in them is valid at now.
func cachedVerification(pc *PeerCerts, roots *x509.CertPool, name string) ([][]*x509.Certificate, bool) {
	if !certCacheOn.Load() || len(pc.Certificates) == 0 {
		return nil, false
	}
	e := verifiedChains[certSlot(pc.Certificates[0].Raw)].Load()
	if e == nil || e.roots != roots || e.isClient != pc.IsClient || e.name != name ||
		len(e.ders) != len(pc.Certificates) || pc.Now.Before(e.notBefore) || pc.Now.After(e.expiry) {
		return nil, false
	}
	for i, cert := range pc.Certificates {
		if !bytes.Equal(e.ders[i], cert.Raw) {
			return nil, false
		}
	}
	return e.chains, true
}

// rememberVerification records a successful verification.
func rememberVerification(pc *PeerCerts, roots *x509.CertPool, name string, chains [][]*x509.Certificate) {
	if !certCacheOn.Load() || len(chains) == 0 {
		return
	}
	e := &verifiedChain{roots: roots, isClient: pc.IsClient, name: name, chains: chains}
	for _, cert := range pc.Certificates {
		e.ders = append(e.ders, bytes.Clone(cert.Raw))
	}
	first := true
	for _, chain := range chains {
		for _, cert := range chain {
			if first || cert.NotBefore.After(e.notBefore) {
				e.notBefore = cert.NotBefore
			}
			if first || cert.NotAfter.Before(e.expiry) {
				e.expiry = cert.NotAfter
			}
			first = false
		}
	}
	verifiedChains[certSlot(pc.Certificates[0].Raw)].Store(e)
}
