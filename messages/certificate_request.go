package messages

import (
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// CertificateRequest asks the client for a certificate. RFC 5246,
// Section 7.4.4.
//
//	enum {
//	    rsa_sign(1), dss_sign(2), rsa_fixed_dh(3), dss_fixed_dh(4),
//	    rsa_ephemeral_dh_RESERVED(5), dss_ephemeral_dh_RESERVED(6),
//	    fortezza_dms_RESERVED(20), (255)
//	} ClientCertificateType;
//
//	opaque DistinguishedName<1..2^16-1>;
//
//	struct {
//	    ClientCertificateType certificate_types<1..2^8-1>;
//	    SignatureAndHashAlgorithm
//	      supported_signature_algorithms<2..2^16-2>;
//	    DistinguishedName certificate_authorities<0..2^16-1>;
//	} CertificateRequest;
//
// RFC 5246 prints the signature list as <2^16-1>; the bound used here,
// <2..2^16-2> (non-empty, whole 16-bit values), is the one of RFC 8446 and
// of RFC 5246, Section 7.4.1.4.1 for the same type, and what Go's crypto/tls
// enforces. ClientCertificateType values from RFC 8422 (ecdsa_sign(64)) are
// kept as-is. The DER names are not parsed.
type CertificateRequest struct {
	CertificateTypes       []uint8
	SignatureAlgorithms    []SignatureScheme
	CertificateAuthorities [][]byte // nil when the list is empty
}

// Type returns [HandshakeTypeCertificateRequest].
func (*CertificateRequest) Type() HandshakeType { return HandshakeTypeCertificateRequest }

// Marshal returns the complete message. It fails if a vector is outside its
// bounds.
func (m *CertificateRequest) Marshal() ([]byte, error) {
	c := checker{typ: HandshakeTypeCertificateRequest}
	c.length(len(m.CertificateTypes), 1, 0xff, "certificate_types")
	c.length(2*len(m.SignatureAlgorithms), 2, 0xfffe, "supported_signature_algorithms")
	total := 0
	for i, dn := range m.CertificateAuthorities {
		c.length(len(dn), 1, 0xffff, "DistinguishedName "+strconv.Itoa(i))
		total += 2 + len(dn)
	}
	c.length(total, 0, 0xffff, "certificate_authorities")
	if err := c.result(); err != nil {
		return nil, err
	}
	return marshalHandshake(HandshakeTypeCertificateRequest, func(b *builder) {
		b.AddUint8LengthPrefixed(func(b *builder) {
			b.AddBytes(m.CertificateTypes)
		})
		addU16List(b, m.SignatureAlgorithms)
		b.AddUint16LengthPrefixed(func(b *builder) {
			for _, dn := range m.CertificateAuthorities {
				b.AddUint16LengthPrefixed(func(b *builder) {
					b.AddBytes(dn)
				})
			}
		})
	})
}

// Unmarshal parses a complete CertificateRequest, header included.
// CertificateTypes and CertificateAuthorities alias data.
func (m *CertificateRequest) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeCertificateRequest}
	var body, cas cryptobyte.String
	var n CertificateRequest
	if !p.openHandshake(data, &body) ||
		!list8(&p, &body, &n.CertificateTypes, 1, 0xff, "certificate_types") ||
		!list16(&p, &body, &n.SignatureAlgorithms, 2, 0xfffe, "supported_signature_algorithms") ||
		!p.vec(&body, &cas, 0, 0xffff, "certificate_authorities") ||
		!p.end(body, "CertificateRequest body") {
		return p.err
	}
	for !cas.Empty() {
		var dn []byte
		if !p.opaque(&cas, &dn, 1, 0xffff, "DistinguishedName "+strconv.Itoa(len(n.CertificateAuthorities))) {
			return p.err
		}
		n.CertificateAuthorities = append(n.CertificateAuthorities, dn)
	}
	*m = n
	return nil
}
