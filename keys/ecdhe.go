package keys

import (
	"crypto/ecdh"
	"crypto/subtle"
	"fmt"
	"io"
)

// ecdheMaxCandidates bounds how many scalars generateECDHE draws for P-256,
// P-384 and P-521 before giving up. A uniformly random 32-byte string is at
// least the P-256 group order with probability below 2^-32 (below 2^-189 for
// P-384, below 2^-260 for a masked 521-bit P-521 candidate), so
// only a broken reader (one that returns all 0xff, or all zeros) ever gets
// near the bound.
const ecdheMaxCandidates = 64

// ecdheCurve maps a NamedGroup to its crypto/ecdh curve and the length in
// bytes of both a private scalar and the shared secret.
func ecdheCurve(group uint16) (curve ecdh.Curve, size int, ok bool) {
	switch group {
	case GroupX25519:
		return ecdh.X25519(), 32, true
	case GroupP256:
		return ecdh.P256(), 32, true
	case GroupP384:
		return ecdh.P384(), 48, true
	case GroupP521:
		return ecdh.P521(), 66, true
	}
	return nil, 0, false
}

// p521TopMask keeps the low bit of the first byte of a 66-byte P-521
// candidate scalar: the group order is just under 2^521, so a 528-bit string
// would be out of range 127 times in 128, while a 521-bit one almost never
// is (the mask does not bias the scalar: every value below 2^521 stays
// equally likely).
const p521TopMask = 0x01

// ecdheShare is a KeyShare for X25519, P-256, P-384 or P-521.
type ecdheShare struct {
	group uint16
	size  int // scalar and shared-secret length in bytes
	priv  *ecdh.PrivateKey
}

// generateECDHE builds the private key from bytes read with io.ReadFull.
//
// X25519 reads exactly 32 bytes: every 32-byte string is a private key (the
// scalar is clamped when used, RFC 7748, Section 5).
//
// P-256, P-384 and P-521 read 32, 48 or 66 bytes at a time (for P-521 the
// top seven bits are cleared, see p521TopMask) and take the first candidate
// that ecdh.Curve.NewPrivateKey accepts, that is, the first big-endian integer
// in [1, n-1] (SEC 1, Version 2.0, Section 2.3.6). Rejection sampling keeps the
// scalar uniform, where reducing mod n would bias it. The key is built with
// NewPrivateKey rather than ecdh.Curve.GenerateKey because, since Go 1.26,
// GenerateKey ignores custom readers, and sans-IO callers need the key to be a
// function of rand alone.
func generateECDHE(group uint16, curve ecdh.Curve, size int, rand io.Reader) (KeyShare, error) {
	buf := make([]byte, size)
	for range ecdheMaxCandidates {
		if _, err := io.ReadFull(rand, buf); err != nil {
			return nil, err
		}
		if group == GroupP521 {
			buf[0] &= p521TopMask
		}
		priv, err := curve.NewPrivateKey(buf)
		if err != nil {
			// Zero or >= n: draw again. X25519 never gets here.
			continue
		}
		return &ecdheShare{group: group, size: size, priv: priv}, nil
	}
	return nil, fmt.Errorf("keys: random source gave %d out-of-range scalars for group %d", ecdheMaxCandidates, group)
}

// Group returns the share's NamedGroup: [GroupX25519], [GroupP256],
// [GroupP384] or [GroupP521].
func (s *ecdheShare) Group() uint16 { return s.group }

// PublicKey returns a fresh copy of the public value: 32 bytes for X25519,
// the uncompressed point 0x04 || X || Y for P-256, P-384 and P-521 (RFC 8422,
// Section 5.4.1).
func (s *ecdheShare) PublicKey() []byte { return s.priv.PublicKey().Bytes() }

// SharedSecret validates peer and returns the ECDH premaster secret.
//
// NIST curves (RFC 8422, Sections 5.1.2 and 5.11): peer must be exactly one
// uncompressed point, 0x04 || X || Y with fixed-length coordinates; the other
// forms are refused because implementations "MUST NOT support other formats
// for curves defined in this specification", and crypto/ecdh refuses the point
// at infinity, coordinates >= p and points off the curve ("A receiving party
// MUST check that the x and y parameters from the peer's public value satisfy
// the curve equation"). The secret is the X coordinate at full field length:
// "leading zeros found in this octet string MUST NOT be truncated" (RFC 8422,
// Section 5.10).
//
// X25519: peer must be 32 bytes; any such string is a u-coordinate (RFC 7748,
// Section 5). "With X25519 and X448, a receiving party MUST check whether the
// computed premaster secret is the all-zero value and abort the handshake if
// so" (RFC 8422, Section 5.11): that is ErrInvalidPeerKey.
func (s *ecdheShare) SharedSecret(peer []byte) ([]byte, error) {
	if s.group != GroupX25519 && (len(peer) != 1+2*s.size || peer[0] != 0x04) {
		return nil, ErrInvalidPeerKey
	}
	if s.group == GroupX25519 && len(peer) != s.size {
		return nil, ErrInvalidPeerKey
	}
	pub, err := s.priv.Curve().NewPublicKey(peer)
	if err != nil {
		return nil, ErrInvalidPeerKey
	}
	secret, err := s.priv.ECDH(pub)
	if err != nil {
		// crypto/ecdh reports the all-zero X25519 output (a low-order
		// peer point) as an error.
		return nil, ErrInvalidPeerKey
	}
	if len(secret) != s.size {
		return nil, ErrInvalidPeerKey
	}
	// The RFC 8422 all-zero check for X25519, done here as well so that it
	// does not rest on crypto/ecdh alone. Not for the NIST curves: there an
	// X coordinate of zero is a valid point (for P-256, Wycheproof
	// ecdh_secp256r1_ecpoint_test case 3 has that shared secret).
	if s.group == GroupX25519 && subtle.ConstantTimeCompare(secret, make([]byte, len(secret))) == 1 {
		return nil, ErrInvalidPeerKey
	}
	return secret, nil
}
