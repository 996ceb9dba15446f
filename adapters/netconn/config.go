package netconn

import (
	"crypto/rand"
	"crypto/x509"
	"slices"
	"sync"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// Config is the configuration of a client or server: the machine's own
// [machine.Config], so switching from crypto/tls means changing the import
// and the config type (or converting a *tls.Config with [FromTLSConfig]).
//
// The adapter fills crypto/tls's defaults on a copy, never modifying the
// caller's Config:
//
//   - Rand and Time default to crypto/rand.Reader and time.Now.
//   - A client with nil RootCAs verifies against the system roots
//     (x509.SystemCertPool), as crypto/tls does; the machine alone would
//     trust nothing.
//   - A server with nil TicketKeys issues and accepts session tickets under
//     keys it generates and rotates (daily, each key accepted for 7 days),
//     as crypto/tls does; a non-nil empty TicketKeys turns tickets off, and
//     explicit keys are used as given.
//   - Clients resume only with a ClientSessionCache, as in crypto/tls.
type Config = machine.Config

var systemRoots = sync.OnceValues(x509.SystemCertPool)

// prepareConfig returns a copy of cfg with the adapter defaults filled in.
// It also parses certificate leaves into the copy (with a copied
// Certificates slice), because the machine parses a missing Leaf per Conn
// and a Config shared by concurrent connections must not be written.
func prepareConfig(cfg *Config, isClient bool) *Config {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Time == nil {
		c.Time = time.Now
	}
	if c.CertCache == nil {
		c.CertCache = sharedCertCache
	}
	if isClient && c.RootCAs == nil && !c.InsecureSkipVerify {
		// On error (no system roots) RootCAs stays nil and verification
		// fails with unknown_ca, as crypto/tls's does.
		c.RootCAs, _ = systemRoots()
	}
	missingLeaf := func(cert machine.Certificate) bool { return cert.Leaf == nil && len(cert.Chain) > 0 }
	if slices.ContainsFunc(c.Certificates, missingLeaf) {
		c.Certificates = slices.Clone(c.Certificates)
		for i := range c.Certificates {
			if missingLeaf(c.Certificates[i]) {
				// On error Leaf stays nil and machine.Client or
				// machine.Server reports the parse error.
				c.Certificates[i].Leaf, _ = x509.ParseCertificate(c.Certificates[i].Chain[0])
			}
		}
	}
	return &c
}

// autoTickets reports whether a server with cfg gets automatic ticket keys.
func autoTickets(cfg *Config) bool { return cfg == nil || cfg.TicketKeys == nil }

// prepareServer is prepareConfig for one server Conn, with the current
// automatic ticket keys of cfg.
func prepareServer(cfg *Config) (*Config, error) {
	c := prepareConfig(cfg, false)
	if autoTickets(cfg) {
		keys, err := ringFor(cfg).current(c.Rand, c.Time())
		if err != nil {
			return nil, err
		}
		c.TicketKeys = keys
	}
	return c, nil
}

// Client certificate policies ([machine.ClientAuthType]; the values are
// crypto/tls's).
const (
	NoClientCert               = machine.NoClientCert
	RequestClientCert          = machine.RequestClientCert
	RequireAnyClientCert       = machine.RequireAnyClientCert
	VerifyClientCertIfGiven    = machine.VerifyClientCertIfGiven
	RequireAndVerifyClientCert = machine.RequireAndVerifyClientCert
)

// Renegotiation policies of a client ([machine.RenegotiationSupport]; the
// values are crypto/tls's).
const (
	RenegotiateNever          = machine.RenegotiateNever
	RenegotiateOnceAsClient   = machine.RenegotiateOnceAsClient
	RenegotiateFreelyAsClient = machine.RenegotiateFreelyAsClient
)
