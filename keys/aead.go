package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"

	"golang.org/x/crypto/chacha20poly1305"
)

const (
	// gcmSaltLen is the implicit part of the AES-GCM nonce, the
	// client_write_IV or server_write_IV. RFC 5288, Section 3.
	gcmSaltLen = 4
	// gcmExplicitLen is the nonce_explicit sent in each AES-GCM record.
	gcmExplicitLen = 8
	// aeadTagLen is the tag length of AES-GCM and ChaCha20-Poly1305.
	aeadTagLen = 16
	// chachaIVLen is the ChaCha20-Poly1305 fixed_iv_length. RFC 7905,
	// Section 2.
	chachaIVLen = 12
)

// NewAESGCM returns the record protection of an AES-GCM cipher suite.
// RFC 5288, Section 3. key is the 16- or 32-byte client_write_key or
// server_write_key, fixedIV the 4-byte client_write_IV or server_write_IV
// (the salt). Other lengths return [ErrInvalidKeyLength].
//
// Each record is
//
//	struct {
//	   opaque nonce_explicit[8];
//	   aead-ciphered struct {
//	       opaque content[TLSCompressed.length];
//	   };
//	} GenericAEADCipher;
//
// with nonce = salt || nonce_explicit and additional data seq_num || type ||
// version || length (RFC 5246, Section 6.2.3.3). Seal uses the sequence
// number as nonce_explicit, as RFC 5288, Section 3 allows ("The
// nonce_explicit MAY be the 64-bit sequence number") and RFC 9325, Section
// 7.2.1 recommends; it is distinct for every record, as the RFC requires:
// "Each value of the nonce_explicit MUST be distinct for each distinct
// invocation of the GCM encrypt function for any fixed key." Open takes
// nonce_explicit from the record as sent and does not compare it with the
// sequence number.
func NewAESGCM(key, fixedIV []byte) (RecordProtection, error) {
	if (len(key) != 16 && len(key) != 32) || len(fixedIV) != gcmSaltLen {
		return nil, ErrInvalidKeyLength
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	g := &aesGCM{aead: aead}
	copy(g.nonce[:gcmSaltLen], fixedIV)
	return g, nil
}

// aesGCM is the RecordProtection of NewAESGCM.
type aesGCM struct {
	sequence
	aead  cipher.AEAD
	nonce [gcmSaltLen + gcmExplicitLen]byte // salt || nonce_explicit
	ad    [13]byte                          // additional data
}

func (g *aesGCM) explicitNonceLen() int { return gcmExplicitLen }

// MaxOverhead returns the header, nonce_explicit and tag lengths.
func (g *aesGCM) MaxOverhead() int { return recordHeaderLen + gcmExplicitLen + aeadTagLen }

// Seal appends an AES-GCM record for plaintext to dst.
func (g *aesGCM) Seal(dst []byte, typ uint8, version uint16, plaintext []byte) ([]byte, error) {
	if g.exhausted() {
		return dst, ErrSequenceExhausted
	}
	if len(plaintext) > maxPlaintext {
		return dst, ErrPlaintextTooLarge
	}
	const off = recordHeaderLen + gcmExplicitLen
	n := gcmExplicitLen + len(plaintext) + aeadTagLen
	out, rec, pt := prepareSeal(dst, recordHeaderLen+n, off, plaintext)
	putHeader(rec, typ, version, n)
	binary.BigEndian.PutUint64(rec[recordHeaderLen:off], g.seq)
	binary.BigEndian.PutUint64(g.nonce[gcmSaltLen:], g.seq)
	putMACHeader(&g.ad, g.seq, typ, version, len(plaintext))
	g.aead.Seal(rec[off:off], g.nonce[:], pt, g.ad[:])
	g.seq++
	return out, nil
}

// Open authenticates and decrypts an AES-GCM fragment in place.
func (g *aesGCM) Open(typ uint8, version uint16, fragment []byte) ([]byte, error) {
	if g.exhausted() {
		return nil, ErrSequenceExhausted
	}
	n := len(fragment) - gcmExplicitLen - aeadTagLen
	if n < 0 || n > 0xffff {
		return nil, ErrBadRecordMAC
	}
	copy(g.nonce[gcmSaltLen:], fragment[:gcmExplicitLen])
	putMACHeader(&g.ad, g.seq, typ, version, n)
	ct := fragment[gcmExplicitLen:]
	pt, err := g.aead.Open(ct[:0], g.nonce[:], ct, g.ad[:])
	if err != nil {
		return nil, ErrBadRecordMAC
	}
	g.seq++
	return pt, nil
}

// NewChaCha20Poly1305 returns the record protection of a ChaCha20-Poly1305
// cipher suite. RFC 7905, Section 2. key is the 32-byte client_write_key or
// server_write_key, iv the 12-byte client_write_IV or server_write_IV. Other
// lengths return [ErrInvalidKeyLength].
//
// The record carries no explicit nonce: the fragment is the ciphertext and
// the tag. The nonce is built as RFC 7905, Section 2 says: "The 64-bit
// record sequence number is serialized as an 8-byte, big-endian value and
// padded on the left with four 0x00 bytes. The padded sequence number is
// XORed with the client_write_IV (when the client is sending) or
// server_write_IV (when the server is sending)." The additional data is
// seq_num || type || version || length, as for every TLS 1.2 AEAD.
func NewChaCha20Poly1305(key, iv []byte) (RecordProtection, error) {
	if len(key) != chacha20poly1305.KeySize || len(iv) != chachaIVLen {
		return nil, ErrInvalidKeyLength
	}
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, err
	}
	c := &chacha{aead: aead}
	copy(c.iv[:], iv)
	return c, nil
}

// chacha is the RecordProtection of NewChaCha20Poly1305.
type chacha struct {
	sequence
	aead  cipher.AEAD
	iv    [chachaIVLen]byte
	nonce [chachaIVLen]byte
	ad    [13]byte
}

func (c *chacha) explicitNonceLen() int { return 0 }

// MaxOverhead returns the header and tag lengths.
func (c *chacha) MaxOverhead() int { return recordHeaderLen + aeadTagLen }

// setNonce computes iv XOR (0^32 || seq) into c.nonce.
func (c *chacha) setNonce(seq uint64) {
	c.nonce = c.iv
	binary.BigEndian.PutUint64(c.nonce[4:], binary.BigEndian.Uint64(c.iv[4:])^seq)
}

// Seal appends a ChaCha20-Poly1305 record for plaintext to dst.
func (c *chacha) Seal(dst []byte, typ uint8, version uint16, plaintext []byte) ([]byte, error) {
	if c.exhausted() {
		return dst, ErrSequenceExhausted
	}
	if len(plaintext) > maxPlaintext {
		return dst, ErrPlaintextTooLarge
	}
	n := len(plaintext) + aeadTagLen
	out, rec, pt := prepareSeal(dst, recordHeaderLen+n, recordHeaderLen, plaintext)
	putHeader(rec, typ, version, n)
	putMACHeader(&c.ad, c.seq, typ, version, len(plaintext))
	c.sealAD(rec[recordHeaderLen:recordHeaderLen], pt, c.ad[:])
	c.seq++
	return out, nil
}

// sealAD appends the encryption of plaintext with the nonce of the current
// sequence number and additional data ad to dst.
func (c *chacha) sealAD(dst, plaintext, ad []byte) []byte {
	c.setNonce(c.seq)
	return c.aead.Seal(dst, c.nonce[:], plaintext, ad)
}

// Open authenticates and decrypts a ChaCha20-Poly1305 fragment in place.
func (c *chacha) Open(typ uint8, version uint16, fragment []byte) ([]byte, error) {
	if c.exhausted() {
		return nil, ErrSequenceExhausted
	}
	n := len(fragment) - aeadTagLen
	if n < 0 || n > 0xffff {
		return nil, ErrBadRecordMAC
	}
	putMACHeader(&c.ad, c.seq, typ, version, n)
	c.setNonce(c.seq)
	pt, err := c.aead.Open(fragment[:0], c.nonce[:], fragment, c.ad[:])
	if err != nil {
		return nil, ErrBadRecordMAC
	}
	c.seq++
	return pt, nil
}
