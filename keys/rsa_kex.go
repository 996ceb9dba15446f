package keys

import (
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// PremasterLen is the length of an RSA-encrypted premaster secret
// (RFC 5246, Section 7.4.7.1).
const PremasterLen = 48

// Bounds on RSA moduli (see [ErrWeakKey]).
const (
	rsaMinBits = 2048 // RFC 9325, Section 4.5
	rsaMaxBits = 8192 // our ceiling on peer-chosen work
)

// rsaMaxZeroRedraws bounds how many extra bytes EncryptPremaster reads to
// replace zero bytes in the padding string. A uniform reader needs about
// len(PS)/256 of them; only a broken reader gets near the bound.
const rsaMaxZeroRedraws = 1024

// checkRSAPublicKey applies the [ErrWeakKey] limits to an RSA public key.
func checkRSAPublicKey(pub *rsa.PublicKey) error {
	if pub == nil || pub.N == nil || pub.N.Sign() <= 0 {
		return fmt.Errorf("%w: missing RSA modulus", ErrWeakKey)
	}
	if n := pub.N.BitLen(); n < rsaMinBits || n > rsaMaxBits {
		return fmt.Errorf("%w: RSA modulus has %d bits, want %d to %d", ErrWeakKey, n, rsaMinBits, rsaMaxBits)
	}
	if pub.E < 3 || pub.E%2 == 0 || int64(pub.E) >= 1<<31 {
		return fmt.Errorf("%w: RSA public exponent %d", ErrWeakKey, pub.E)
	}
	return nil
}

// DecryptPremaster is the server side of RSA key exchange (RFC 5246,
// Section 7.4.7.1): it decrypts the EncryptedPreMasterSecret ciphertext (the
// bytes inside the ClientKeyExchange's two-byte length) with priv and returns
// the 48-byte premaster secret.
//
// It follows the RFC's countermeasure to Bleichenbacher's attack (and ROBOT,
// Böck et al. 2018): "a TLS server MUST NOT generate an alert if processing
// an RSA-encrypted premaster secret message fails, or the version number is
// not as expected. Instead, it MUST continue the handshake with a randomly
// generated premaster secret." So 48 bytes R are first read from rand with
// io.ReadFull; then the ciphertext is decrypted with
// rsa.DecryptPKCS1v15SessionKey, which leaves R in place unless the PKCS #1
// v1.5 padding is valid and the message is exactly 48 bytes, in constant time;
// then, also in constant time, R is kept unless the first two bytes equal
// clientVersion, the version the client sent in its ClientHello (not the
// negotiated one). There is no option to skip the version check. The
// handshake then fails, if it does, at the Finished message, with nothing
// observable before that.
//
// A ciphertext that is not exactly as long as the modulus (RFC 8017, Section
// 7.2.2 requires that; a shorter one is not taken as an integer with its
// leading zeros dropped), or not below the modulus, also gives R: those are
// public properties, so the early exits they take are no oracle, and treating
// them like any other failure leaves the caller one outcome to handle.
//
// The error is non-nil only when rand fails or priv is unusable (nil, or
// outside the [ErrWeakKey] limits); neither depends on the ciphertext.
func DecryptPremaster(priv *rsa.PrivateKey, ciphertext []byte, clientVersion uint16, rand io.Reader) ([]byte, error) {
	if priv == nil {
		return nil, errors.New("keys: DecryptPremaster needs a private key")
	}
	if err := checkRSAPublicKey(&priv.PublicKey); err != nil {
		return nil, err
	}
	r := make([]byte, PremasterLen)
	if _, err := io.ReadFull(rand, r); err != nil {
		return nil, err
	}
	premaster := append([]byte(nil), r...)
	// RFC 8017, Section 7.2.2, step 1: a ciphertext that is not k bytes is a
	// decryption error. The standard library would take a shorter one as an
	// integer, so the length, which is public, is checked here.
	if len(ciphertext) == priv.Size() {
		// The error only reports a ciphertext not below the modulus (or a
		// FIPS-only mode that forbids PKCS #1 v1.5); premaster is then
		// still R.
		_ = rsa.DecryptPKCS1v15SessionKey(nil, priv, ciphertext, premaster)
	}
	good := subtle.ConstantTimeByteEq(premaster[0], byte(clientVersion>>8)) &
		subtle.ConstantTimeByteEq(premaster[1], byte(clientVersion))
	subtle.ConstantTimeCopy(1-good, premaster, r)
	return premaster, nil
}

// EncryptPremaster is the client side of RSA key exchange (RFC 5246,
// Section 7.4.7.1): it returns a fresh premaster secret, clientVersion (the
// version sent in the ClientHello) followed by 46 random bytes, and its
// RSAES-PKCS1-v1_5 encryption under the server's key pub (RFC 8017,
// Section 7.2.1), of exactly the modulus length.
//
// Everything random comes from rand, through io.ReadFull, in this order: the
// 46 premaster bytes, then the k-51 bytes of the padding string PS (k is the
// modulus length in bytes), then one byte for each zero byte of PS, in order,
// until it is non-zero. So the same rand bytes always give the same output;
// rsa.EncryptPKCS1v15 would not, as it ignores custom readers. The encoding
// EM = 0x00 || 0x02 || PS || 0x00 || premaster is built here and raised to
// the public exponent with the constant-time Montgomery exponentiation of
// ctmod.go: EM holds the premaster, so it never enters math/big (which
// sees only the public modulus).
//
// pub must pass the [ErrWeakKey] limits.
func EncryptPremaster(pub *rsa.PublicKey, clientVersion uint16, rand io.Reader) (premaster, ciphertext []byte, err error) {
	if err := checkRSAPublicKey(pub); err != nil {
		return nil, nil, err
	}
	k := (pub.N.BitLen() + 7) / 8
	premaster = make([]byte, PremasterLen)
	premaster[0], premaster[1] = byte(clientVersion>>8), byte(clientVersion)
	if _, err := io.ReadFull(rand, premaster[2:]); err != nil {
		return nil, nil, err
	}
	em := make([]byte, k)
	em[1] = 0x02
	ps := em[2 : k-PremasterLen-1] // k >= 256, so len(ps) >= 8 as RFC 8017 requires
	if _, err := io.ReadFull(rand, ps); err != nil {
		return nil, nil, err
	}
	redraws := 0
	for i := range ps {
		for ps[i] == 0 {
			if redraws == rsaMaxZeroRedraws {
				return nil, nil, errors.New("keys: random source gave too many zero bytes for PKCS #1 padding")
			}
			redraws++
			if _, err := io.ReadFull(rand, ps[i:i+1]); err != nil {
				return nil, nil, err
			}
		}
	}
	copy(em[k-PremasterLen:], premaster) // em[k-49] stays 0x00, the separator
	mod, err := newCTModulus(pub.N.Bytes())
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrWeakKey, err)
	}
	// em < 2^(8(k-1)) <= N: its first byte is zero, N's is not.
	e := []byte{byte(pub.E >> 24), byte(pub.E >> 16), byte(pub.E >> 8), byte(pub.E)}
	c := mod.expBytes(em, e)
	clear(em)
	return premaster, c, nil
}
