package messages

import (
	"bytes"
	"crypto/x509"
	"testing"

	"golang.org/x/crypto/ocsp"
	"pgregory.net/rapid"
)

func genCertificateStatus() *rapid.Generator[CertificateStatus] {
	return rapid.Custom(func(t *rapid.T) CertificateStatus {
		return CertificateStatus{StatusType: CertStatusOCSP, Response: genOpaque(1, 64).Draw(t, "response")}
	})
}

func TestCertificateStatusRoundTrip(t *testing.T) {
	checkRoundTrip[CertificateStatus](t, genCertificateStatus())
}

func TestCertificateStatusCaptured(t *testing.T) {
	// Go's server staples whatever bytes it is configured with.
	data := findCapture(t, "go-1.26.8-ecdsa-clientauth-resumption.txt", "s2c", "CertificateStatus", 0)
	var m CertificateStatus
	if err := m.Unmarshal(data); err != nil {
		t.Fatal(err)
	}
	if m.StatusType != CertStatusOCSP || string(m.Response) != "fake OCSP response for testing" {
		t.Errorf("got %d %q", m.StatusType, m.Response)
	}

	// OpenSSL's s_server stapled a real OCSP response from openssl ocsp,
	// signed by the test CA, about the certificate it sent. The responder
	// ran with an empty index, so the status is "unknown".
	file := "openssl-3.0.19-rsa-kex-ocsp.txt"
	data = findCapture(t, file, "s2c", "CertificateStatus", 0)
	if err := m.Unmarshal(data); err != nil {
		t.Fatal(err)
	}
	var chain Certificate
	if err := chain.Unmarshal(findCapture(t, file, "s2c", "Certificate", 0)); err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(chain.Certificates[0])
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ocsp.ParseResponse(m.Response, nil)
	if err != nil {
		t.Fatalf("stapled response does not parse: %v", err)
	}
	if resp.Status != ocsp.Unknown || resp.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Errorf("OCSP status %d for serial %v, want unknown for %v", resp.Status, resp.SerialNumber, leaf.SerialNumber)
	}
	if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
		t.Errorf("re-encoding differs (%v)", err)
	}
}

func TestCertificateStatusErrors(t *testing.T) {
	tests := []struct{ body, what string }{
		{"", "status_type: truncated"},
		{"02 000001 aa", "unsupported status_type 2"}, // ocsp_multi belongs to status_request_v2
		{"01", "OCSPResponse: truncated"},
		{"01 000000", "OCSPResponse: length 0 outside <1..16777215>"},
		{"01 000002 aa", "OCSPResponse: truncated"},
		{"01 000001 aa bb", "CertificateStatus body: 1 trailing bytes"},
	}
	for _, tt := range tests {
		err := new(CertificateStatus).Unmarshal(handshake(HandshakeTypeCertificateStatus, mustHex(t, tt.body)))
		wantDecodeError(t, err, AlertDecodeError, tt.what)
	}
	_, err := (&CertificateStatus{StatusType: 2, Response: []byte{1}}).Marshal()
	wantDecodeError(t, err, AlertInternalError, "unsupported status_type 2")
	_, err = (&CertificateStatus{StatusType: CertStatusOCSP}).Marshal()
	wantDecodeError(t, err, AlertInternalError, "OCSPResponse: length 0")
}

func FuzzCertificateStatus(f *testing.F) {
	fuzzCanonical[CertificateStatus](f, "CertificateStatus")
}
