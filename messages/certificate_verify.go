package messages

import "golang.org/x/crypto/cryptobyte"

// CertificateVerify proves that the client holds the private key of its
// certificate. RFC 5246, Section 7.4.8.
//
//	struct {
//	     digitally-signed struct {
//	         opaque handshake_messages[handshake_messages_length];
//	     }
//	} CertificateVerify;
type CertificateVerify struct {
	Signature DigitallySigned
}

// Type returns [HandshakeTypeCertificateVerify].
func (*CertificateVerify) Type() HandshakeType { return HandshakeTypeCertificateVerify }

// Marshal returns the complete message. It fails if the signature is longer
// than 2^16-1 bytes.
func (m *CertificateVerify) Marshal() ([]byte, error) {
	c := checker{typ: HandshakeTypeCertificateVerify}
	m.Signature.check(&c)
	if err := c.result(); err != nil {
		return nil, err
	}
	return marshalHandshake(HandshakeTypeCertificateVerify, func(b *builder) {
		m.Signature.add(b)
	})
}

// Unmarshal parses a complete CertificateVerify, header included. The
// signature aliases data.
func (m *CertificateVerify) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeCertificateVerify}
	var body cryptobyte.String
	var sig DigitallySigned
	if !p.openHandshake(data, &body) ||
		!readDigitallySigned(&p, &body, &sig) ||
		!p.end(body, "CertificateVerify body") {
		return p.err
	}
	*m = CertificateVerify{Signature: sig}
	return nil
}
