package messages

import "golang.org/x/crypto/cryptobyte"

// DigitallySigned is a signature together with the algorithm that made it.
// RFC 5246, Section 4.7, as used by ServerKeyExchange (Section 7.4.3) and
// CertificateVerify (Section 7.4.8).
//
//	struct {
//	    SignatureAndHashAlgorithm algorithm;
//	    opaque signature<0..2^16-1>;
//	} DigitallySigned;
//
// An empty signature is syntactically valid and decodes as nil; signature
// verification rejects it.
type DigitallySigned struct {
	Algorithm SignatureScheme
	Signature []byte
}

// Append appends the encoded DigitallySigned to b and returns the extended
// slice. It returns nil if Signature is longer than 2^16-1 bytes, which
// cannot be encoded.
func (d DigitallySigned) Append(b []byte) []byte {
	if len(d.Signature) > 0xffff {
		return nil
	}
	// Appended directly: a builder here would cost an allocation.
	n := len(d.Signature)
	b = append(b, byte(d.Algorithm>>8), byte(d.Algorithm), byte(n>>8), byte(n))
	return append(b, d.Signature...)
}

// add writes d to b; an oversized signature makes b fail.
func (d DigitallySigned) add(b *builder) {
	b.AddUint16(uint16(d.Algorithm))
	b.AddUint16LengthPrefixed(func(b *builder) {
		b.AddBytes(d.Signature)
	})
}

// check validates d for encoding.
func (d DigitallySigned) check(c *checker) {
	c.length(len(d.Signature), 0, 0xffff, "signature")
}

// readDigitallySigned reads a DigitallySigned from s. The signature aliases
// the input.
func readDigitallySigned(p *parser, s *cryptobyte.String, out *DigitallySigned) bool {
	var alg uint16
	var sig []byte
	if !p.u16(s, &alg, "signature algorithm") ||
		!p.opaque(s, &sig, 0, 0xffff, "signature") {
		return false
	}
	*out = DigitallySigned{Algorithm: SignatureScheme(alg), Signature: sig}
	return true
}
