package keys

import (
	"encoding/binary"
	"math"
)

// RecordProtection protects the records of one direction of a connection
// once ChangeCipherSpec has switched it on. RFC 5246, Section 6.2.3.
//
// It holds the keys and the sequence number of that direction. The
// sequence number starts at 0 and goes up by one for each record sealed or
// opened successfully; it never wraps. RFC 5246, Section 6.1: "Sequence
// numbers are of type uint64 and may not exceed 2^64-1. Sequence numbers do
// not wrap." Once it has reached 2^64-1, Seal and Open return
// [ErrSequenceExhausted] and change nothing.
//
// After construction Seal and Open do not allocate, provided dst has
// enough spare capacity. A RecordProtection is not safe for concurrent use.
type RecordProtection interface {
	// Seal appends one complete TLSCiphertext record carrying plaintext to
	// dst and returns the extended slice: the 5-byte header (typ, version,
	// length of the fragment) and then the protected fragment.
	//
	// plaintext may start exactly where its encryption goes, at
	// dst[len(dst)+off:] with off from [PlaintextOffset]: it is then
	// encrypted in place without a copy. Otherwise it should not overlap the
	// bytes Seal appends. Seal tolerates other overlaps by first moving
	// plaintext into place, but it can only recognise them when plaintext
	// and dst reach to the end of their common array; a plaintext whose
	// capacity was cut with a three-index slice expression MUST NOT
	// partially overlap the appended bytes (crypto/cipher panics on such
	// overlaps). Bytes of dst's spare capacity beyond the returned slice are
	// left alone.
	//
	// Seal returns [ErrPlaintextTooLarge] if len(plaintext) > 2^14,
	// [ErrSequenceExhausted], or an error from the random source of a CBC
	// protection. On error the sequence number is unchanged and dst is
	// returned with its length unchanged (its spare capacity may have been
	// written).
	Seal(dst []byte, typ uint8, version uint16, plaintext []byte) ([]byte, error)

	// Open authenticates and decrypts a record's fragment in place, given
	// the type and version from the record header, and returns the
	// plaintext as a sub-slice of fragment. Any failure returns
	// [ErrBadRecordMAC] (or [ErrSequenceExhausted]); a fragment of any
	// length, even empty, is safe to pass.
	//
	// On failure the sequence number is unchanged but the contents of
	// fragment are unspecified. A failure is fatal to the connection (RFC
	// 5246, Section 7.2.2), so nothing should be opened afterwards.
	//
	// Open does not enforce the record_overflow bound on the fragment length
	// (RFC 5246, Section 6.2.3); the caller checks it before calling Open.
	Open(typ uint8, version uint16, fragment []byte) ([]byte, error)

	// MaxOverhead is the largest number of bytes Seal adds to a
	// plaintext, record header included.
	MaxOverhead() int

	// Sequence returns the sequence number of the next record.
	Sequence() uint64

	// SetSequence sets the sequence number of the next record. It exists
	// for tests and must not be used to rewind a live connection: for AES-GCM
	// a repeated sequence number repeats a nonce.
	SetSequence(uint64)
}

const (
	// recordHeaderLen is the length of a TLSCiphertext header: type (1),
	// version (2), length (2). RFC 5246, Section 6.2.1.
	recordHeaderLen = 5

	// maxPlaintext is the largest record plaintext. RFC 5246, Section
	// 6.2.1: "The length MUST NOT exceed 2^14."
	maxPlaintext = 1 << 14

	// exhaustedSeq is the sequence number at which Seal and Open stop.
	exhaustedSeq = math.MaxUint64
)

// PlaintextOffset reports where, relative to the end of dst, Seal of p places
// the encrypted plaintext: the record header plus the explicit nonce or IV
// of p. It is 5+8 for AES-GCM, 5 for ChaCha20-Poly1305 and 5+16 for
// AES-CBC. A plaintext already at dst[len(dst)+off:] is encrypted in place.
// ok is false if p was not built by this package.
func PlaintextOffset(p RecordProtection) (off int, ok bool) {
	q, ok := p.(interface{ explicitNonceLen() int })
	if !ok {
		return 0, false
	}
	return recordHeaderLen + q.explicitNonceLen(), true
}

// sequence holds the sequence number of one direction and gives the
// RecordProtection implementations their Sequence and SetSequence methods.
type sequence struct {
	seq uint64
}

// Sequence returns the sequence number of the next record.
func (s *sequence) Sequence() uint64 { return s.seq }

// SetSequence sets the sequence number of the next record.
func (s *sequence) SetSequence(n uint64) { s.seq = n }

// exhausted reports whether no record may be processed any more.
func (s *sequence) exhausted() bool { return s.seq == exhaustedSeq }

// prepareSeal extends dst by n bytes for a record and returns the whole
// slice, the new record bytes, and the plaintext to encrypt. If plaintext
// overlaps the record bytes anywhere but exactly at rec[off:], it is first
// moved there (copy handles overlapping slices), so that writing the header
// and nonce cannot clobber it and the ciphers see either an exact overlap or
// none.
func prepareSeal(dst []byte, n, off int, plaintext []byte) (out, rec, pt []byte) {
	total := len(dst) + n
	if cap(dst) >= total {
		out = dst[:total]
	} else {
		out = make([]byte, total, total+total/4)
		copy(out, dst)
	}
	rec = out[len(dst):total:total]
	slot := rec[off : off+len(plaintext)]
	if sameStart(plaintext, slot) {
		return out, rec, slot
	}
	if at, ok := relativeStart(out, plaintext); ok && at < total && at+len(plaintext) > len(dst) {
		copy(slot, plaintext)
		plaintext = slot
	}
	return out, rec, plaintext
}

// relativeStart reports where b starts relative to the start of a, when
// both are slices of one array and reach to the end of its capacity: they
// then share the address of their last capacity element, and the
// difference of their capacities is the offset. Only pointer equality is
// used. A slice whose capacity was cut with a three-index slice expression
// is not recognised.
func relativeStart(a, b []byte) (int, bool) {
	if cap(a) == 0 || cap(b) == 0 {
		return 0, false
	}
	if &a[:cap(a)][cap(a)-1] != &b[:cap(b)][cap(b)-1] {
		return 0, false
	}
	return cap(a) - cap(b), true
}

// sameStart reports whether the non-empty slices a and b start at the same
// byte.
func sameStart(a, b []byte) bool {
	return len(a) > 0 && len(b) > 0 && &a[0] == &b[0]
}

// putHeader writes a TLSCiphertext header for a fragment of length n.
// RFC 5246, Section 6.2.3:
//
//	struct {
//	    ContentType type;
//	    ProtocolVersion version;
//	    uint16 length;
//	    ...
//	} TLSCiphertext;
func putHeader(rec []byte, typ uint8, version uint16, n int) {
	rec[0] = typ
	binary.BigEndian.PutUint16(rec[1:3], version)
	binary.BigEndian.PutUint16(rec[3:5], uint16(n))
}

// putMACHeader writes the 13 bytes that the AEAD additional data (RFC 5246,
// Section 6.2.3.3) and the CBC MAC input (Section 6.2.3.1) start with:
//
//	seq_num + type + version + length
func putMACHeader(b *[13]byte, seq uint64, typ uint8, version uint16, length int) {
	binary.BigEndian.PutUint64(b[0:8], seq)
	b[8] = typ
	binary.BigEndian.PutUint16(b[9:11], version)
	binary.BigEndian.PutUint16(b[11:13], uint16(length))
}
