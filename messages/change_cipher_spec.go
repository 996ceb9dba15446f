package messages

import (
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// AppendChangeCipherSpec appends the body of a ChangeCipherSpec record, the
// single byte 1, to b and returns the extended slice. RFC 5246,
// Section 7.1.
//
//	struct {
//	    enum { change_cipher_spec(1), (255) } type;
//	} ChangeCipherSpec;
func AppendChangeCipherSpec(b []byte) []byte {
	return appendFixed(b, func(b *builder) {
		b.AddUint8(1)
	})
}

// ParseChangeCipherSpec checks the body of a ChangeCipherSpec record, which
// is the single byte 1 (RFC 5246, Section 7.1). Anything else (another
// value, an empty record, or several bytes, for example two
// ChangeCipherSpecs coalesced into one record) is a [*DecodeError] with
// [AlertUnexpectedMessage] and Type [HandshakeTypeNone]. Whether a
// ChangeCipherSpec is expected at all is the state machine's to check.
//
// The alert follows OpenSSL and tlsfuzzer's test-ccs.py ("two bytes long
// CCS" expects unexpected_message); BoringSSL sends illegal_parameter, and
// BoGo's BadChangeCipherSpec-1/-2 only check that the handshake fails.
func ParseChangeCipherSpec(body []byte) error {
	s := cryptobyte.String(body)
	var v uint8
	if !s.ReadUint8(&v) {
		return &DecodeError{Type: HandshakeTypeNone, What: "ChangeCipherSpec: empty", Alert: AlertUnexpectedMessage}
	}
	if v != 1 {
		return &DecodeError{Type: HandshakeTypeNone, What: "ChangeCipherSpec: type " + strconv.Itoa(int(v)), Alert: AlertUnexpectedMessage}
	}
	if !s.Empty() {
		return &DecodeError{Type: HandshakeTypeNone, What: "ChangeCipherSpec: " + strconv.Itoa(len(s)) + " trailing bytes", Alert: AlertUnexpectedMessage}
	}
	return nil
}
