package keys

import (
	"crypto"
	"crypto/hmac"
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
// concatenated; besides the HMAC state PRF allocates one buffer of twice the
// hash size. The output for n bytes is a prefix of the output for more.
func PRF(h crypto.Hash, out, secret []byte, label string, seed ...[]byte) {
	mac := hmac.New(h.New, secret)
	size := mac.Size()
	scratch := make([]byte, 2*size)
	a := scratch[:size:size] // A(i)
	block := scratch[size:]  // one output block, or label bytes on the way in
	writeLabelSeed(mac, block, label, seed)
	mac.Sum(a[:0]) // A(1)
	for off := 0; off < len(out); off += size {
		mac.Reset()
		mac.Write(a)
		writeLabelSeed(mac, block, label, seed)
		if len(out)-off >= size {
			// The three-index slice keeps Sum inside out[off:off+size].
			mac.Sum(out[off : off : off+size])
		} else {
			mac.Sum(block[:0])
			copy(out[off:], block)
		}
		if off+size < len(out) {
			mac.Reset()
			mac.Write(a)
			mac.Sum(a[:0]) // A(i+1)
		}
	}
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
