package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256" // also registers SHA-256 for crypto.Hash.New
	"crypto/sha512" // also registers SHA-384 and SHA-512 for crypto.Hash.New
	"errors"
	"fmt"
	"io"
)

// Signature schemes this package implements, by their IANA SignatureScheme
// number (RFC 8446, Section 4.2.3; in TLS 1.2 the two bytes are the
// SignatureAndHashAlgorithm of RFC 5246, Section 7.4.1.4.1).
const (
	SchemeRSAPKCS1SHA256       uint16 = 0x0401 // rsa_pkcs1_sha256
	SchemeRSAPKCS1SHA384       uint16 = 0x0501 // rsa_pkcs1_sha384
	SchemeRSAPKCS1SHA512       uint16 = 0x0601 // rsa_pkcs1_sha512
	SchemeECDSASecp256r1SHA256 uint16 = 0x0403 // ecdsa_secp256r1_sha256
	SchemeECDSASecp384r1SHA384 uint16 = 0x0503 // ecdsa_secp384r1_sha384
	SchemeECDSASecp521r1SHA512 uint16 = 0x0603 // ecdsa_secp521r1_sha512
	SchemeRSAPSSRSAESHA256     uint16 = 0x0804 // rsa_pss_rsae_sha256
	SchemeRSAPSSRSAESHA384     uint16 = 0x0805 // rsa_pss_rsae_sha384
	SchemeRSAPSSRSAESHA512     uint16 = 0x0806 // rsa_pss_rsae_sha512
	SchemeEd25519              uint16 = 0x0807 // ed25519 (RFC 8422, Section 5.1.3)
)

// ErrBadSignature is returned by [Verify] when the signature does not verify:
// wrong key, altered message, or malformed signature bytes.
var ErrBadSignature = errors.New("keys: signature verification failed")

// ErrUnsupportedSignature is returned by [Sign] and [Verify] for a scheme this
// package does not implement, including every MD5 and SHA-1 scheme, and
// (wrapped together with [ErrWeakKey]) for an RSA key outside the size limits.
var ErrUnsupportedSignature = errors.New("keys: unsupported signature scheme")

// ErrKeyMismatch is returned by [Sign] and [Verify] when the key cannot be
// used with the scheme (see [SchemeMatchesKey]).
var ErrKeyMismatch = errors.New("keys: key does not match signature scheme")

// sigKind is the key type a scheme signs with.
type sigKind uint8

const (
	sigECDSA sigKind = iota + 1
	sigRSAPKCS1
	sigRSAPSS
	sigEd25519
)

// sigScheme describes one supported scheme.
type sigScheme struct {
	kind  sigKind
	hash  crypto.Hash    // 0 for Ed25519, which signs the message itself
	curve elliptic.Curve // the curve RFC 8446 binds to an ECDSA scheme
}

// sigSchemeInfo returns the description of a supported scheme. The MD5 and
// SHA-1 schemes (0x0101, 0x0103, 0x0201, 0x0203 and the DSA ones) are not
// here: RFC 9155, Section 2 says "Clients MUST NOT include MD5 and SHA-1 in
// this extension", and its later sections forbid them in CertificateRequest
// and in signatures. There is no way to turn them back on.
func sigSchemeInfo(scheme uint16) (sigScheme, bool) {
	switch scheme {
	case SchemeECDSASecp256r1SHA256:
		return sigScheme{kind: sigECDSA, hash: crypto.SHA256, curve: elliptic.P256()}, true
	case SchemeECDSASecp384r1SHA384:
		return sigScheme{kind: sigECDSA, hash: crypto.SHA384, curve: elliptic.P384()}, true
	case SchemeECDSASecp521r1SHA512:
		return sigScheme{kind: sigECDSA, hash: crypto.SHA512, curve: elliptic.P521()}, true
	case SchemeRSAPKCS1SHA256:
		return sigScheme{kind: sigRSAPKCS1, hash: crypto.SHA256}, true
	case SchemeRSAPKCS1SHA384:
		return sigScheme{kind: sigRSAPKCS1, hash: crypto.SHA384}, true
	case SchemeRSAPKCS1SHA512:
		return sigScheme{kind: sigRSAPKCS1, hash: crypto.SHA512}, true
	case SchemeRSAPSSRSAESHA256:
		return sigScheme{kind: sigRSAPSS, hash: crypto.SHA256}, true
	case SchemeRSAPSSRSAESHA384:
		return sigScheme{kind: sigRSAPSS, hash: crypto.SHA384}, true
	case SchemeRSAPSSRSAESHA512:
		return sigScheme{kind: sigRSAPSS, hash: crypto.SHA512}, true
	case SchemeEd25519:
		return sigScheme{kind: sigEd25519}, true
	}
	return sigScheme{}, false
}

// SignatureHash returns the hash a supported scheme applies to the message,
// and whether the scheme is supported. For [SchemeEd25519] it returns
// (0, true): Ed25519 signs the message itself (RFC 8422, Section 5.4).
func SignatureHash(scheme uint16) (crypto.Hash, bool) {
	s, ok := sigSchemeInfo(scheme)
	return s.hash, ok
}

// SchemeMatchesKey reports whether scheme is supported and pub is a key it can
// be used with: an *ecdsa.PublicKey on P-256, P-384 or P-521 for the three
// ECDSA schemes, an *rsa.PublicKey for the PKCS #1 v1.5 and RSA-PSS-RSAE
// schemes, a 32-byte ed25519.PublicKey for Ed25519.
//
// In TLS 1.2 the ECDSA curve is not part of the scheme: 0x0403 means "ECDSA
// with SHA-256" on whatever curve the certificate has (RFC 5246, Section
// 7.4.1.4.1; BoringSSL's ECDSACurveMismatch-Verify-TLS12 test expects a P-256
// key with ecdsa_secp384r1_sha384 to be accepted). So any supported curve
// matches any ECDSA scheme here; TLS 1.3 would bind them (RFC 8446,
// Section 4.2.3). A signer that wants the TLS 1.3-style pairing when it has a
// choice can also consult [SchemeCurveMatchesKey]. RSA key size is not
// checked here; [Sign] and [Verify] apply the [ErrWeakKey] limits.
func SchemeMatchesKey(scheme uint16, pub crypto.PublicKey) bool {
	s, ok := sigSchemeInfo(scheme)
	if !ok {
		return false
	}
	switch s.kind {
	case sigECDSA:
		k, ok := pub.(*ecdsa.PublicKey)
		return ok && k != nil && k.X != nil && k.Y != nil &&
			(k.Curve == elliptic.P256() || k.Curve == elliptic.P384() || k.Curve == elliptic.P521())
	case sigRSAPKCS1, sigRSAPSS:
		k, ok := pub.(*rsa.PublicKey)
		return ok && k != nil && k.N != nil
	case sigEd25519:
		k, ok := pub.(ed25519.PublicKey)
		return ok && len(k) == ed25519.PublicKeySize
	}
	return false
}

// SchemeCurveMatchesKey reports whether [SchemeMatchesKey] holds and, for an
// ECDSA scheme, the key is also on the scheme's own curve (P-256 for 0x0403,
// P-384 for 0x0503, P-521 for 0x0603), the pairing TLS 1.3 requires
// (RFC 8446, Section 4.2.3). It is a preference for choosing which scheme to
// sign with, not a TLS 1.2 requirement.
func SchemeCurveMatchesKey(scheme uint16, pub crypto.PublicKey) bool {
	if !SchemeMatchesKey(scheme, pub) {
		return false
	}
	s, _ := sigSchemeInfo(scheme)
	if s.kind != sigECDSA {
		return true
	}
	return pub.(*ecdsa.PublicKey).Curve == s.curve
}

// Sign signs msg, the content of a TLS 1.2 digitally-signed element (RFC 5246,
// Section 4.7), with signer under scheme, and returns the signature bytes as
// they go on the wire: ASN.1 DER for ECDSA (RFC 8422, Section 5.4), the
// fixed-length integer for RSA, 64 bytes for Ed25519. msg is hashed with the
// scheme's hash first, except for Ed25519, which signs msg itself.
//
// An unsupported scheme is [ErrUnsupportedSignature]; a signer whose public
// key does not fit the scheme ([SchemeMatchesKey]) is [ErrKeyMismatch]; an RSA
// key outside the size limits is both [ErrUnsupportedSignature] and
// [ErrWeakKey]. Other errors come from the signer.
//
// rand is passed to signer.Sign. Reproducibility, for the standard library's
// keys: RSA PKCS #1 v1.5 and Ed25519 signatures are deterministic and ignore
// rand; RSA-PSS reads its hash-length salt from rand, so a fixed rand gives a
// fixed signature (rand must not be nil for PSS); ECDSA (*ecdsa.PrivateKey)
// ignores a non-nil custom rand since Go 1.26 and uses the system random
// source, so its signatures are not reproducible, unless rand is nil, which
// makes them deterministic (RFC 6979).
func Sign(signer crypto.Signer, scheme uint16, msg []byte, rand io.Reader) ([]byte, error) {
	s, ok := sigSchemeInfo(scheme)
	if !ok {
		return nil, ErrUnsupportedSignature
	}
	if signer == nil {
		return nil, ErrKeyMismatch
	}
	pub := signer.Public()
	if !SchemeMatchesKey(scheme, pub) {
		return nil, ErrKeyMismatch
	}
	var opts crypto.SignerOpts = s.hash
	digest := msg
	switch s.kind {
	case sigRSAPKCS1, sigRSAPSS:
		if err := checkRSAPublicKey(pub.(*rsa.PublicKey)); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnsupportedSignature, err)
		}
		if s.kind == sigRSAPSS {
			if rand == nil {
				return nil, errors.New("keys: RSA-PSS signing needs a random source")
			}
			// RFC 8446, Section 4.2.3: "The length of the Salt MUST be
			// equal to the length of the output of the digest algorithm."
			opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: s.hash}
		}
		digest = sigDigest(s.hash, msg)
	case sigECDSA:
		digest = sigDigest(s.hash, msg)
	case sigEd25519:
		opts = crypto.Hash(0)
	}
	sig, err := signer.Sign(rand, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("keys: signing with scheme %#04x: %w", scheme, err)
	}
	return sig, nil
}

// Verify checks that sig is a valid signature by pub under scheme over msg,
// the content of a TLS 1.2 digitally-signed element (RFC 5246, Section 4.7).
// It returns nil, or [ErrUnsupportedSignature] (unknown, MD5 or SHA-1 scheme;
// together with [ErrWeakKey], an RSA key outside the size limits),
// [ErrKeyMismatch] (see [SchemeMatchesKey]) or [ErrBadSignature].
//
// ECDSA signatures must be ASN.1 DER (RFC 8422, Section 5.4). RSA-PSS
// signatures must use a salt as long as the hash (RFC 8446, Section 4.2.3);
// RSA signatures must be exactly as long as the modulus.
func Verify(pub crypto.PublicKey, scheme uint16, msg, sig []byte) error {
	s, ok := sigSchemeInfo(scheme)
	if !ok {
		return ErrUnsupportedSignature
	}
	if !SchemeMatchesKey(scheme, pub) {
		return ErrKeyMismatch
	}
	switch s.kind {
	case sigECDSA:
		if !ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), sigDigest(s.hash, msg), sig) {
			return ErrBadSignature
		}
	case sigRSAPKCS1:
		k := pub.(*rsa.PublicKey)
		if err := checkRSAPublicKey(k); err != nil {
			return fmt.Errorf("%w: %w", ErrUnsupportedSignature, err)
		}
		if rsa.VerifyPKCS1v15(k, s.hash, sigDigest(s.hash, msg), sig) != nil {
			return ErrBadSignature
		}
	case sigRSAPSS:
		k := pub.(*rsa.PublicKey)
		if err := checkRSAPublicKey(k); err != nil {
			return fmt.Errorf("%w: %w", ErrUnsupportedSignature, err)
		}
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
		if rsa.VerifyPSS(k, s.hash, sigDigest(s.hash, msg), sig, opts) != nil {
			return ErrBadSignature
		}
	case sigEd25519:
		if !ed25519.Verify(pub.(ed25519.PublicKey), msg, sig) {
			return ErrBadSignature
		}
	}
	return nil
}

// sigDigest hashes msg with h, one of the SHA-2 hashes linked in above.
func sigDigest(h crypto.Hash, msg []byte) []byte {
	// One-shot sums for the common hashes need no hash state on the heap.
	switch h {
	case crypto.SHA256:
		sum := sha256.Sum256(msg)
		return sum[:]
	case crypto.SHA384:
		sum := sha512.Sum384(msg)
		return sum[:]
	}
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}
