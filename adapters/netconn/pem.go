package netconn

import (
	"os"

	"github.com/sanstls/sanstls/machine"
)

// Certificate is a certificate chain and its key ([machine.Certificate]).
type Certificate = machine.Certificate

// X509KeyPair parses a PEM certificate chain and its PEM private key, as
// crypto/tls's X509KeyPair does; the leaf is parsed into Certificate.Leaf.
func X509KeyPair(certPEM, keyPEM []byte) (Certificate, error) {
	return machine.X509KeyPair(certPEM, keyPEM)
}

// LoadX509KeyPair reads and parses a PEM certificate chain and private key
// from two files, as crypto/tls's LoadX509KeyPair does.
func LoadX509KeyPair(certFile, keyFile string) (Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return Certificate{}, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return Certificate{}, err
	}
	return X509KeyPair(certPEM, keyPEM)
}
