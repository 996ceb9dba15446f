package keys

import (
	"errors"
	"io"
)

// Named groups this package implements, by their IANA NamedGroup number
// (the "TLS Supported Groups" registry; RFC 8422, Section 5.1.1 and RFC 7919,
// Section 2).
const (
	GroupP256      uint16 = 23  // secp256r1, RFC 8422
	GroupP384      uint16 = 24  // secp384r1, RFC 8422
	GroupP521      uint16 = 25  // secp521r1, RFC 8422
	GroupX25519    uint16 = 29  // x25519, RFC 8422
	GroupFFDHE2048 uint16 = 256 // ffdhe2048, RFC 7919 Appendix A.1
	GroupFFDHE3072 uint16 = 257 // ffdhe3072, RFC 7919 Appendix A.2
	GroupFFDHE4096 uint16 = 258 // ffdhe4096, RFC 7919 Appendix A.3
)

// ErrInvalidPeerKey is returned by [KeyShare.SharedSecret] for every peer
// public value it refuses: a wrong length, a compressed, hybrid or infinity
// point encoding, a point that is not on the curve, an X25519 value that gives
// the all-zero secret, or a finite-field value outside (1, p-1).
var ErrInvalidPeerKey = errors.New("keys: invalid peer key share")

// ErrUnsupportedGroup is returned for a named group this package does not
// implement, and (wrapped, with the reason) for custom Diffie-Hellman
// parameters it refuses to use.
var ErrUnsupportedGroup = errors.New("keys: unsupported key exchange group")

// ErrWeakKey is returned, wrapped with the reason, for key material outside
// the sizes this package accepts: RSA moduli outside [2048, 8192] bits, an RSA
// public exponent that is not odd and in [3, 2^31), and Diffie-Hellman moduli
// outside [2048, 8192] bits. The floors are RFC 9325, Section 4.5: "DH key
// lengths of at least 2048 bits are REQUIRED" and "servers MUST authenticate
// using certificates with at least a 2048-bit modulus for the public key";
// the 8192-bit ceilings bound the work a peer can make us do.
var ErrWeakKey = errors.New("keys: key size or parameters outside the accepted range")

// A KeyShare is one side's ephemeral key for one (EC)DHE key exchange:
// ECDHE (RFC 8422, Section 5.10) or FFDHE (RFC 5246, Section 8.1.2; RFC 7919).
//
// A KeyShare holds its private key in memory and is meant to be used for one
// handshake and then dropped (RFC 9325, Section 7.4: implementations "SHOULD
// NOT reuse ephemeral finite-field DH keys across multiple connections").
// Its methods do not modify it, so it is safe for concurrent use.
type KeyShare interface {
	// Group returns the IANA NamedGroup number of the share's group, or 0
	// for a finite-field share over custom parameters.
	Group() uint16
	// PublicKey returns a fresh copy of the public value in its TLS wire
	// form: 32 bytes for X25519 (RFC 7748), the uncompressed point
	// 0x04 || X || Y for P-256, P-384 and P-521 (RFC 8422, Section 5.4.1), and
	// Y big-endian, left-padded with zeros to the byte length of p, for
	// finite-field groups.
	PublicKey() []byte
	// SharedSecret validates the peer's public value, given in the same wire
	// form, and returns the premaster secret. Every rejection is
	// [ErrInvalidPeerKey].
	SharedSecret(peer []byte) ([]byte, error)
}

// GenerateKeyShare returns a fresh ephemeral key for the named group, built
// only from bytes read from rand with io.ReadFull, so the same rand bytes
// always give the same key. Groups: [GroupX25519], [GroupP256], [GroupP384],
// [GroupP521], [GroupFFDHE2048], [GroupFFDHE3072], [GroupFFDHE4096]; any other group is
// [ErrUnsupportedGroup], before anything is read.
//
// X25519 reads exactly 32 bytes. P-256, P-384 and P-521 read 32, 48 or 66
// bytes per candidate scalar (P-521 clears the top seven bits) and use the first that is in [1, n-1], n the group order
// (rejection sampling; at most 64 candidates). Finite-field groups draw their
// exponent as described at [GenerateDHEKeyShare]. An error from rand is
// returned as is.
func GenerateKeyShare(group uint16, rand io.Reader) (KeyShare, error) {
	if curve, size, ok := ecdheCurve(group); ok {
		return generateECDHE(group, curve, size, rand)
	}
	if p, ok := ffdhePrime(group); ok {
		return generateFFDHE(group, p, ffdheGenerator(), rand)
	}
	return nil, ErrUnsupportedGroup
}
