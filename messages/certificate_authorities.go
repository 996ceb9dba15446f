package messages

import (
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// ExtensionCertificateAuthorities is certificate_authorities (RFC 8446,
// Section 4.2.4). It is defined for TLS 1.3, but TLS 1.2 clients send it in
// ClientHello to name the trust anchors a server certificate should chain
// to (BoringSSL and others honour it there), so a ClientHello keeps it in
// Unknown and [ParseCertificateAuthorities] decodes it.
const ExtensionCertificateAuthorities ExtensionType = 47

// ParseCertificateAuthorities decodes certificate_authorities
// extension_data (RFC 8446, Section 4.2.4):
//
//	opaque DistinguishedName<1..2^16-1>;
//	struct {
//	    DistinguishedName authorities<3..2^16-1>;
//	} CertificateAuthoritiesExtension;
//
// The names alias data.
func ParseCertificateAuthorities(data []byte) ([][]byte, error) {
	p := parser{typ: HandshakeTypeClientHello}
	s := cryptobyte.String(data)
	var list cryptobyte.String
	if !p.vec(&s, &list, 3, 0xffff, "certificate_authorities") || !p.end(s, "certificate_authorities") {
		return nil, p.err
	}
	var out [][]byte
	for !list.Empty() {
		var dn []byte
		if !p.opaque(&list, &dn, 1, 0xffff, "DistinguishedName "+strconv.Itoa(len(out))) {
			return nil, p.err
		}
		out = append(out, dn)
	}
	return out, nil
}

// CertificateAuthorities returns the ClientHello's certificate_authorities
// list, nil if it has none, or the error of a malformed one.
func (m *ClientHello) CertificateAuthorities() ([][]byte, error) {
	for _, e := range m.Unknown {
		if e.Type == ExtensionCertificateAuthorities {
			return ParseCertificateAuthorities(e.Data)
		}
	}
	return nil, nil
}
