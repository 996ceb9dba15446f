package messages

import "golang.org/x/crypto/cryptobyte"

// RecordHeaderLen is the length of a TLS record header. RFC 5246,
// Section 6.2.1.
const RecordHeaderLen = 5

// MaxPlaintext is the largest TLSPlaintext.length (and
// TLSCompressed.length): "The length MUST NOT exceed 2^14." RFC 5246,
// Section 6.2.1.
const MaxPlaintext = 1 << 14

// MaxCiphertext is the largest TLSCiphertext.length: "The length MUST NOT
// exceed 2^14 + 2048." RFC 5246, Section 6.2.3.
const MaxCiphertext = 1<<14 + 2048

// RecordHeader is the header of a TLS record. RFC 5246, Section 6.2.1.
//
//	struct {
//	    ContentType type;
//	    ProtocolVersion version;
//	    uint16 length;
//	    opaque fragment[TLSPlaintext.length];
//	} TLSPlaintext;
type RecordHeader struct {
	Type    ContentType
	Version uint16
	Length  uint16
}

// ParseRecordHeader reads a record header from the first
// [RecordHeaderLen] bytes of b. It returns false if b is shorter than that.
// It checks nothing else: the content type, version and length limits are
// the record layer's to enforce, because the alert to send depends on its
// state.
func ParseRecordHeader(b []byte) (RecordHeader, bool) {
	s := cryptobyte.String(b)
	var typ uint8
	var h RecordHeader
	if !s.ReadUint8(&typ) || !s.ReadUint16(&h.Version) || !s.ReadUint16(&h.Length) {
		return RecordHeader{}, false
	}
	h.Type = ContentType(typ)
	return h, true
}

// Append appends the 5-byte record header to b and returns the extended
// slice.
func (h RecordHeader) Append(b []byte) []byte {
	return appendFixed(b, func(b *builder) {
		b.AddUint8(uint8(h.Type))
		b.AddUint16(h.Version)
		b.AddUint16(h.Length)
	})
}
