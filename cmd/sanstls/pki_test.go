package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"io"
	"math/big"
	"testing"
)

func TestSeededReader(t *testing.T) {
	read := func(seed uint64, label string) []byte {
		b := make([]byte, 64)
		if _, err := io.ReadFull(seededReader(seed, label), b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := read(1, "x"), read(1, "x")
	if string(a) != string(b) {
		t.Fatal("same seed and label, different bytes")
	}
	if string(a) == string(read(2, "x")) || string(a) == string(read(1, "y")) {
		t.Fatal("different seed or label, same bytes")
	}
}

func TestNewKeyDeterministic(t *testing.T) {
	for _, kind := range keyTypes {
		k1, err := newKey(kind, seededReader(9, kind))
		if err != nil {
			t.Fatal(err)
		}
		k2, err := newKey(kind, seededReader(9, kind))
		if err != nil {
			t.Fatal(err)
		}
		k3, err := newKey(kind, seededReader(10, kind))
		if err != nil {
			t.Fatal(err)
		}
		type equaler interface{ Equal(crypto.PublicKey) bool }
		if !k1.Public().(equaler).Equal(k2.Public()) {
			t.Errorf("%s: same seed, different keys", kind)
		}
		if k1.Public().(equaler).Equal(k3.Public()) {
			t.Errorf("%s: different seeds, same key", kind)
		}
		// Signatures are reproducible too (ECDSA via RFC 6979).
		digest := sha256.Sum256([]byte("message"))
		var opts crypto.SignerOpts = crypto.SHA256
		msg := digest[:]
		if kind == "ed25519" {
			opts, msg = crypto.Hash(0), []byte("message")
		}
		s1, err := k1.Sign(seededReader(1, "sig"), msg, opts)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := k2.Sign(seededReader(1, "sig"), msg, opts)
		if err != nil {
			t.Fatal(err)
		}
		if string(s1) != string(s2) {
			t.Errorf("%s: signatures differ", kind)
		}
		switch pub := k1.Public().(type) {
		case *ecdsa.PublicKey:
			if !ecdsa.VerifyASN1(pub, msg, s1) {
				t.Errorf("ECDSA signature does not verify")
			}
		case *rsa.PublicKey:
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, msg, s1); err != nil {
				t.Errorf("RSA signature: %v", err)
			}
		case ed25519.PublicKey:
			if !ed25519.Verify(pub, msg, s1) {
				t.Errorf("Ed25519 signature does not verify")
			}
		}
	}
	if _, err := newKey("dsa", seededReader(1, "")); err == nil {
		t.Errorf("unknown key type accepted")
	}
}

func TestNewRSAKey(t *testing.T) {
	k, err := newRSAKey(seededReader(4, "rsa"), 2048)
	if err != nil {
		t.Fatal(err)
	}
	if k.N.BitLen() != 2048 || k.E != 65537 || len(k.Primes) != 2 {
		t.Fatalf("bits %d, e %d, %d primes", k.N.BitLen(), k.E, len(k.Primes))
	}
	if err := k.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, p := range k.Primes {
		if !p.ProbablyPrime(32) || p.BitLen() != 1024 {
			t.Errorf("factor of %d bits is not a prime", p.BitLen())
		}
	}
	if new(big.Int).Mul(k.Primes[0], k.Primes[1]).Cmp(k.N) != 0 {
		t.Errorf("N is not the product of the primes")
	}
}

func TestAuthority(t *testing.T) {
	ca, err := newAuthority("t CA", pkiOptions{Rand: seededReader(2, "pki"), NotBefore: demoTime})
	if err != nil {
		t.Fatal(err)
	}
	roots := newPool(ca.cert)
	for _, kind := range keyTypes {
		leaf, err := ca.issue("localhost", kind, false, "localhost", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		for _, host := range []string{"localhost", "127.0.0.1"} {
			_, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: host, CurrentTime: demoTime.AddDate(1, 0, 0)})
			if err != nil {
				t.Errorf("%s leaf for %s: %v", kind, host, err)
			}
		}
		if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "example.com", CurrentTime: demoTime}); err == nil {
			t.Errorf("%s leaf verifies for example.com", kind)
		}
		if len(leaf.Chain) != 2 || keyDescription(leaf.Leaf.PublicKey) == "" {
			t.Errorf("%s: chain of %d", kind, len(leaf.Chain))
		}
	}
	client, err := ca.issue("client", "ecdsa", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Leaf.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: demoTime, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client leaf: %v", err)
	}
	if _, err := client.Leaf.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: demoTime}); err == nil {
		t.Errorf("client leaf verifies for serverAuth")
	}
	self, err := selfSigned(pkiOptions{Rand: seededReader(3, "self"), NotBefore: demoTime}, "localhost", "127.0.0.1", "::1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := self.Leaf.Verify(x509.VerifyOptions{Roots: newPool(self.Leaf), DNSName: "::1", CurrentTime: demoTime}); err != nil {
		t.Errorf("self-signed: %v", err)
	}
}

func TestKeyDescription(t *testing.T) {
	for kind, want := range map[string]string{"ecdsa": "ECDSA P-256", "rsa": "RSA-2048", "ed25519": "Ed25519"} {
		k, err := newKey(kind, seededReader(5, kind))
		if err != nil {
			t.Fatal(err)
		}
		if got := keyDescription(k.Public()); got != want {
			t.Errorf("keyDescription(%s) = %q, want %q", kind, got, want)
		}
	}
}
