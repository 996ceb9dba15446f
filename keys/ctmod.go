package keys

// Constant-time modular exponentiation for the legacy key exchanges:
// finite-field Diffie-Hellman (RFC 7919, Section 8.6: implementations
// "should use constant-time modular-exponentiation implementations") and
// the client's RSA premaster encryption, where the message is the secret.
//
// math/big is variable time (it normalises, skips zero limbs, picks
// algorithms by size), so secrets never enter it here. Numbers are fixed
// length little-endian slices of 64-bit limbs, as long as the modulus.
// Multiplication is Montgomery's, in the coarsely integrated operand
// scanning form (Koç, Acar and Kaliski, "Analyzing and comparing Montgomery
// multiplication algorithms", IEEE Micro 1996), with a final subtraction
// chosen by mask; exponentiation uses fixed 4-bit windows with a table read
// that touches every entry. The running time and memory access pattern
// depend only on the modulus and the exponent's length, never on the values
// of the base or the exponent. math/bits.Mul64 and Add64/Sub64 compile to
// constant-time instructions on the platforms Go supports.
//
// The modulus itself is public (an RFC 7919 prime, a server's DH prime or
// RSA modulus), so the set-up may use math/big: R^2 mod n is computed
// there.

import (
	"crypto/subtle"
	"errors"
	"math/big"
	"math/bits"
)

// ctModulus is an odd modulus prepared for Montgomery arithmetic.
type ctModulus struct {
	n     []uint64 // little-endian limbs
	size  int      // byte length of n
	m0inv uint64   // -n^-1 mod 2^64
	rr    []uint64 // R^2 mod n, R = 2^(64*len(n))
}

var errEvenModulus = errors.New("keys: modulus is even or too small")

// newCTModulus prepares the modulus given big-endian (leading zero bytes
// are ignored). It must be odd and greater than 1.
func newCTModulus(be []byte) (*ctModulus, error) {
	N := new(big.Int).SetBytes(be) // public
	if N.Bit(0) == 0 || N.BitLen() < 2 {
		return nil, errEvenModulus
	}
	size := (N.BitLen() + 7) / 8
	limbs := (size + 7) / 8
	m := &ctModulus{size: size, n: natFromBytes(N.FillBytes(make([]byte, size)), limbs)}
	// Newton's iteration doubles the correct low bits of the inverse each
	// step: 1 -> 2 -> ... -> 64 bits in six steps (n0 is odd, so
	// n0 * 1 = 1 mod 2 to start).
	n0 := m.n[0]
	inv := uint64(1)
	for range 6 {
		inv *= 2 - n0*inv
	}
	m.m0inv = -inv
	rr := new(big.Int).Lsh(big.NewInt(1), uint(2*64*limbs))
	rr.Mod(rr, N)
	m.rr = natFromBytes(rr.FillBytes(make([]byte, limbs*8)), limbs)
	return m, nil
}

// natFromBytes reads big-endian b into limbs limbs (b must fit).
func natFromBytes(b []byte, limbs int) []uint64 {
	x := make([]uint64, limbs)
	for i := range b {
		k := len(b) - 1 - i // byte position from the least significant end
		x[k/8] |= uint64(b[i]) << (8 * (k % 8))
	}
	return x
}

// natToBytes writes x big-endian into out, which must be long enough for
// the value; extra high bytes are zero.
func natToBytes(x []uint64, out []byte) {
	for i := range out {
		k := len(out) - 1 - i
		var b byte
		if k/8 < len(x) {
			b = byte(x[k/8] >> (8 * (k % 8)))
		}
		out[i] = b
	}
}

// natLess returns 1 if a < b and 0 otherwise, in constant time. a and b
// have the same length.
func natLess(a, b []uint64) uint64 {
	var borrow uint64
	for i := range a {
		_, borrow = bits.Sub64(a[i], b[i], borrow)
	}
	return borrow
}

// natEqual returns 1 if a == b and 0 otherwise, in constant time.
func natEqual(a, b []uint64) uint64 {
	var diff uint64
	for i := range a {
		diff |= a[i] ^ b[i]
	}
	// diff == 0 iff equal; (diff | -diff) has its top bit set iff diff != 0.
	return 1 ^ ((diff | -diff) >> 63)
}

// natSelect sets z = a if cond == 1 and z = b if cond == 0.
func natSelect(z, a, b []uint64, cond uint64) {
	mask := -cond
	for i := range z {
		z[i] = b[i] ^ (mask & (a[i] ^ b[i]))
	}
}

// montMul sets z = x*y/R mod n. x and y must be below n; z may alias
// either. t is scratch of len(n)+2 limbs.
func (m *ctModulus) montMul(z, x, y, t []uint64) {
	n := m.n
	l := len(n)
	clear(t)
	for i := range l {
		// t += x * y[i]
		var c uint64
		yi := y[i]
		for j := range l {
			hi, lo := bits.Mul64(x[j], yi)
			var cc uint64
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j], c = lo, hi
		}
		var cc uint64
		t[l], cc = bits.Add64(t[l], c, 0)
		t[l+1] = cc
		// t = (t + q*n) / 2^64, with q chosen to clear the low limb.
		q := t[0] * m.m0inv
		hi, lo := bits.Mul64(q, n[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < l; j++ {
			hi, lo := bits.Mul64(q, n[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1], c = lo, hi
		}
		t[l-1], cc = bits.Add64(t[l], c, 0)
		t[l] = t[l+1] + cc
	}
	// t < 2n: subtract n unless that borrows. x and y are no longer read,
	// so the difference can go to z directly.
	var borrow uint64
	for j := range l {
		z[j], borrow = bits.Sub64(t[j], n[j], borrow)
	}
	// Keep the difference when t[l] == 1 (t >= 2^(64l) > n) or when the
	// subtraction did not borrow; otherwise t was already below n.
	keep := t[l] | (1 ^ borrow)
	natSelect(z, z, t[:l], keep)
}

// exp returns base^e mod m, base below n (normal form, len(n) limbs), e
// big-endian of any length. Only len(e) and the modulus affect timing.
func (m *ctModulus) exp(base []uint64, e []byte) []uint64 {
	l := len(m.n)
	t := make([]uint64, l+2)
	one := make([]uint64, l)
	one[0] = 1
	// table[i] = base^i in Montgomery form.
	var table [16][]uint64
	table[0] = make([]uint64, l)
	m.montMul(table[0], one, m.rr, t) // R mod n
	table[1] = make([]uint64, l)
	m.montMul(table[1], base, m.rr, t)
	for i := 2; i < 16; i++ {
		table[i] = make([]uint64, l)
		m.montMul(table[i], table[i-1], table[1], t)
	}
	acc := make([]uint64, l)
	copy(acc, table[0])
	sel := make([]uint64, l)
	for _, b := range e {
		for _, nib := range [2]byte{b >> 4, b & 0x0f} {
			for range 4 {
				m.montMul(acc, acc, acc, t)
			}
			clear(sel)
			for i := range table {
				mask := -uint64(subtle.ConstantTimeByteEq(byte(i), nib))
				for j := range sel {
					sel[j] |= table[i][j] & mask
				}
			}
			m.montMul(acc, acc, sel, t)
		}
	}
	m.montMul(acc, acc, one, t) // out of Montgomery form
	return acc
}

// expBytes returns base^e mod m as m.size big-endian bytes; base is
// big-endian and must be below the modulus.
func (m *ctModulus) expBytes(base, e []byte) []byte {
	out := make([]byte, m.size)
	natToBytes(m.exp(natFromBytes(base, len(m.n)), e), out)
	return out
}

// natAddWord sets x += w (mod 2^(64 len(x))) in constant time.
func natAddWord(x []uint64, w uint64) {
	var c uint64
	x[0], c = bits.Add64(x[0], w, 0)
	for i := 1; i < len(x); i++ {
		x[i], c = bits.Add64(x[i], 0, c)
	}
}
