package keys

import (
	"crypto"
	"crypto/sha256" // also registers crypto.SHA256 for PRF
	"crypto/sha512" // also registers crypto.SHA384 for PRF
	"hash"
)

// PRF fills out with the TLS 1.2 pseudorandom function of secret, label and
// the concatenation of the seed parts, using P_hash with HMAC-h. RFC 5246,
// Section 5:
//
//	P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
//	                       HMAC_hash(secret, A(2) + seed) + ...
//	A(0) = seed
//	A(i) = HMAC_hash(secret, A(i-1))
//
//	PRF(secret, label, seed) = P_<hash>(secret, label + seed)
//
// TLS 1.2 cipher suites use crypto.SHA256 or crypto.SHA384; PRF accepts any
// hash that is linked into the binary and, like crypto.Hash.New, panics on
// one that is not: h comes from the caller's cipher-suite table, never from
// the peer. The seed parts are fed to the HMAC one after the other, never
// concatenated; PRF allocates only its two hash states, and nothing for
// SHA-256 and SHA-384 with a label and seed of at most 192 bytes (every
// handshake use). The output for n bytes is a prefix of the output for more.
func PRF(h crypto.Hash, out, secret []byte, label string, seed ...[]byte) {
	if prfOneShot(h, out, secret, label, seed) {
		return
	}
	var m prfMAC
	m.init(h, secret)
	size := m.inner.Size()
	var scratch [2 * 64]byte        // two blocks of the largest hash (SHA-512 family)
	a := scratch[:size:size]        // A(i)
	block := scratch[size : 2*size] // one output block, or label bytes on the way in
	m.start()
	writeLabelSeed(m.inner, block, label, seed)
	m.finish(a[:0]) // A(1)
	for off := 0; off < len(out); off += size {
		m.start()
		m.inner.Write(a)
		writeLabelSeed(m.inner, block, label, seed)
		if len(out)-off >= size {
			// The three-index slice keeps Sum inside out[off:off+size].
			m.finish(out[off : off : off+size])
		} else {
			m.finish(block[:0])
			copy(out[off:], block)
		}
		if off+size < len(out) {
			m.start()
			m.inner.Write(a)
			m.finish(a[:0]) // A(i+1)
		}
	}
}

// prfMAC is HMAC (RFC 2104) over two reusable hash states. It exists so
// that the PRF allocates only those two states: crypto/hmac allocates pads
// and marshaled states on top, and the PRF runs several times per
// handshake.
type prfMAC struct {
	inner, outer hash.Hash
	ipad, opad   [128]byte // block size of the SHA-512 family, the largest used
	blockSize    int
	sum          [64]byte
}

func (m *prfMAC) init(h crypto.Hash, key []byte) {
	m.inner, m.outer = h.New(), h.New()
	m.blockSize = m.inner.BlockSize()
	if len(key) > m.blockSize {
		// RFC 2104, Section 2: keys longer than the block are hashed first.
		m.outer.Write(key)
		key = m.outer.Sum(m.sum[:0])
		m.outer.Reset()
	}
	clear(m.ipad[:])
	copy(m.ipad[:], key)
	m.opad = m.ipad
	for i := range m.blockSize {
		m.ipad[i] ^= 0x36
		m.opad[i] ^= 0x5c
	}
}

// start begins a MAC computation; data is written to m.inner.
func (m *prfMAC) start() {
	m.inner.Reset()
	m.inner.Write(m.ipad[:m.blockSize])
}

// finish appends the MAC of what was written since start to b.
func (m *prfMAC) finish(b []byte) []byte {
	inner := m.inner.Sum(m.sum[:0])
	m.outer.Reset()
	m.outer.Write(m.opad[:m.blockSize])
	m.outer.Write(inner)
	return m.outer.Sum(b)
}

// writeLabelSeed writes label + seed[0] + seed[1] + ... to mac, copying the
// label through buf so that the string needs no conversion to []byte.
func writeLabelSeed(mac hash.Hash, buf []byte, label string, seed [][]byte) {
	for len(label) > 0 {
		n := copy(buf, label)
		mac.Write(buf[:n])
		label = label[n:]
	}
	for _, s := range seed {
		mac.Write(s)
	}
}

// prfSmallInput bounds label+seed for prfOneShot.
const prfSmallInput = 192

// prfOneShot is PRF for SHA-256 and SHA-384 with a short label and seed:
// each HMAC is two one-shot hashes over stack buffers (RFC 2104:
// H(K^opad || H(K^ipad || text))), so nothing is allocated. It returns
// false, having done nothing, for other hashes or longer inputs.
func prfOneShot(h crypto.Hash, out, secret []byte, label string, seed [][]byte) bool {
	var blockSize, size int
	switch h {
	case crypto.SHA256:
		blockSize, size = sha256.BlockSize, sha256.Size
	case crypto.SHA384:
		blockSize, size = sha512.BlockSize, sha512.Size384
	default:
		return false
	}
	n := len(label)
	for _, s := range seed {
		n += len(s)
	}
	if n > prfSmallInput {
		return false
	}
	var sum [64]byte
	var ipad, opad [128]byte
	if len(secret) > blockSize {
		oneShot(h, secret, &sum)
		secret = sum[:size]
	}
	copy(ipad[:], secret)
	opad = ipad
	for i := range blockSize {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	// withA = ipad || A(i) || label || seed; withoutA = ipad || label || seed.
	var withA [128 + 64 + prfSmallInput]byte
	var withoutA [128 + prfSmallInput]byte
	var outer [128 + 64]byte
	copy(withA[:], ipad[:blockSize])
	copy(withoutA[:], ipad[:blockSize])
	copy(outer[:], opad[:blockSize])
	ls := withoutA[blockSize:blockSize]
	ls = append(ls, label...)
	for _, s := range seed {
		ls = append(ls, s...)
	}
	copy(withA[blockSize+size:], ls)
	a := withA[blockSize : blockSize+size]
	hmac := func(text []byte, dst *[64]byte) {
		oneShot(h, text, dst)
		copy(outer[blockSize:], dst[:size])
		oneShot(h, outer[:blockSize+size], dst)
	}
	hmac(withoutA[:blockSize+n], &sum) // A(1)
	copy(a, sum[:size])
	for off := 0; off < len(out); off += size {
		hmac(withA[:blockSize+size+n], &sum)
		copy(out[off:], sum[:size])
		if off+size < len(out) {
			hmac(withA[:blockSize+size], &sum) // A(i+1)
			copy(a, sum[:size])
		}
	}
	clear(ipad[:])
	clear(opad[:])
	clear(withA[:])
	clear(withoutA[:])
	clear(outer[:])
	clear(sum[:])
	return true
}

// oneShot hashes data with h (SHA-256 or SHA-384) into dst.
func oneShot(h crypto.Hash, data []byte, dst *[64]byte) {
	if h == crypto.SHA256 {
		*(*[32]byte)(dst[:32]) = sha256.Sum256(data)
	} else {
		*(*[48]byte)(dst[:48]) = sha512.Sum384(data)
	}
}
