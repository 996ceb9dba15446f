package keys

import (
	"crypto"
	_ "crypto/sha256" // registers crypto.SHA256 for PRF
	_ "crypto/sha512" // registers crypto.SHA384 for PRF
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
// concatenated; PRF allocates only its two hash states. The output for n
// bytes is a prefix of the output for more.
func PRF(h crypto.Hash, out, secret []byte, label string, seed ...[]byte) {
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
