package messages

import "golang.org/x/crypto/cryptobyte"

// ParseSCTList decodes a serialized SignedCertificateTimestampList (RFC
// 6962, Section 3.3), the form a signed_certificate_timestamp extension
// carries and certificate authorities hand out: a non-empty list of
// non-empty SCTs, returned without their length prefixes (aliasing data).
func ParseSCTList(data []byte) ([][]byte, error) {
	p := parser{typ: HandshakeTypeServerHello}
	var m ServerHello
	if !m.readSCTs(&p, cryptobyte.String(data)) {
		return nil, p.err
	}
	return m.SCTs, nil
}

// AppendSCTList appends the serialized SignedCertificateTimestampList of
// scts to b: the inverse of ParseSCTList.
func AppendSCTList(b []byte, scts [][]byte) []byte {
	n := 0
	for _, s := range scts {
		n += 2 + len(s)
	}
	b = append(b, byte(n>>8), byte(n))
	for _, s := range scts {
		b = append(b, byte(len(s)>>8), byte(len(s)))
		b = append(b, s...)
	}
	return b
}
