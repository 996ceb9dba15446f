package netconn

import (
	"crypto/x509"
	"sync"

	"github.com/sanstls/sanstls/machine"
)

// sharedCertCache is the machine.CertCache of every Config that does not
// set one: parsed peer certificates and successful verifications are reused
// across the connections of the process, as crypto/tls reuses parsed
// certificates. The machine's cache is not safe for concurrent use, so the
// adapter puts it behind a lock.
var sharedCertCache machine.CertCache = &lockedCertCache{c: machine.NewCertCache(256)}

type lockedCertCache struct {
	mu sync.Mutex
	c  machine.CertCache
}

func (l *lockedCertCache) Certificate(der []byte) *x509.Certificate {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.c.Certificate(der)
}

func (l *lockedCertCache) AddCertificate(cert *x509.Certificate) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.AddCertificate(cert)
}

func (l *lockedCertCache) Verification(leaf []byte) *machine.Verification {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.c.Verification(leaf)
}

func (l *lockedCertCache) AddVerification(v *machine.Verification) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.AddVerification(v)
}
