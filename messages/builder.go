package messages

import "strconv"

// builder appends TLS structures to a byte slice. It has the methods of
// cryptobyte.Builder that the marshalling code uses, but a length-prefixed
// vector reserves its prefix in place and patches it once the content is
// written, so building a message allocates nothing beyond the growth of the
// buffer (cryptobyte allocates a child builder per prefix).
type builder struct {
	buf []byte
	err error
}

// newBuilder starts a builder appending to buf.
func newBuilder(buf []byte) *builder { return &builder{buf: buf} }

func (b *builder) AddUint8(v uint8)   { b.buf = append(b.buf, v) }
func (b *builder) AddUint16(v uint16) { b.buf = append(b.buf, byte(v>>8), byte(v)) }
func (b *builder) AddUint32(v uint32) {
	b.buf = append(b.buf, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}
func (b *builder) AddBytes(v []byte) { b.buf = append(b.buf, v...) }

func (b *builder) AddUint8LengthPrefixed(f func(*builder))  { b.prefixed(1, f) }
func (b *builder) AddUint16LengthPrefixed(f func(*builder)) { b.prefixed(2, f) }
func (b *builder) AddUint24LengthPrefixed(f func(*builder)) { b.prefixed(3, f) }

// prefixed writes an n-byte length prefix and then what f writes, and sets
// the prefix to the length of that content.
func (b *builder) prefixed(n int, f func(*builder)) {
	start := len(b.buf)
	b.buf = append(b.buf, 0, 0, 0)[:start+n]
	f(b)
	length := len(b.buf) - start - n
	if length >= 1<<(8*n) {
		if b.err == nil {
			b.err = lengthError{length, n}
		}
		return
	}
	for i := range n {
		b.buf[start+n-1-i] = byte(length >> (8 * i))
	}
}

// Bytes returns the built bytes, or the first failure.
func (b *builder) Bytes() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	return b.buf, nil
}

// lengthError is a vector too long for its length prefix.
type lengthError struct{ length, prefix int }

func (e lengthError) Error() string {
	return "builder: length " + strconv.Itoa(e.length) + " exceeds " + strconv.Itoa(e.prefix) + "-byte length prefix"
}
