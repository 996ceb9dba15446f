package machine

import (
	"bytes"
	"crypto/x509"

	"github.com/sanstls/sanstls/messages"
)

// errNoMatchingIssuer: every certificate that could serve was limited to
// peers naming its issuer (Certificate.MustMatchIssuer), and this one named
// none of them.
var errNoMatchingIssuer = perr(messages.AlertHandshakeFailure, "no certificate matches the issuers the peer named", "no_matching_issuer")

// chainMatchesNames reports whether one of names (DER DistinguishedNames)
// is the issuer or the subject of a certificate in cert's chain, so the
// peer can build a path from it to a trust anchor it named.
func chainMatchesNames(cert *Certificate, names [][]byte) bool {
	if len(names) == 0 {
		return false
	}
	match := func(c *x509.Certificate) bool {
		for _, n := range names {
			if bytes.Equal(n, c.RawIssuer) || bytes.Equal(n, c.RawSubject) {
				return true
			}
		}
		return false
	}
	if cert.Leaf != nil && match(cert.Leaf) {
		return true
	}
	for _, der := range cert.Chain[1:] {
		if c, err := x509.ParseCertificate(der); err == nil && match(c) {
			return true
		}
	}
	return false
}

// clientHelloCAs returns the ClientHello's certificate_authorities names.
// The extension belongs to TLS 1.3; in a TLS 1.2 hello it is advice for
// certificate selection only, so a malformed one is treated as absent.
func clientHelloCAs(ch *messages.ClientHello) [][]byte {
	cas, err := ch.CertificateAuthorities()
	if err != nil {
		return nil
	}
	return cas
}

// cloneNames copies a list of DistinguishedNames (the parsed ones alias the
// message).
func cloneNames(names [][]byte) [][]byte {
	if names == nil {
		return nil
	}
	out := make([][]byte, len(names))
	for i, n := range names {
		out[i] = bytes.Clone(n)
	}
	return out
}
