package machine

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
)

// X509KeyPair builds a Certificate from PEM blocks: every CERTIFICATE block
// of certPEM, in order (leaf first), and the first private key block of
// keyPEM (PKCS #8, SEC 1 "EC PRIVATE KEY" or PKCS #1 "RSA PRIVATE KEY"). The
// key must match the leaf.
func X509KeyPair(certPEM, keyPEM []byte) (Certificate, error) {
	var cert Certificate
	for {
		var block *pem.Block
		block, certPEM = pem.Decode(certPEM)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			cert.Chain = append(cert.Chain, block.Bytes)
		}
	}
	if len(cert.Chain) == 0 {
		return Certificate{}, errors.New("sanstls: no CERTIFICATE block in certificate PEM")
	}
	leaf, err := x509.ParseCertificate(cert.Chain[0])
	if err != nil {
		return Certificate{}, err
	}
	cert.Leaf = leaf
	for {
		var block *pem.Block
		block, keyPEM = pem.Decode(keyPEM)
		if block == nil {
			return Certificate{}, errors.New("sanstls: no private key block in key PEM")
		}
		key, err := parsePrivateKey(block)
		if err != nil {
			return Certificate{}, err
		}
		if key == nil {
			continue
		}
		if !publicKeysEqual(key.Public(), leaf.PublicKey) {
			return Certificate{}, errors.New("sanstls: private key does not match the certificate")
		}
		cert.PrivateKey = key
		return cert, nil
	}
}

func parsePrivateKey(block *pem.Block) (crypto.Signer, error) {
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, errors.New("sanstls: unsupported private key type")
		}
		return s, nil
	case "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	}
	return nil, nil // not a key block (e.g. EC PARAMETERS): skip it
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	switch a := a.(type) {
	case *rsa.PublicKey:
		return a.Equal(b)
	case *ecdsa.PublicKey:
		return a.Equal(b)
	case ed25519.PublicKey:
		return a.Equal(b)
	}
	return false
}
