package messages

import (
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// maxUint24 is the largest value of a 24-bit length.
const maxUint24 = 1<<24 - 1

// Certificate carries a certificate chain, sender's certificate first.
// RFC 5246, Section 7.4.2 (server) and Section 7.4.6 (client).
//
//	opaque ASN.1Cert<1..2^24-1>;
//
//	struct {
//	    ASN.1Cert certificate_list<0..2^24-1>;
//	} Certificate;
//
// The list may be empty (a client without a suitable certificate sends an
// empty one); each certificate must be non-empty. The DER inside is not
// parsed here. An empty list decodes as a nil Certificates.
type Certificate struct {
	Certificates [][]byte
}

// Type returns [HandshakeTypeCertificate].
func (*Certificate) Type() HandshakeType { return HandshakeTypeCertificate }

// Marshal returns the complete message. It fails if a certificate is empty
// or the chain does not fit the 24-bit lengths.
func (m *Certificate) Marshal() ([]byte, error) {
	c := checker{typ: HandshakeTypeCertificate}
	for i, cert := range m.Certificates {
		c.length(len(cert), 1, maxUint24, "certificate "+strconv.Itoa(i))
	}
	if err := c.result(); err != nil {
		return nil, err
	}
	return marshalHandshake(HandshakeTypeCertificate, func(b *builder) {
		b.AddUint24LengthPrefixed(func(b *builder) {
			for _, cert := range m.Certificates {
				b.AddUint24LengthPrefixed(func(b *builder) {
					b.AddBytes(cert)
				})
			}
		})
	})
}

// Unmarshal parses a complete Certificate, header included. The
// certificates alias data.
func (m *Certificate) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeCertificate}
	var body, list cryptobyte.String
	if !p.openHandshake(data, &body) ||
		!p.vec(&body, &list, 0, maxUint24, "certificate_list") ||
		!p.end(body, "Certificate body") {
		return p.err
	}
	var certs [][]byte
	for !list.Empty() {
		var cert []byte
		if !p.opaque(&list, &cert, 1, maxUint24, "certificate "+strconv.Itoa(len(certs))) {
			return p.err
		}
		certs = append(certs, cert)
	}
	*m = Certificate{Certificates: certs}
	return nil
}
