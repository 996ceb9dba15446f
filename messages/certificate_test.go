package messages

import (
	"bytes"
	"crypto/x509"
	"testing"

	"pgregory.net/rapid"
)

func genCertificate() *rapid.Generator[Certificate] {
	return rapid.Custom(func(t *rapid.T) Certificate {
		certs := rapid.SliceOfN(genOpaque(1, 40), 0, 4).Draw(t, "certs")
		if len(certs) == 0 {
			certs = nil
		}
		return Certificate{Certificates: certs}
	})
}

func TestCertificateRoundTrip(t *testing.T) {
	checkRoundTrip[Certificate](t, genCertificate())
}

func TestCertificateCaptured(t *testing.T) {
	tests := []struct {
		file, dir string
		n         int    // chain length
		leafCN    string // leaf subject common name
	}{
		// Both OpenSSL peers were given -CAfile, so they send the CA
		// after their leaf.
		{"openssl-3.0.19-ecdhe-rsa-clientauth.txt", "s2c", 2, "example.com"},
		{"openssl-3.0.19-ecdhe-rsa-clientauth.txt", "c2s", 2, "sanstls client"},
		{"go-1.26.8-ecdsa-clientauth-resumption.txt", "s2c", 1, "example.com"},
		{"go-1.26.8-ecdsa-clientauth-resumption.txt", "c2s", 1, "sanstls client"},
		{"go-1.26.8-rsa-kex.txt", "s2c", 1, "example.com"},
	}
	for _, tt := range tests {
		data := findCapture(t, tt.file, tt.dir, "Certificate", 0)
		var m Certificate
		if err := m.Unmarshal(data); err != nil {
			t.Errorf("%s %s: %v", tt.file, tt.dir, err)
			continue
		}
		if len(m.Certificates) != tt.n {
			t.Errorf("%s %s: %d certificates, want %d", tt.file, tt.dir, len(m.Certificates), tt.n)
			continue
		}
		leaf, err := x509.ParseCertificate(m.Certificates[0])
		if err != nil {
			t.Errorf("%s %s: leaf: %v", tt.file, tt.dir, err)
			continue
		}
		if leaf.Subject.CommonName != tt.leafCN {
			t.Errorf("%s %s: leaf CN %q, want %q", tt.file, tt.dir, leaf.Subject.CommonName, tt.leafCN)
		}
		if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
			t.Errorf("%s %s: re-encoding differs (%v)", tt.file, tt.dir, err)
		}
	}
}

func TestCertificateEmptyList(t *testing.T) {
	// A client without a certificate sends an empty list (RFC 5246,
	// Section 7.4.6).
	data := []byte{11, 0, 0, 3, 0, 0, 0}
	var m Certificate
	if err := m.Unmarshal(data); err != nil || m.Certificates != nil {
		t.Fatalf("Unmarshal(empty list) = %v, %v", m.Certificates, err)
	}
	if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
		t.Fatalf("Marshal = %x, %v", out, err)
	}
}

func TestCertificateErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		what string
	}{
		{"empty body", "", "certificate_list: truncated"},
		{"empty certificate", "000003 000000", "certificate 0: length 0 outside <1..16777215>"},
		{"list overruns body", "000005 000001 aa", "certificate_list: truncated"},
		{"certificate overruns list", "000004 000002 aa", "certificate 0: truncated"},
		{"second certificate truncated", "000006 000001 aa 0000", "certificate 1: truncated"},
		{"trailing bytes after list", "000004 000001 aa 00", "Certificate body: 1 trailing bytes"},
	}
	for _, tt := range tests {
		err := new(Certificate).Unmarshal(handshake(HandshakeTypeCertificate, mustHex(t, tt.body)))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		wantDecodeError(t, err, AlertDecodeError, tt.what)
	}
	_, err := (&Certificate{Certificates: [][]byte{{1}, nil}}).Marshal()
	wantDecodeError(t, err, AlertInternalError, "certificate 1: length 0")
}

func FuzzCertificate(f *testing.F) {
	fuzzCanonical[Certificate](f, "Certificate")
}
