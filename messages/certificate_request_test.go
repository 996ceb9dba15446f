package messages

import (
	"bytes"
	"crypto/x509"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

func genCertificateRequest() *rapid.Generator[CertificateRequest] {
	return rapid.Custom(func(t *rapid.T) CertificateRequest {
		cas := rapid.SliceOfN(genOpaque(1, 30), 0, 3).Draw(t, "cas")
		if len(cas) == 0 {
			cas = nil
		}
		return CertificateRequest{
			CertificateTypes:       genOpaque(1, 6).Draw(t, "types"),
			SignatureAlgorithms:    genU16s[SignatureScheme](1, 10).Draw(t, "sigalgs"),
			CertificateAuthorities: cas,
		}
	})
}

func TestCertificateRequestRoundTrip(t *testing.T) {
	checkRoundTrip[CertificateRequest](t, genCertificateRequest())
}

func TestCertificateRequestCaptured(t *testing.T) {
	for _, file := range []string{"openssl-3.0.19-ecdhe-rsa-clientauth.txt", "go-1.26.8-ecdsa-clientauth-resumption.txt"} {
		data := findCapture(t, file, "s2c", "CertificateRequest", 0)
		var m CertificateRequest
		if err := m.Unmarshal(data); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		// rsa_sign(1) and ecdsa_sign(64) (RFC 8422, Section 5.5).
		if !slices.Contains(m.CertificateTypes, 1) || !slices.Contains(m.CertificateTypes, 64) {
			t.Errorf("%s: certificate_types %v lack rsa_sign or ecdsa_sign", file, m.CertificateTypes)
		}
		for _, want := range []SignatureScheme{SignatureECDSAP256SHA256, SignatureRSAPSSRSAESHA256} {
			if !slices.Contains(m.SignatureAlgorithms, want) {
				t.Errorf("%s: supported_signature_algorithms %v lack %v", file, m.SignatureAlgorithms, want)
			}
		}
		// Both servers were configured with the test CA as the only
		// acceptable issuer; it also issued the server's certificate.
		var chain Certificate
		if err := chain.Unmarshal(findCapture(t, file, "s2c", "Certificate", 0)); err != nil {
			t.Fatal(err)
		}
		leaf, err := x509.ParseCertificate(chain.Certificates[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(m.CertificateAuthorities) != 1 || !bytes.Equal(m.CertificateAuthorities[0], leaf.RawIssuer) {
			t.Errorf("%s: certificate_authorities %x, want [%x]", file, m.CertificateAuthorities, leaf.RawIssuer)
		}
		if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
			t.Errorf("%s: re-encoding differs (%v)", file, err)
		}
	}
}

func TestCertificateRequestErrors(t *testing.T) {
	tests := []struct{ body, what string }{
		{"", "certificate_types: truncated"},
		{"00 0002 0403 0000", "certificate_types: length 0 outside <1..255>"},
		{"01 01 0000 0000", "supported_signature_algorithms: length 0 outside <2..65534>"},
		{"01 01 0003 040304 0000", "supported_signature_algorithms: odd length 3"},
		{"01 01 0002 0403", "certificate_authorities: truncated"},
		{"01 01 0002 0403 0002 0000", "DistinguishedName 0: length 0 outside <1..65535>"},
		{"01 01 0002 0403 0004 0001 aa 00", "DistinguishedName 1: truncated"},
		{"01 01 0002 0403 0000 00", "CertificateRequest body: 1 trailing bytes"},
	}
	for _, tt := range tests {
		err := new(CertificateRequest).Unmarshal(handshake(HandshakeTypeCertificateRequest, mustHex(t, tt.body)))
		wantDecodeError(t, err, AlertDecodeError, tt.what)
	}
	good := CertificateRequest{CertificateTypes: []uint8{1}, SignatureAlgorithms: []SignatureScheme{0x0403}}
	for name, mod := range map[string]func(m *CertificateRequest){
		"certificate_types: length 0":              func(m *CertificateRequest) { m.CertificateTypes = nil },
		"supported_signature_algorithms: length 0": func(m *CertificateRequest) { m.SignatureAlgorithms = nil },
		"DistinguishedName 0: length 0":            func(m *CertificateRequest) { m.CertificateAuthorities = [][]byte{{}} },
		"certificate_authorities: length 65540": func(m *CertificateRequest) {
			m.CertificateAuthorities = [][]byte{make([]byte, 0x8000), make([]byte, 0x8000)}
		},
	} {
		m := good
		mod(&m)
		_, err := m.Marshal()
		wantDecodeError(t, err, AlertInternalError, name)
	}
}

func FuzzCertificateRequest(f *testing.F) {
	fuzzCanonical[CertificateRequest](f, "CertificateRequest")
}
