package keys_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"testing"

	"github.com/sanstls/sanstls/keys"
)

// ffdheGroups lists the RFC 7919 groups with the facts TestFFDHEPrimes checks
// them against: the bit length b and the constant X of the Appendix A formula,
// and the SHA-256 of p's big-endian bytes, computed once from the hex text of
// RFC 7919, Appendices A.1 to A.3.
var ffdheGroups = []struct {
	name      string
	group     uint16
	bits      int
	x         int64
	sha256Hex string
}{
	{"ffdhe2048", keys.GroupFFDHE2048, 2048, 560316, "9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966"},
	{"ffdhe3072", keys.GroupFFDHE3072, 3072, 2625351, "0eaf67db3a839156d5013494a5318a772b5697d270d721f37f092efc69ea5a17"},
	{"ffdhe4096", keys.GroupFFDHE4096, 4096, 5736041, "4648414224ac881b3d0dc59b466f96d06a558278776807797ecf1f66ff397b3e"},
}

// ffdheFloorE returns floor(2^k * e), from the series e = sum 1/n!, with 64
// guard bits (the truncation error of the terms stays far below 2^64).
func ffdheFloorE(k uint) *big.Int {
	const guard = 64
	term := new(big.Int).Lsh(big.NewInt(1), k+guard)
	sum := new(big.Int)
	for n := int64(1); term.Sign() > 0; n++ {
		sum.Add(sum, term)
		term.Quo(term, big.NewInt(n))
	}
	return sum.Rsh(sum, guard)
}

// TestFFDHEPrimes checks the moduli against RFC 7919, Appendix A three ways:
// recomputed from the formula p = 2^b - 2^(b-64) + {[2^(b-130) e] + X} * 2^64 - 1,
// hashed against the RFC's hex text, and tested as safe primes.
func TestFFDHEPrimes(t *testing.T) {
	for _, tc := range ffdheGroups {
		p, g, ok := keys.FFDHEParams(tc.group)
		if !ok {
			t.Fatalf("%s: FFDHEParams not ok", tc.name)
		}
		if len(p) != tc.bits/8 || !bytes.Equal(g, []byte{2}) {
			t.Fatalf("%s: len(p) = %d, g = %x", tc.name, len(p), g)
		}
		b := uint(tc.bits)
		want := new(big.Int).Lsh(big.NewInt(1), b)
		want.Sub(want, new(big.Int).Lsh(big.NewInt(1), b-64))
		mid := ffdheFloorE(b - 130)
		mid.Add(mid, big.NewInt(tc.x))
		want.Add(want, mid.Lsh(mid, 64))
		want.Sub(want, big.NewInt(1))
		P := new(big.Int).SetBytes(p)
		if P.Cmp(want) != 0 {
			t.Errorf("%s: p differs from the RFC 7919 formula", tc.name)
		}
		if sum := sha256.Sum256(p); hex.EncodeToString(sum[:]) != tc.sha256Hex {
			t.Errorf("%s: SHA-256(p) = %x, want %s", tc.name, sum, tc.sha256Hex)
		}
		q := new(big.Int).Rsh(P, 1) // (p-1)/2, as p is odd
		if !P.ProbablyPrime(8) || !q.ProbablyPrime(8) {
			t.Errorf("%s: p or (p-1)/2 is not prime", tc.name)
		}
		// FFDHEParams hands out copies.
		p[0], g[0] = 0, 0
		if p2, g2, _ := keys.FFDHEParams(tc.group); p2[0] != 0xff || g2[0] != 2 {
			t.Errorf("%s: FFDHEParams returned shared buffers", tc.name)
		}
	}
	for _, g := range []uint16{0, 23, 29, 255, 259, 260, 511} {
		if p, gen, ok := keys.FFDHEParams(g); ok || p != nil || gen != nil {
			t.Errorf("FFDHEParams(%d) = %x, %x, %v; want nothing", g, p, gen, ok)
		}
	}
}

func TestGenerateDHEKeyShareGroup(t *testing.T) {
	for _, tc := range ffdheGroups {
		p, g, _ := keys.FFDHEParams(tc.group)
		s, err := keys.GenerateDHEKeyShare(p, g, newKexStream(tc.name))
		if err != nil || s.Group() != tc.group {
			t.Fatalf("%s params: got (%v, %v), want group %d", tc.name, s, err, tc.group)
		}
		// Leading zero bytes do not hide a named group.
		s, err = keys.GenerateDHEKeyShare(append([]byte{0, 0}, p...), []byte{0, 2}, newKexStream(tc.name))
		if err != nil || s.Group() != tc.group {
			t.Fatalf("%s params with leading zeros: got (%v, %v)", tc.name, s, err)
		}
		named, _ := keys.GenerateKeyShare(tc.group, newKexStream(tc.name))
		if !bytes.Equal(named.PublicKey(), s.PublicKey()) {
			t.Errorf("%s: GenerateDHEKeyShare and GenerateKeyShare disagree", tc.name)
		}
	}

	// Custom parameters: the ffdhe2048 prime with generator 4 is a valid
	// group but not a named one.
	p, _, _ := keys.FFDHEParams(keys.GroupFFDHE2048)
	a, err := keys.GenerateDHEKeyShare(p, []byte{4}, newKexStream("a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := keys.GenerateDHEKeyShare(p, []byte{4}, newKexStream("b"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Group() != 0 {
		t.Errorf("custom group reported as %d", a.Group())
	}
	sa, errA := a.SharedSecret(b.PublicKey())
	sb, errB := b.SharedSecret(a.PublicKey())
	if errA != nil || errB != nil || !bytes.Equal(sa, sb) {
		t.Errorf("custom group agreement failed: %v %v", errA, errB)
	}
}

func TestGenerateDHEKeyShareRejects(t *testing.T) {
	p2048, _, _ := keys.FFDHEParams(keys.GroupFFDHE2048)
	P := new(big.Int).SetBytes(p2048)
	small := new(big.Int).Rsh(P, 1025) // 1023 bits, odd
	huge := new(big.Int).Lsh(big.NewInt(1), 8192)
	huge.Add(huge, big.NewInt(1)) // 8193 bits, odd
	even := new(big.Int).Add(P, big.NewInt(1))
	pm1 := new(big.Int).Sub(P, big.NewInt(1))
	for _, tc := range []struct {
		name string
		p, g []byte
		weak bool
	}{
		{"1023-bit p", small.Bytes(), []byte{2}, true},
		{"8193-bit p", huge.Bytes(), []byte{2}, true},
		{"empty p", nil, []byte{2}, true},
		{"even p", even.Bytes(), []byte{2}, false},
		{"g = 0", p2048, []byte{0}, false},
		{"g = 1", p2048, []byte{1}, false},
		{"empty g", p2048, nil, false},
		{"g = p-1", p2048, pm1.Bytes(), false},
		{"g = p", p2048, p2048, false},
		{"g > p", p2048, append([]byte{1}, p2048...), false},
	} {
		r := &kexRepeatReader{b: 0x5a}
		s, err := keys.GenerateDHEKeyShare(tc.p, tc.g, r)
		if !errors.Is(err, keys.ErrUnsupportedGroup) || s != nil {
			t.Errorf("%s: got (%v, %v), want ErrUnsupportedGroup", tc.name, s, err)
		}
		if errors.Is(err, keys.ErrWeakKey) != tc.weak {
			t.Errorf("%s: errors.Is(err, ErrWeakKey) = %v, want %v", tc.name, !tc.weak, tc.weak)
		}
		if r.read != 0 {
			t.Errorf("%s: read randomness before refusing", tc.name)
		}
	}
}

// TestFFDHEExponentDerivation checks the documented draw: len(p) bytes, high
// surplus bits masked, candidates >= p-3 skipped, x = c + 2, Y = 2^x mod p
// left-padded.
func TestFFDHEExponentDerivation(t *testing.T) {
	p, _, _ := keys.FFDHEParams(keys.GroupFFDHE2048)
	P := new(big.Int).SetBytes(p)
	cand := make([]byte, len(p))
	newKexStream("exponent").Read(cand)
	stream := bytes.Join([][]byte{bytes.Repeat([]byte{0xff}, len(p)), cand, []byte("rest")}, nil)
	r := bytes.NewReader(stream)
	s, err := keys.GenerateKeyShare(keys.GroupFFDHE2048, r)
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != len("rest") {
		t.Fatalf("read %d bytes, want %d", len(stream)-r.Len(), 2*len(p))
	}
	x := new(big.Int).SetBytes(cand) // 2048-bit p: no bits to mask
	x.Add(x, big.NewInt(2))
	want := new(big.Int).Exp(big.NewInt(2), x, P).FillBytes(make([]byte, len(p)))
	if !bytes.Equal(s.PublicKey(), want) {
		t.Error("public key is not 2^(c+2) mod p for the first candidate c < p-3")
	}

	// c = 0 gives x = 2 and Y = 4, which must come out left-padded.
	s, err = keys.GenerateKeyShare(keys.GroupFFDHE2048, bytes.NewReader(make([]byte, len(p))))
	if err != nil {
		t.Fatal(err)
	}
	want = make([]byte, len(p))
	want[len(want)-1] = 4
	if !bytes.Equal(s.PublicKey(), want) {
		t.Errorf("x = 2: public key %x, want 4 padded to %d bytes", s.PublicKey(), len(p))
	}

	// A modulus whose bit length is not a multiple of 8, 3p (2050 bits,
	// starting 0x02ff...): candidates are 257 bytes with the 6 surplus high
	// bits masked off. It is not prime; that does not matter for the draw.
	mod := new(big.Int).Mul(P, big.NewInt(3))
	if mod.BitLen() != 2050 {
		t.Fatalf("test setup: 3p has %d bits", mod.BitLen())
	}
	c3 := make([]byte, 257)
	newKexStream("masked").Read(c3)
	c3[0], c3[1] = 0xfe, 0x00 // masked to 0x02 0x00: below 3p-3
	s, err = keys.GenerateDHEKeyShare(mod.Bytes(), []byte{2}, bytes.NewReader(c3))
	if err != nil {
		t.Fatal(err)
	}
	c3[0] = 0x02
	x.SetBytes(c3).Add(x, big.NewInt(2))
	want = new(big.Int).Exp(big.NewInt(2), x, mod).FillBytes(make([]byte, 257))
	if !bytes.Equal(s.PublicKey(), want) {
		t.Error("surplus high bits of the candidate were not masked")
	}
}

func TestFFDHEExhaustedRandomness(t *testing.T) {
	r := &kexRepeatReader{b: 0xff}
	if s, err := keys.GenerateKeyShare(keys.GroupFFDHE2048, r); err == nil || s != nil {
		t.Fatal("a reader of 0xff bytes gave a key")
	}
	if r.read != 64*256 {
		t.Errorf("gave up after %d bytes, want %d", r.read, 64*256)
	}
}

func TestFFDHEPeerValidation(t *testing.T) {
	for _, tc := range ffdheGroups {
		p, _, _ := keys.FFDHEParams(tc.group)
		P := new(big.Int).SetBytes(p)
		s := mustShare(t, tc.group, "validation")
		pad := func(v *big.Int) []byte { return v.FillBytes(make([]byte, len(p))) }
		pm1 := new(big.Int).Sub(P, big.NewInt(1))
		for name, peer := range map[string][]byte{
			"empty":          {},
			"0":              pad(big.NewInt(0)),
			"1":              {1},
			"1 padded":       pad(big.NewInt(1)),
			"p-1":            pad(pm1),
			"p":              p,
			"p+1":            pad(new(big.Int).Add(P, big.NewInt(1))),
			"all ones":       bytes.Repeat([]byte{0xff}, len(p)),
			"too long":       append([]byte{0}, pad(big.NewInt(2))...),
			"too long 2^8k":  append([]byte{1}, make([]byte, len(p))...),
			"zero long form": make([]byte, len(p)+1),
		} {
			if got, err := s.SharedSecret(peer); err != keys.ErrInvalidPeerKey || got != nil {
				t.Errorf("%s, Y = %s: got (%x, %v), want ErrInvalidPeerKey", tc.name, name, got, err)
			}
		}
		// Y = 2, unpadded (one byte) and padded, is valid and gives the
		// same secret 2^x mod p.
		short, err1 := s.SharedSecret([]byte{2})
		long, err2 := s.SharedSecret(pad(big.NewInt(2)))
		if err1 != nil || err2 != nil || !bytes.Equal(short, long) {
			t.Errorf("%s: Y = 2 gave (%x, %v) and (%x, %v)", tc.name, short, err1, long, err2)
		}
		// and p-2 is the top of the range.
		if _, err := s.SharedSecret(pad(new(big.Int).Sub(P, big.NewInt(2)))); err != nil {
			t.Errorf("%s: Y = p-2 refused: %v", tc.name, err)
		}
	}
}

// TestFFDHESkipsDegenerateExponent uses the candidate x = q = (p-1)/2. As 2
// is a quadratic residue mod these primes, 2^q = 1, a public value outside
// (1, p-1), so the candidate must be skipped for the next one.
func TestFFDHESkipsDegenerateExponent(t *testing.T) {
	p, _, _ := keys.FFDHEParams(keys.GroupFFDHE2048)
	P := new(big.Int).SetBytes(p)
	c := new(big.Int).Rsh(P, 1) // q
	c.Sub(c, big.NewInt(2))     // x = c + 2 = q
	next := make([]byte, len(p))
	newKexStream("next").Read(next)
	s, err := keys.GenerateKeyShare(keys.GroupFFDHE2048, bytes.NewReader(append(c.FillBytes(make([]byte, len(p))), next...)))
	if err != nil {
		t.Fatal(err)
	}
	want, err := keys.GenerateKeyShare(keys.GroupFFDHE2048, bytes.NewReader(next))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.PublicKey(), want.PublicKey()) {
		t.Error("the candidate x = q was not skipped")
	}
}

// TestFFDHEForcedSecretRefused uses a composite custom modulus p = 3 * P,
// with P the ffdhe2048 prime, on which a peer can pick Y != 1, p-1 with
// Y^2 = 1: with our exponent x = 2 the secret would be the constant 1.
func TestFFDHEForcedSecretRefused(t *testing.T) {
	p2048, _, _ := keys.FFDHEParams(keys.GroupFFDHE2048)
	P := new(big.Int).SetBytes(p2048)
	mod := new(big.Int).Mul(P, big.NewInt(3))
	// Y = 1 mod P and Y = 2 = -1 mod 3, by the Chinese remainder theorem.
	var y *big.Int
	for t3 := int64(0); t3 < 3; t3++ {
		cand := new(big.Int).Mul(P, big.NewInt(t3))
		cand.Add(cand, big.NewInt(1))
		if new(big.Int).Mod(cand, big.NewInt(3)).Int64() == 2 {
			y = cand
		}
	}
	// A zero candidate c gives x = 2.
	s, err := keys.GenerateDHEKeyShare(mod.Bytes(), []byte{2}, bytes.NewReader(make([]byte, len(mod.Bytes()))))
	if err != nil {
		t.Fatal(err)
	}
	if z := new(big.Int).Exp(y, big.NewInt(2), mod); z.Cmp(big.NewInt(1)) != 0 {
		t.Fatalf("test setup: Y^2 = %v, want 1", z)
	}
	if got, err := s.SharedSecret(y.Bytes()); err != keys.ErrInvalidPeerKey {
		t.Errorf("forced secret: got (%x, %v), want ErrInvalidPeerKey", got, err)
	}
}

// TestFFDHESecretStripsLeadingZeros finds a peer value whose shared secret
// has a leading zero byte and checks that it is removed (RFC 5246,
// Section 8.1.2). With A = g^x our public value and Y = g^k the peer's, the
// secret is A^k, so candidates cost one multiplication each.
func TestFFDHESecretStripsLeadingZeros(t *testing.T) {
	for _, tc := range ffdheGroups {
		p, _, _ := keys.FFDHEParams(tc.group)
		P := new(big.Int).SetBytes(p)
		s := mustShare(t, tc.group, "strip")
		A := new(big.Int).SetBytes(s.PublicKey())
		z := new(big.Int).Set(A)
		k := int64(1)
		for (z.BitLen()+7)/8 == len(p) {
			z.Mul(z, A).Mod(z, P)
			k++
			if k > 100000 {
				t.Fatalf("%s: no short secret found", tc.name)
			}
		}
		peer := new(big.Int).Exp(big.NewInt(2), big.NewInt(k), P)
		got, err := s.SharedSecret(peer.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, z.Bytes()) || len(got) >= len(p) || got[0] == 0 {
			t.Errorf("%s: secret %x (len %d), want %x with its leading zeros stripped", tc.name, got, len(got), z.Bytes())
		}
	}
}
