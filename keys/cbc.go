package keys

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	_ "crypto/sha1" // registers crypto.SHA1 for the CBC-SHA suites
	"crypto/subtle"
	"encoding"
	"errors"
	"fmt"
	"hash"
	"io"
)

// cbcBlockLen is the AES block length, which is also the length of the
// explicit IV of a TLS 1.2 CBC record.
const cbcBlockLen = aes.BlockSize

// stateChainOff is where the chaining value starts in the marshaled state
// of the crypto/sha1, crypto/sha256 and crypto/sha512 hashes, after a
// 4-byte magic string. NewCBC checks it before relying on it.
const stateChainOff = 4

// maxHashBlock is the largest hash block length, that of SHA-384.
const maxHashBlock = 128

var (
	errNilRand = errors.New("keys: NewCBC needs a random source")
	errNoSetIV = errors.New("keys: CBC mode of crypto/cipher cannot change its IV")
)

// cbcMode is a crypto/cipher CBC mode whose IV can be reset for each
// record. The CBC modes of crypto/cipher have this method.
type cbcMode interface {
	cipher.BlockMode
	SetIV([]byte)
}

// NewCBC returns the record protection of an AES-CBC cipher suite with
// HMAC-h. RFC 5246, Section 6.2.3.2. cipherKey is the 16- or 32-byte
// client_write_key or server_write_key, macKey the client_write_MAC_key or
// server_write_MAC_key (as long as the output of h), and h is crypto.SHA1,
// crypto.SHA256 or crypto.SHA384. Other lengths return [ErrInvalidKeyLength],
// other hashes [ErrUnsupportedHash].
//
// The IV of each record is read with io.ReadFull from rand, which must not
// be nil. RFC 5246, Section 6.2.3.2: "The Initialization Vector (IV) SHOULD
// be chosen at random, and MUST be unpredictable." Seal uses the smallest
// padding that fills the last block.
//
// With etm false the record is MAC-then-encrypt (RFC 5246, Section
// 6.2.3.2):
//
//	struct {
//	    opaque IV[SecurityParameters.record_iv_length];
//	    block-ciphered struct {
//	        opaque content[TLSCompressed.length];
//	        opaque MAC[SecurityParameters.mac_length];
//	        uint8 padding[GenericBlockCipher.padding_length];
//	        uint8 padding_length;
//	    };
//	} GenericBlockCipher;
//
// and Open defends against padding oracles and Lucky13 (AlFardan and
// Paterson, 2013). RFC 5246, Section 6.2.3.2: "implementations MUST ensure
// that record processing time is essentially the same whether or not the
// padding is correct". Open checks the padding, locates the MAC, and
// computes the HMAC in time that depends only on the fragment length, not
// on the padding length or on whether the padding is valid:
//   - The padding check reads the last min(256, n) bytes of the n decrypted
//     bytes and combines the results with masks. A bad padding is treated as
//     zero padding and the record still goes through the MAC, so that every
//     failure costs the same and returns [ErrBadRecordMAC]. "The receiver
//     MUST check this padding and MUST use the bad_record_mac alert to
//     indicate padding errors."
//   - The HMAC inner hash of seq_num + type + version + length + content is
//     computed block by block. The blocks that lie before the shortest
//     possible content are hashed directly. The remaining blocks, up to the
//     last block the longest possible content can need, are built with
//     masks: the content bytes, the 0x80 byte and the Merkle-Damgard length
//     appear where they belong for the secret content length, and every
//     block is hashed whatever that length. After each block the chaining
//     value is read from the hash's marshaled state and kept, with a masked
//     copy, if the block is the final one. The outer hash then has a fixed
//     input length.
//   - The received MAC is gathered from every byte that can belong to it,
//     with masks, into a buffer indexed by a public counter, and rotated
//     into place by the secret offset with masked rotations; then compared
//     with crypto/subtle.ConstantTimeCompare.
//
// The limits of this approach: the work depends on the public fragment
// length, as it must; it assumes that the hash, AES-CBC decryption,
// crypto/subtle and the marshaling of hash states run in time independent
// of the data, which holds for the Go implementations on common platforms;
// and it cannot hide cache effects of the surrounding code. It reads the
// chaining value from the hash's marshaled state, whose layout NewCBC checks
// with a known answer (failing with [ErrUnsupportedHash] if it changes).
//
// With etm true the record is encrypt-then-MAC, RFC 7366, Section 3: the
// encrypted content and padding are followed by
//
//	MAC(MAC_write_key, seq_num +
//	    TLSCipherText.type +
//	    TLSCipherText.version +
//	    TLSCipherText.length +
//	    IV +
//	    ENC(content + padding + padding_length));
//
// where the length is that of IV and ciphertext without the MAC (RFC 7366
// Erratum 4212). Open checks this MAC in constant time before decrypting.
func NewCBC(cipherKey, macKey []byte, h crypto.Hash, etm bool, rand io.Reader) (RecordProtection, error) {
	if len(cipherKey) != 16 && len(cipherKey) != 32 {
		return nil, ErrInvalidKeyLength
	}
	var lenField, blockShift int
	switch h {
	case crypto.SHA1, crypto.SHA256:
		lenField, blockShift = 8, 6
	case crypto.SHA384:
		lenField, blockShift = 16, 7
	default:
		return nil, ErrUnsupportedHash
	}
	if !h.Available() {
		return nil, ErrUnsupportedHash
	}
	if len(macKey) != h.Size() {
		return nil, ErrInvalidKeyLength
	}
	if rand == nil {
		return nil, errNilRand
	}
	block, err := aes.NewCipher(cipherKey)
	if err != nil {
		return nil, err
	}
	var zeroIV [cbcBlockLen]byte
	enc, ok1 := cipher.NewCBCEncrypter(block, zeroIV[:]).(cbcMode)
	dec, ok2 := cipher.NewCBCDecrypter(block, zeroIV[:]).(cbcMode)
	if !ok1 || !ok2 {
		return nil, errNoSetIV
	}
	c := &cbc{
		etm:        etm,
		enc:        enc,
		dec:        dec,
		rand:       rand,
		mac:        hmac.New(h.New, macKey),
		macLen:     h.Size(),
		inner:      h.New(),
		outer:      h.New(),
		lenField:   lenField,
		blockShift: blockShift,
	}
	hashBlock := c.inner.BlockSize()
	if hashBlock != 1<<blockShift {
		return nil, ErrUnsupportedHash
	}
	app, ok := c.inner.(encoding.BinaryAppender)
	if !ok {
		return nil, ErrUnsupportedHash
	}
	c.app = app
	// HMAC pads: the key, shorter than a hash block, padded with zeros and
	// XORed with 0x36 or 0x5c (RFC 2104, Section 2).
	c.ipad = make([]byte, hashBlock)
	c.opad = make([]byte, hashBlock)
	for i := range hashBlock {
		var k byte
		if i < len(macKey) {
			k = macKey[i]
		}
		c.ipad[i] = k ^ 0x36
		c.opad[i] = k ^ 0x5c
	}
	c.state = make([]byte, 0, stateChainOff+64+maxHashBlock+16)
	if !c.stateLayoutOK(h) {
		return nil, ErrUnsupportedHash
	}
	return c, nil
}

// cbc is the RecordProtection of NewCBC.
type cbc struct {
	sequence
	etm      bool
	enc, dec cbcMode
	rand     io.Reader

	mac    hash.Hash // HMAC for Seal and for encrypt-then-MAC Open
	macLen int

	// For the constant-time MAC of MAC-then-encrypt Open.
	inner, outer hash.Hash
	app          encoding.BinaryAppender // inner's marshaled state
	lenField     int                     // length field of the hash padding
	blockShift   int                     // log2 of the hash block length
	ipad, opad   []byte
	state        []byte // AppendBinary output, preallocated

	hdr  [13]byte           // seq_num + type + version + length
	sum  [64]byte           // computed MAC
	recv [64]byte           // received MAC
	rot  [64]byte           // received MAC, rotated
	blk  [maxHashBlock]byte // one constructed hash block
}

// stateLayoutOK checks that the chaining value of inner can be read from its
// marshaled state at stateChainOff: it hashes one block padded by hand and
// compares what it reads with Sum of the same message.
func (c *cbc) stateLayoutOK(h crypto.Hash) bool {
	hashBlock := 1 << c.blockShift
	msg := make([]byte, hashBlock-c.lenField-1)
	for i := range msg {
		msg[i] = byte(i)
	}
	ref := h.New()
	ref.Write(msg)
	want := ref.Sum(nil)

	padded := append(bytes.Clone(msg), 0x80)
	padded = append(padded, make([]byte, c.lenField)...)
	bits := uint64(len(msg)) * 8
	for k := range 8 {
		padded[len(padded)-1-k] = byte(bits >> (8 * k))
	}
	c.inner.Reset()
	c.inner.Write(padded)
	st, err := c.app.AppendBinary(c.state[:0])
	return err == nil && len(st) >= stateChainOff+c.macLen &&
		bytes.Equal(st[stateChainOff:stateChainOff+c.macLen], want)
}

func (c *cbc) explicitNonceLen() int { return cbcBlockLen }

// MaxOverhead returns the header, IV, MAC and largest Seal padding lengths.
func (c *cbc) MaxOverhead() int { return recordHeaderLen + cbcBlockLen + c.macLen + cbcBlockLen }

// Seal appends an AES-CBC record for plaintext to dst.
func (c *cbc) Seal(dst []byte, typ uint8, version uint16, plaintext []byte) ([]byte, error) {
	if c.exhausted() {
		return dst, ErrSequenceExhausted
	}
	if len(plaintext) > maxPlaintext {
		return dst, ErrPlaintextTooLarge
	}
	n := len(plaintext)
	macInside := c.macLen
	if c.etm {
		macInside = 0
	}
	// padding_length such that content, MAC, padding and padding_length
	// fill whole blocks.
	padLen := cbcBlockLen - 1 - (n+macInside)%cbcBlockLen
	encLen := n + macInside + padLen + 1
	fragLen := cbcBlockLen + encLen
	if c.etm {
		fragLen += c.macLen
	}
	const off = recordHeaderLen + cbcBlockLen
	out, rec, pt := prepareSeal(dst, recordHeaderLen+fragLen, off, plaintext)
	iv := rec[recordHeaderLen:off]
	if _, err := io.ReadFull(c.rand, iv); err != nil {
		return dst, fmt.Errorf("keys: reading CBC IV: %w", err)
	}
	putHeader(rec, typ, version, fragLen)
	body := rec[off : off+encLen]
	if !sameStart(pt, body) {
		copy(body, pt) // pt does not overlap rec: see prepareSeal
	}
	if !c.etm {
		// RFC 5246, Section 6.2.3.1:
		// MAC(MAC_write_key, seq_num + TLSCompressed.type +
		//     TLSCompressed.version + TLSCompressed.length +
		//     TLSCompressed.fragment);
		putMACHeader(&c.hdr, c.seq, typ, version, n)
		c.mac.Reset()
		c.mac.Write(c.hdr[:])
		c.mac.Write(body[:n])
		c.mac.Sum(body[n : n : n+c.macLen])
	}
	for i := n + macInside; i < encLen; i++ {
		body[i] = byte(padLen)
	}
	c.enc.SetIV(iv)
	c.enc.CryptBlocks(body, body)
	if c.etm {
		authed := rec[recordHeaderLen : off+encLen] // IV + ENC(...)
		putMACHeader(&c.hdr, c.seq, typ, version, len(authed))
		c.mac.Reset()
		c.mac.Write(c.hdr[:])
		c.mac.Write(authed)
		end := off + encLen
		c.mac.Sum(rec[end : end : end+c.macLen])
	}
	c.seq++
	return out, nil
}

// Open authenticates and decrypts an AES-CBC fragment in place.
func (c *cbc) Open(typ uint8, version uint16, fragment []byte) ([]byte, error) {
	if c.exhausted() {
		return nil, ErrSequenceExhausted
	}
	var pt []byte
	var ok bool
	if c.etm {
		pt, ok = c.openEtM(typ, version, fragment)
	} else {
		pt, ok = c.openMtE(typ, version, fragment)
	}
	if !ok {
		return nil, ErrBadRecordMAC
	}
	c.seq++
	return pt, nil
}

// openEtM opens an encrypt-then-MAC fragment: IV, ciphertext, MAC.
// RFC 7366, Section 3.
func (c *cbc) openEtM(typ uint8, version uint16, fragment []byte) ([]byte, bool) {
	encLen := len(fragment) - cbcBlockLen - c.macLen
	if encLen < cbcBlockLen || encLen%cbcBlockLen != 0 || cbcBlockLen+encLen > 0xffff {
		return nil, false
	}
	authed := fragment[:cbcBlockLen+encLen]
	putMACHeader(&c.hdr, c.seq, typ, version, len(authed))
	c.mac.Reset()
	c.mac.Write(c.hdr[:])
	c.mac.Write(authed)
	sum := c.mac.Sum(c.sum[:0])
	if subtle.ConstantTimeCompare(sum, fragment[len(authed):]) != 1 {
		return nil, false
	}
	body := fragment[cbcBlockLen:len(authed)]
	c.dec.SetIV(fragment[:cbcBlockLen])
	c.dec.CryptBlocks(body, body)
	// The record is authentic, so the padding check need not hide
	// anything; a bad padding still gets bad_record_mac.
	contentLen, good := checkPadding(body, 0)
	if good != 1 {
		return nil, false
	}
	return body[:contentLen], true
}

// openMtE opens a MAC-then-encrypt fragment in time that depends only on
// len(fragment). See NewCBC.
func (c *cbc) openMtE(typ uint8, version uint16, fragment []byte) ([]byte, bool) {
	// Public checks on the length: whole blocks, room for the IV, the MAC
	// and padding_length, and a content length that fits a uint16.
	n := len(fragment) - cbcBlockLen
	if n%cbcBlockLen != 0 || n < c.macLen+1 || n-1-c.macLen > 0xffff {
		return nil, false
	}
	p := fragment[cbcBlockLen:]
	c.dec.SetIV(fragment[:cbcBlockLen])
	c.dec.CryptBlocks(p, p)

	contentLen, good := checkPadding(p, c.macLen)
	c.mteMAC(typ, version, p, contentLen)
	c.mteReceivedMAC(p, contentLen)
	good &= subtle.ConstantTimeCompare(c.sum[:c.macLen], c.recv[:c.macLen])
	if good != 1 {
		return nil, false
	}
	return p[:contentLen], true
}

// checkPadding checks the padding at the end of the decrypted bytes p,
// which hold content, macLen bytes of MAC, padding and padding_length, and
// returns the content length and 1 if the padding is valid. If it is not,
// it returns 0 and the content length for an empty padding. Its running
// time depends only on len(p) and macLen.
//
// RFC 5246, Section 6.2.3.2: "Each uint8 in the padding data vector MUST be
// filled with the padding length value."
func checkPadding(p []byte, macLen int) (contentLen, good int) {
	n := len(p)
	padLen := int(p[n-1])
	good = subtle.ConstantTimeLessOrEq(padLen+1+macLen, n)
	// The padding is at most 255 bytes, plus padding_length itself.
	for i := 1; i < min(n, 256); i++ {
		inPadding := subtle.ConstantTimeLessOrEq(i, padLen)
		same := subtle.ConstantTimeByteEq(p[n-1-i], uint8(padLen))
		good &= 1 ^ (inPadding &^ same)
	}
	padLen = subtle.ConstantTimeSelect(good, padLen, 0)
	return n - 1 - macLen - padLen, good
}

// mteMAC computes into c.sum the HMAC of seq_num + type + version + length
// + p[:contentLen], where contentLen is secret and lies in the public range
// [len(p)-1-macLen-255, len(p)-1-macLen]. See NewCBC for the method.
func (c *cbc) mteMAC(typ uint8, version uint16, p []byte, contentLen int) {
	hashBlock := 1 << c.blockShift
	n := len(p)
	maxContent := n - 1 - c.macLen
	minContent := max(0, maxContent-255)
	putMACHeader(&c.hdr, c.seq, typ, version, contentLen)
	hdrLen := len(c.hdr)

	// The inner message after the ipad block is S = hdr + p[:contentLen],
	// of secret length msgLen. Its hash padding ends in block final,
	// counted from the block after ipad.
	msgLen := hdrLen + contentLen
	final := (msgLen + c.lenField) >> c.blockShift
	bits := uint64(hashBlock+msgLen) * 8

	c.inner.Reset()
	c.inner.Write(c.ipad)
	// Blocks made only of bytes below the shortest possible message are
	// the same for every content length: hash them directly.
	direct := (hdrLen + minContent) >> c.blockShift << c.blockShift
	if direct > 0 {
		c.inner.Write(c.hdr[:])
		c.inner.Write(p[:direct-hdrLen])
	}
	last := (hdrLen + maxContent + c.lenField) >> c.blockShift
	blk := c.blk[:hashBlock]
	for j := direct >> c.blockShift; j <= last; j++ {
		isFinal := subtle.ConstantTimeEq(int32(j), int32(final))
		for k := range blk {
			pos := j<<c.blockShift + k
			var b byte
			if pos < hdrLen {
				b = c.hdr[pos]
			} else if pos-hdrLen < n {
				b = p[pos-hdrLen]
			}
			inMsg := subtle.ConstantTimeLessOrEq(pos+1, msgLen)
			isEnd := subtle.ConstantTimeEq(int32(pos), int32(msgLen))
			blk[k] = b&byte(-inMsg) | 0x80&byte(-isEnd)
		}
		// The bit length, big-endian, in the last bytes of the final block.
		// For SHA-384 the top 8 of its 16 bytes stay zero.
		for k := range 8 {
			blk[hashBlock-1-k] |= byte(bits>>(8*k)) & byte(-isFinal)
		}
		c.inner.Write(blk)
		st, _ := c.app.AppendBinary(c.state[:0])
		subtle.ConstantTimeCopy(isFinal, c.sum[:c.macLen], st[stateChainOff:stateChainOff+c.macLen])
	}

	c.outer.Reset()
	c.outer.Write(c.opad)
	c.outer.Write(c.sum[:c.macLen])
	c.outer.Sum(c.sum[:0])
}

// mteReceivedMAC copies the MAC that follows p[:contentLen] into c.recv
// with a memory access pattern that does not depend on contentLen.
//
// One pass over every byte that can belong to the MAC ORs each byte, masked
// by whether it does, into c.rot at an index that counts up modulo the MAC
// length: position i lands at (i - start) mod macLen. The MAC therefore sits
// in c.rot rotated by r = (contentLen - start) mod macLen, which is then
// undone by rotating by each power of two and keeping the result with a
// mask when that bit of r is set.
func (c *cbc) mteReceivedMAC(p []byte, contentLen int) {
	macLen := c.macLen
	maxContent := len(p) - 1 - macLen
	start := max(0, maxContent-255)
	rot := c.rot[:macLen]
	clear(rot)
	j := 0
	for i := start; i < maxContent+macLen; i++ {
		inMAC := subtle.ConstantTimeLessOrEq(contentLen, i) & (1 ^ subtle.ConstantTimeLessOrEq(contentLen+macLen, i))
		rot[j] |= p[i] & byte(-inMAC)
		j++
		if j == macLen {
			j = 0
		}
	}
	// r = (contentLen - start) mod macLen, by masked subtraction; the
	// difference is below 256.
	r := contentLen - start
	for range 256/macLen + 1 {
		r -= macLen & -subtle.ConstantTimeLessOrEq(macLen, r)
	}
	tmp := c.recv[:macLen]
	for shift := 1; shift < macLen; shift <<= 1 {
		for m := range macLen {
			tmp[m] = rot[(m+shift)%macLen]
		}
		subtle.ConstantTimeCopy(subtle.ConstantTimeEq(int32(r&shift), int32(shift)), rot, tmp)
	}
	copy(c.recv[:macLen], rot)
}
