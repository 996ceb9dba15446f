package bench

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/sanstls/sanstls/machine"
)

// The public-key floor of a full handshake pair is the work no TLS 1.2
// implementation can skip: the server's signature over its key exchange
// parameters, the client's verification of it, the client's x509 work on
// the server's chain (parsing the leaf, verifying it against the root:
// another signature verification), and two ECDHE key pairs and shared
// secrets (one per side).

// floorSign signs a SHA-256 digest with the leaf's key (ECDSA, or RSA-PSS as
// both stacks negotiate for RSA certificates in TLS 1.2).
func floorSign(k KeyType) func() error {
	l := getPKI().leaves[k]
	digest := sha256.Sum256([]byte("server key exchange parameters"))
	return func() error {
		_, err := l.key.Sign(rand.Reader, digest[:], signOpts(k))
		return err
	}
}

func signOpts(k KeyType) crypto.SignerOpts {
	if k == RSA2048 {
		return &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
	}
	return crypto.SHA256
}

// floorVerify verifies the server's signature.
func floorVerify(k KeyType) func() error {
	l := getPKI().leaves[k]
	digest := sha256.Sum256([]byte("server key exchange parameters"))
	sig, err := l.key.Sign(rand.Reader, digest[:], signOpts(k))
	if err != nil {
		panic(err)
	}
	return func() error {
		switch pub := l.parsed.PublicKey.(type) {
		case *ecdsa.PublicKey:
			if !ecdsa.VerifyASN1(pub, digest[:], sig) {
				return errors.New("bad ECDSA signature")
			}
			return nil
		case *rsa.PublicKey:
			return rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, signOpts(k).(*rsa.PSSOptions))
		}
		return errors.New("unknown key")
	}
}

// floorX509 parses the leaf and verifies it against the root.
func floorX509(k KeyType) func() error {
	p := getPKI()
	der := p.leaves[k].der
	return func() error {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return err
		}
		_, err = cert.Verify(x509.VerifyOptions{Roots: p.roots, DNSName: serverName, CurrentTime: now})
		return err
	}
}

// floorKex is one side's ECDHE: a key pair and the shared secret with the
// peer's public key.
func floorKex(g machine.Group) func() error {
	curve := ecdh.X25519()
	if g == machine.CurveP256 {
		curve = ecdh.P256()
	}
	peer, err := curve.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return func() error {
		k, err := curve.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		_, err = k.ECDH(peer.PublicKey())
		return err
	}
}

// rawAEAD seals a record's worth of plaintext and opens it again with the
// suite's AEAD and nothing else: the floor of record processing. The
// ciphertext sits where a TLS 1.2 record puts it (after the 5-byte header,
// and the 8-byte explicit nonce for AES-GCM): the unaligned position costs
// the assembly a few percent, and the record layer must pay it too.
func rawAEAD(suite uint16, size int) func() error {
	var aead cipher.AEAD
	off := 5
	switch suite {
	case machine.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
		aead, _ = chacha20poly1305.New(make([]byte, 32))
	case machine.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
		block, _ := aes.NewCipher(make([]byte, 32))
		aead, _ = cipher.NewGCM(block)
		off = 13
	default:
		block, _ := aes.NewCipher(make([]byte, 16))
		aead, _ = cipher.NewGCM(block)
		off = 13
	}
	msg := make([]byte, size)
	nonce := make([]byte, aead.NonceSize())
	buf := make([]byte, off, off+size+aead.Overhead())
	aad := make([]byte, 13)
	return func() error {
		ct := aead.Seal(buf[off:off], nonce, msg, aad)
		_, err := aead.Open(ct[:0], nonce, ct, aad)
		return err
	}
}
