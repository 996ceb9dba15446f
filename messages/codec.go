package messages

import (
	"errors"
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// This file holds the cryptobyte helpers shared by every message: a parser
// that remembers the first failure and names it, a checker that validates
// values before Marshal encodes them, and the handshake header framing.
//
// Vector bounds are written as in the RFC presentation language
// (RFC 5246, Section 4.3): a vector <min..max> has a length prefix of as many
// bytes as max needs, and its length in bytes must lie in [min, max].

// parser decodes one message. Its methods return false on failure and keep
// the first failure in err, so parsing code can chain them with &&.
type parser struct {
	typ HandshakeType
	err *DecodeError
}

// fail records a failure with the given alert unless one is already
// recorded, and returns false.
func (p *parser) fail(alert AlertDescription, what string) bool {
	if p.err == nil {
		p.err = &DecodeError{Type: p.typ, What: what, Alert: alert}
	}
	return false
}

// syntax records a decode_error failure.
func (p *parser) syntax(what string) bool { return p.fail(AlertDecodeError, what) }

// illegal records an illegal_parameter failure.
func (p *parser) illegal(what string) bool { return p.fail(AlertIllegalParameter, what) }

func (p *parser) u8(s *cryptobyte.String, out *uint8, what string) bool {
	return s.ReadUint8(out) || p.syntax(what+": truncated")
}

func (p *parser) u16(s *cryptobyte.String, out *uint16, what string) bool {
	return s.ReadUint16(out) || p.syntax(what+": truncated")
}

func (p *parser) u32(s *cryptobyte.String, out *uint32, what string) bool {
	return s.ReadUint32(out) || p.syntax(what+": truncated")
}

// fixed copies len(out) bytes into out.
func (p *parser) fixed(s *cryptobyte.String, out []byte, what string) bool {
	return s.CopyBytes(out) || p.syntax(what+": truncated")
}

// vec reads a vector <min..max> whose length prefix is as wide as max
// requires (1, 2 or 3 bytes) and checks its length against the bounds.
func (p *parser) vec(s *cryptobyte.String, out *cryptobyte.String, min, max int, what string) bool {
	var ok bool
	switch {
	case max <= 0xff:
		ok = s.ReadUint8LengthPrefixed(out)
	case max <= 0xffff:
		ok = s.ReadUint16LengthPrefixed(out)
	default:
		ok = s.ReadUint24LengthPrefixed(out)
	}
	if !ok {
		return p.syntax(what + ": truncated")
	}
	if n := len(*out); n < min || n > max {
		return p.syntax(what + ": " + boundsMsg(n, min, max))
	}
	return true
}

// opaque is vec returning a byte slice that aliases the input, or nil when
// the vector is empty.
func (p *parser) opaque(s *cryptobyte.String, out *[]byte, min, max int, what string) bool {
	var v cryptobyte.String
	if !p.vec(s, &v, min, max, what) {
		return false
	}
	*out = nilIfEmpty(v)
	return true
}

// end checks that s has been consumed completely.
func (p *parser) end(s cryptobyte.String, what string) bool {
	if len(s) != 0 {
		return p.syntax(what + ": " + strconv.Itoa(len(s)) + " trailing bytes")
	}
	return true
}

// list16 reads a vector <min..max> of 16-bit values (cipher suites, groups,
// signature schemes, versions). An odd byte length is a decode_error.
func list16[T ~uint16](p *parser, s *cryptobyte.String, out *[]T, min, max int, what string) bool {
	var v cryptobyte.String
	if !p.vec(s, &v, min, max, what) {
		return false
	}
	if len(v)%2 != 0 {
		return p.syntax(what + ": odd length " + strconv.Itoa(len(v)))
	}
	list := make([]T, 0, len(v)/2)
	var x uint16
	for v.ReadUint16(&x) { // the length is even: this consumes all of v
		list = append(list, T(x))
	}
	*out = list
	return true
}

// list8 reads a vector <min..max> of 8-bit values. The result aliases the
// input, or is nil when the vector is empty.
func list8(p *parser, s *cryptobyte.String, out *[]uint8, min, max int, what string) bool {
	return p.opaque(s, out, min, max, what)
}

// openHandshake checks the 4-byte handshake header of data and returns the
// body. The type must be p.typ; the 24-bit length must cover exactly the
// rest of data.
func (p *parser) openHandshake(data []byte, body *cryptobyte.String) bool {
	s := cryptobyte.String(data)
	var t uint8
	if !s.ReadUint8(&t) {
		return p.syntax("handshake header: truncated")
	}
	if HandshakeType(t) != p.typ {
		return p.fail(AlertUnexpectedMessage, "handshake type is "+HandshakeType(t).String())
	}
	if !s.ReadUint24LengthPrefixed(body) {
		return p.syntax("handshake body: truncated")
	}
	return p.end(s, "handshake message")
}

// checker validates a value before Marshal encodes it, so that Marshal
// never writes what Unmarshal would reject. Failures carry
// AlertInternalError: an unencodable value is a local bug.
type checker struct {
	typ HandshakeType
	err *DecodeError
}

// fail records a failure unless one is already recorded.
func (c *checker) fail(what string) {
	if c.err == nil {
		c.err = &DecodeError{Type: c.typ, What: what, Alert: AlertInternalError}
	}
}

// length checks that a vector of n bytes fits <min..max>.
func (c *checker) length(n, min, max int, what string) {
	if n < min || n > max {
		c.fail(what + ": " + boundsMsg(n, min, max))
	}
}

// result returns the first failure as an error, or nil.
func (c *checker) result() error {
	if c.err != nil {
		return c.err
	}
	return nil
}

// marshalHandshake builds a complete handshake message of type typ whose
// body body writes. Builder failures (a vector longer than its length
// prefix allows) become a *DecodeError with AlertInternalError.
func marshalHandshake(typ HandshakeType, body func(b *builder)) ([]byte, error) {
	// One allocation holds the builder and its first 256 bytes.
	type builderWithBuffer struct {
		b   builder
		buf [256]byte
	}
	bb := new(builderWithBuffer)
	b := &bb.b
	b.buf = bb.buf[:0]
	b.AddUint8(uint8(typ))
	b.AddUint24LengthPrefixed(body)
	out, err := b.Bytes()
	if err != nil {
		return nil, encodeError(typ, err)
	}
	return out, nil
}

// encodeError converts a cryptobyte builder failure into a *DecodeError.
func encodeError(typ HandshakeType, err error) error {
	var de *DecodeError
	if errors.As(err, &de) {
		return de
	}
	return &DecodeError{Type: typ, What: "encoding: " + err.Error(), Alert: AlertInternalError}
}

// appendFixed appends what f writes to b. It returns nil if the builder
// fails, which only length-prefixed content that is too long can cause.
func appendFixed(b []byte, f func(b *builder)) []byte {
	bld := newBuilder(b)
	f(bld)
	out, err := bld.Bytes()
	if err != nil {
		return nil
	}
	return out
}

// addU16List writes a 16-bit-length-prefixed list of 16-bit values.
func addU16List[T ~uint16](b *builder, list []T) {
	b.AddUint16LengthPrefixed(func(b *builder) {
		for _, v := range list {
			b.AddUint16(uint16(v))
		}
	})
}

// boundsMsg describes a length outside <min..max>.
func boundsMsg(n, min, max int) string {
	return "length " + strconv.Itoa(n) + " outside <" + strconv.Itoa(min) + ".." + strconv.Itoa(max) + ">"
}

// nilIfEmpty returns b, or nil if b is empty, so that empty vectors always
// decode the same way.
func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
