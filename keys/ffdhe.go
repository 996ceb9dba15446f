package keys

import (
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// The RFC 7919 Appendix A moduli, in the RFC's own hexadecimal layout. Each p
// is the safe prime 2^b - 2^(b-64) + {[2^(b-130) e] + X} * 2^64 - 1 with the
// X given there; the generator is g = 2 and the group order is q = (p-1)/2.
// ffdhe_test.go recomputes every p from that formula and checks p and q for
// primality.
const (
	// RFC 7919, Appendix A.1: X = 560316.
	ffdhe2048Hex = "" +
		"FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1" +
		"D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9" +
		"7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561" +
		"2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935" +
		"984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735" +
		"30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB" +
		"B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19" +
		"0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61" +
		"9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73" +
		"3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA" +
		"886B4238 61285C97 FFFFFFFF FFFFFFFF"

	// RFC 7919, Appendix A.2: X = 2625351.
	ffdhe3072Hex = "" +
		"FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1" +
		"D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9" +
		"7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561" +
		"2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935" +
		"984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735" +
		"30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB" +
		"B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19" +
		"0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61" +
		"9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73" +
		"3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA" +
		"886B4238 611FCFDC DE355B3B 6519035B BC34F4DE F99C0238" +
		"61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C" +
		"AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3" +
		"64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D" +
		"ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF" +
		"3C1B20EE 3FD59D7C 25E41D2B 66C62E37 FFFFFFFF FFFFFFFF"

	// RFC 7919, Appendix A.3: X = 5736041.
	ffdhe4096Hex = "" +
		"FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1" +
		"D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9" +
		"7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561" +
		"2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935" +
		"984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735" +
		"30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB" +
		"B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19" +
		"0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61" +
		"9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73" +
		"3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA" +
		"886B4238 611FCFDC DE355B3B 6519035B BC34F4DE F99C0238" +
		"61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C" +
		"AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3" +
		"64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D" +
		"ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF" +
		"3C1B20EE 3FD59D7C 25E41D2B 669E1EF1 6E6F52C3 164DF4FB" +
		"7930E9E4 E58857B6 AC7D5F42 D69F6D18 7763CF1D 55034004" +
		"87F55BA5 7E31CC7A 7135C886 EFB4318A ED6A1E01 2D9E6832" +
		"A907600A 918130C4 6DC778F9 71AD0038 092999A3 33CB8B7A" +
		"1A1DB93D 7140003C 2A4ECEA9 F98D0ACC 0A8291CD CEC97DCF" +
		"8EC9B55A 7F88A46B 4DB5A851 F44182E1 C68A007E 5E655F6A" +
		"FFFFFFFF FFFFFFFF"
)

// Bounds on finite-field moduli (see [ErrWeakKey]).
const (
	dheMinBits = 2048 // RFC 9325, Section 4.5
	dheMaxBits = 8192 // our ceiling on peer-chosen work
)

// ffdheMaxCandidates bounds how many exponents generateFFDHE draws. For the
// RFC 7919 primes (top 64 bits set) a draw is rejected with probability about
// 2^-64; for any modulus it is rejected with probability below 1/2.
const ffdheMaxCandidates = 64

// ffdheHex returns the hexadecimal text of an RFC 7919 group's modulus.
func ffdheHex(group uint16) (string, bool) {
	switch group {
	case GroupFFDHE2048:
		return ffdhe2048Hex, true
	case GroupFFDHE3072:
		return ffdhe3072Hex, true
	case GroupFFDHE4096:
		return ffdhe4096Hex, true
	}
	return "", false
}

// ffdhePrimeBytes returns a fresh copy of an RFC 7919 modulus, big-endian.
func ffdhePrimeBytes(group uint16) ([]byte, bool) {
	h, ok := ffdheHex(group)
	if !ok {
		return nil, false
	}
	p, err := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
	if err != nil {
		// The constants are fixed and checked by TestFFDHEPrimes.
		return nil, false
	}
	return p, true
}

// ffdhePrime returns an RFC 7919 modulus as an integer.
func ffdhePrime(group uint16) (*big.Int, bool) {
	p, ok := ffdhePrimeBytes(group)
	if !ok {
		return nil, false
	}
	return new(big.Int).SetBytes(p), true
}

// ffdheGenerator returns g = 2, the generator of every RFC 7919 group.
func ffdheGenerator() *big.Int { return big.NewInt(2) }

// FFDHEParams returns fresh copies of the modulus p (big-endian, 256, 384 or
// 512 bytes) and the generator g (the single byte 2) of an RFC 7919 group
// (Appendix A.1 to A.3), for the dh_p and dh_g fields of a ServerDHParams
// (RFC 5246, Section 7.4.3). ok is false for any other group.
func FFDHEParams(group uint16) (p, g []byte, ok bool) {
	p, ok = ffdhePrimeBytes(group)
	if !ok {
		return nil, nil, false
	}
	return p, []byte{2}, true
}

// GenerateDHEKeyShare returns a fresh finite-field Diffie-Hellman key for the
// modulus p and generator g, both big-endian (leading zero bytes are
// ignored), as a client receives them in a ServerDHParams (RFC 5246,
// Section 7.4.3). Group returns the RFC 7919 NamedGroup when p and g are one
// of the three supported RFC 7919 groups, and 0 otherwise.
//
// Custom parameters get the "cursory checks on group size" that RFC 7919,
// Section 3.1 requires of clients, at the RFC 9325, Section 4.5 floor: p must
// be odd and have 2048 to 8192 bits, and 1 < g < p-1. Anything else is
// [ErrUnsupportedGroup] (also [ErrWeakKey] for the size). p is not tested
// for primality and the order of g is not checked: a client cannot do that
// cheaply (RFC 7919, Section 5.1), and the parameters are signed by the
// server, which could as well reveal the session. Prefer the named groups.
//
// The private exponent x is uniform in [2, p-2], the traditional range of
// RFC 7919, Section 5.2. Short exponents, which that section allows for the
// named groups, are not used: they are only safe in a prime-order subgroup,
// which custom parameters need not have, and one rule is simpler to review.
// x is drawn by rejection sampling: each candidate c is read with
// io.ReadFull as ceil(bitlen(p-3)/8) bytes, big-endian, with the surplus high
// bits of the first byte masked off, and the first c < p-3 gives x = c + 2. A candidate whose public value
// would fall outside (1, p-1) is also skipped, so that the peer's range check
// always passes. The same rand bytes always give the same key.
//
// The exponent never meets math/big: candidates are compared with the
// bound, x is formed and both exponentiations run in constant time
// (ctmod.go), as RFC 7919, Section 8.6 asks ("should use constant-time
// modular-exponentiation implementations"). math/big sees only public
// values: p, g and the public keys.
func GenerateDHEKeyShare(p, g []byte, rand io.Reader) (KeyShare, error) {
	P := new(big.Int).SetBytes(p)
	G := new(big.Int).SetBytes(g)
	if n := P.BitLen(); n < dheMinBits || n > dheMaxBits {
		return nil, fmt.Errorf("%w: %w: DH modulus has %d bits, want %d to %d", ErrUnsupportedGroup, ErrWeakKey, n, dheMinBits, dheMaxBits)
	}
	if P.Bit(0) == 0 {
		return nil, fmt.Errorf("%w: DH modulus is even", ErrUnsupportedGroup)
	}
	one := big.NewInt(1)
	pMinus1 := new(big.Int).Sub(P, one)
	if G.Cmp(one) <= 0 || G.Cmp(pMinus1) >= 0 {
		return nil, fmt.Errorf("%w: DH generator is not in (1, p-1)", ErrUnsupportedGroup)
	}
	var group uint16
	if G.Cmp(ffdheGenerator()) == 0 {
		for _, id := range []uint16{GroupFFDHE2048, GroupFFDHE3072, GroupFFDHE4096} {
			if q, _ := ffdhePrime(id); q.Cmp(P) == 0 {
				group = id
			}
		}
	}
	return generateFFDHE(group, P, G, rand)
}

// ffdheShare is a finite-field Diffie-Hellman KeyShare.
type ffdheShare struct {
	group uint16     // RFC 7919 NamedGroup, or 0 for custom parameters
	p     *big.Int   // modulus (public)
	mod   *ctModulus // p, for constant-time exponentiation
	x     []byte     // private exponent in [2, p-2], big-endian, len(p) bytes
	pub   []byte     // g^x mod p, left-padded to len(p) bytes
}

// generateFFDHE draws the private exponent as described at
// [GenerateDHEKeyShare]. p and g must already be validated.
func generateFFDHE(group uint16, p, g *big.Int, rand io.Reader) (KeyShare, error) {
	mod, err := newCTModulus(p.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedGroup, err)
	}
	pLen, limbs := mod.size, len(mod.n)
	one := big.NewInt(1)
	pMinus1 := new(big.Int).Sub(p, one)
	bound := new(big.Int).Sub(p, big.NewInt(3)) // x = c + 2 with 0 <= c < p-3
	boundNat := natFromBytes(bound.Bytes(), limbs)
	bits := bound.BitLen()
	buf := make([]byte, (bits+7)/8)
	gBytes := g.FillBytes(make([]byte, pLen))
	for range ffdheMaxCandidates {
		if _, err := io.ReadFull(rand, buf); err != nil {
			return nil, err
		}
		buf[0] &= byte(0xff >> (8*len(buf) - bits))
		c := natFromBytes(buf, limbs)
		clear(buf)
		// Only whether a candidate is rejected is visible, and rejected
		// candidates are never used.
		if natLess(c, boundNat) == 0 {
			continue
		}
		natAddWord(c, 2)
		x := make([]byte, pLen)
		natToBytes(c, x)
		clear(c)
		pub := mod.expBytes(gBytes, x)
		if y := new(big.Int).SetBytes(pub); y.Cmp(one) <= 0 || y.Cmp(pMinus1) >= 0 { // public
			continue
		}
		return &ffdheShare{group: group, p: p, mod: mod, x: x, pub: pub}, nil
	}
	return nil, fmt.Errorf("keys: random source gave %d unusable DH exponents", ffdheMaxCandidates)
}

// Group returns the RFC 7919 NamedGroup of the share, or 0 for custom
// parameters.
func (s *ffdheShare) Group() uint16 { return s.group }

// PublicKey returns a fresh copy of Y = g^x mod p, big-endian and left-padded
// with zeros to the byte length of p, for dh_Ys or dh_Yc (RFC 5246,
// Sections 7.4.3 and 7.4.7.2).
func (s *ffdheShare) PublicKey() []byte { return append([]byte(nil), s.pub...) }

// SharedSecret validates the peer's public value Y and returns the premaster
// secret Z = Y^x mod p.
//
// peer is Y big-endian, 1 to len(p) bytes: with or without the left padding
// (some peers, tlsfuzzer among them, send it unpadded when it is shorter),
// never longer.
// "Peers MUST validate each other's public key Y ... by ensuring that
// 1 < Y < p-1" (RFC 7919, Section 5.1; the same check is required of both
// sides in Sections 3 and 4). The optional check Y^q = 1 mod p is not made:
// for a safe prime the range check already excludes the only small subgroup
// (order 2), and a Y of order 2q reveals at most the low bit of a fresh
// exponent. A result of 1 or p-1, which no honest peer can produce with a
// safe prime except with negligible probability, is also refused, so that a
// peer cannot force a known premaster through composite custom parameters.
//
// The secret has its leading zero bytes removed, per RFC 5246, Section 8.1.2:
// "Leading bytes of Z that contain all zero bits are stripped before it is
// used as the pre_master_secret." RFC 7919 does not change this for TLS 1.2
// (it is RFC 8446, Section 7.4.1, for TLS 1.3 only, that pads Z to the size
// of p), tlsfuzzer's test-dhe-no-shared-secret-padding requires a TLS 1.2
// server to strip them also for RFC 7919 groups, and OpenSSL (which pads only
// for TLS 1.3) and Bouncy Castle strip them, so stripping is what
// interoperates. The length of
// the stripped secret changes the cost of the PRF, which is the Raccoon attack
// (Merget et al., USENIX Security 2021); it needs a DH secret that is reused,
// and every share here is fresh.
func (s *ffdheShare) SharedSecret(peer []byte) ([]byte, error) {
	pLen := (s.p.BitLen() + 7) / 8
	if len(peer) == 0 || len(peer) > pLen {
		return nil, ErrInvalidPeerKey
	}
	one := big.NewInt(1)
	pMinus1 := new(big.Int).Sub(s.p, one)
	y := new(big.Int).SetBytes(peer) // public
	if y.Cmp(one) <= 0 || y.Cmp(pMinus1) >= 0 {
		return nil, ErrInvalidPeerKey
	}
	limbs := len(s.mod.n)
	z := s.mod.exp(natFromBytes(peer, limbs), s.x)
	// The checks on Z are made without branching on its value; only their
	// outcome, which the handshake reveals anyway, is visible.
	small := make([]uint64, limbs)
	bad := natEqual(z, small)
	small[0] = 1
	bad |= natEqual(z, small)
	bad |= natEqual(z, natFromBytes(pMinus1.Bytes(), limbs))
	if bad == 1 {
		return nil, ErrInvalidPeerKey
	}
	out := make([]byte, pLen)
	natToBytes(z, out)
	clear(z)
	// The stripped length is public: it sets the PRF input length
	// (see above).
	i := 0
	for i < len(out)-1 && out[i] == 0 {
		i++
	}
	return out[i:], nil
}
