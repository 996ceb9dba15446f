package netconn

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"

	"github.com/sanstls/sanstls/machine"
)

// A ConversionIssue names a *tls.Config field that [FromTLSConfig] could
// not carry over as crypto/tls would honour it, and what happens instead.
type ConversionIssue struct {
	Field  string
	Reason string
}

// A ConversionError lists every field FromTLSConfig could not honour. The
// Config returned with it is usable; whether the differences matter is the
// caller's judgement.
type ConversionError struct {
	Issues []ConversionIssue
}

func (e *ConversionError) Error() string {
	var b strings.Builder
	b.WriteString("sanstls/netconn: tls.Config fields not honoured:")
	for _, i := range e.Issues {
		fmt.Fprintf(&b, " %s (%s);", i.Field, i.Reason)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// FromTLSConfig converts a crypto/tls configuration, so that a program
// moves over without rewriting it. Certificates, roots, client
// authentication, ALPN, server name, suites, curves, renegotiation, key
// log, randomness, time and session settings carry over; GetCertificate,
// GetConfigForClient, VerifyPeerCertificate and VerifyConnection become
// [Hooks] on the returned Config. Every field that cannot be honoured is
// reported in a *ConversionError, returned with the (usable) Config:
// TLS-1.3-only or pre-1.2 version bounds, suites and curves the machine does not
// implement, GetClientCertificate, WrapSession/UnwrapSession,
// Encrypted Client Hello, and a
// ClientSessionCache of crypto/tls's type (replaced by a netconn LRU cache).
//
// A Config returned by GetConfigForClient is converted the same way when a
// client connects; its issues are not reported (convert it ahead of time
// to see them).
func FromTLSConfig(tc *tls.Config) (*Config, error) {
	if tc == nil {
		return new(Config), nil
	}
	var issues []ConversionIssue
	report := func(field, format string, args ...any) {
		issues = append(issues, ConversionIssue{field, fmt.Sprintf(format, args...)})
	}
	c := &Config{
		Rand:               tc.Rand,
		Time:               tc.Time,
		RootCAs:            tc.RootCAs,
		ClientCAs:          tc.ClientCAs,
		ClientAuth:         machine.ClientAuthType(tc.ClientAuth), // same values
		ServerName:         tc.ServerName,
		InsecureSkipVerify: tc.InsecureSkipVerify,
		NextProtos:         slices.Clone(tc.NextProtos),
		Renegotiation:      machine.RenegotiationSupport(tc.Renegotiation), // same values
		KeyLogWriter:       tc.KeyLogWriter,
		RequestSCTs:        true, // crypto/tls clients always ask
	}

	// Versions: the machine speaks TLS 1.2 only.
	if tc.MinVersion > tls.VersionTLS12 {
		report("MinVersion", "%s required; only TLS 1.2 is implemented", tls.VersionName(tc.MinVersion))
	}
	if tc.MaxVersion != 0 && tc.MaxVersion < tls.VersionTLS12 {
		report("MaxVersion", "%s; only TLS 1.2 is implemented", tls.VersionName(tc.MaxVersion))
	}

	for i := range tc.Certificates {
		mc, err := certFromTLS(&tc.Certificates[i])
		if err != nil {
			report(fmt.Sprintf("Certificates[%d]", i), "dropped: %v", err)
			continue
		}
		c.Certificates = append(c.Certificates, mc)
	}
	if tc.NameToCertificate != nil {
		report("NameToCertificate", "ignored (deprecated in crypto/tls too); the server picks among Certificates by name")
	}

	if len(tc.CipherSuites) > 0 {
		for _, id := range tc.CipherSuites {
			switch {
			case id>>8 == 0x13:
				// TLS 1.3 suites are not configurable in crypto/tls either.
			case machine.CipherSuiteName(id) != "":
				c.CipherSuites = append(c.CipherSuites, id)
			default:
				report("CipherSuites", "%s is not implemented", tls.CipherSuiteName(id))
			}
		}
		if len(c.CipherSuites) == 0 {
			report("CipherSuites", "none of the listed suites is implemented: the handshake will fail")
			c.CipherSuites = []uint16{0} // no suite rather than the defaults
		}
	}
	for _, g := range tc.CurvePreferences {
		switch g {
		case tls.X25519, tls.CurveP256, tls.CurveP384:
			c.Groups = append(c.Groups, machine.Group(g))
		default:
			report("CurvePreferences", "%v is not implemented", g)
		}
	}
	if len(tc.CurvePreferences) > 0 && len(c.Groups) == 0 {
		report("CurvePreferences", "no listed group is implemented; the defaults (X25519, P-256, P-384) apply")
	}

	switch {
	case tc.SessionTicketsDisabled:
		c.TicketKeys = [][32]byte{} // off
	case tc.SessionTicketKey != [32]byte{}:
		c.TicketKeys = [][32]byte{tc.SessionTicketKey}
	}
	if tc.ClientSessionCache != nil {
		c.ClientSessionCache = NewLRUClientSessionCache(64)
		report("ClientSessionCache", "crypto/tls's cache type cannot hold this library's sessions; replaced by NewLRUClientSessionCache(64)")
	}
	if tc.WrapSession != nil || tc.UnwrapSession != nil {
		report("WrapSession/UnwrapSession", "not supported; tickets are sealed with TicketKeys")
	}
	if tc.GetClientCertificate != nil {
		report("GetClientCertificate", "not supported; the client sends Certificates[0] when asked")
	}
	if tc.EncryptedClientHelloConfigList != nil || tc.EncryptedClientHelloRejectionVerify != nil ||
		tc.GetEncryptedClientHelloKeys != nil || len(tc.EncryptedClientHelloKeys) > 0 {
		report("EncryptedClientHello*", "Encrypted Client Hello is a TLS 1.3 feature")
	}

	var h Hooks
	h.GetCertificate = tc.GetCertificate
	h.VerifyPeerCertificate = tc.VerifyPeerCertificate
	h.VerifyConnection = tc.VerifyConnection
	if f := tc.GetConfigForClient; f != nil {
		h.GetConfigForClient = func(info *tls.ClientHelloInfo) (*Config, error) {
			ntc, err := f(info)
			if err != nil || ntc == nil {
				return nil, err
			}
			nc, _ := FromTLSConfig(ntc)
			return nc, nil
		}
	}
	if h.GetCertificate != nil || h.VerifyPeerCertificate != nil || h.VerifyConnection != nil || h.GetConfigForClient != nil {
		c = WithHooks(c, h)
	}
	if len(issues) > 0 {
		return c, &ConversionError{issues}
	}
	return c, nil
}
