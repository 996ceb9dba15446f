package messages

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

func genCertificateVerify() *rapid.Generator[CertificateVerify] {
	return rapid.Custom(func(t *rapid.T) CertificateVerify {
		return CertificateVerify{Signature: genDigitallySigned().Draw(t, "sig")}
	})
}

func TestCertificateVerifyRoundTrip(t *testing.T) {
	checkRoundTrip[CertificateVerify](t, genCertificateVerify())
}

func TestCertificateVerifyCaptured(t *testing.T) {
	// Both clients signed with their P-256 ECDSA key.
	for _, file := range []string{"openssl-3.0.19-ecdhe-rsa-clientauth.txt", "go-1.26.8-ecdsa-clientauth-resumption.txt"} {
		data := findCapture(t, file, "c2s", "CertificateVerify", 0)
		var m CertificateVerify
		if err := m.Unmarshal(data); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if m.Signature.Algorithm != SignatureECDSAP256SHA256 {
			t.Errorf("%s: algorithm %v, want ecdsa_secp256r1_sha256", file, m.Signature.Algorithm)
		}
		// An ECDSA signature is a DER SEQUENCE.
		if len(m.Signature.Signature) < 8 || m.Signature.Signature[0] != 0x30 {
			t.Errorf("%s: signature %x is not a DER SEQUENCE", file, m.Signature.Signature)
		}
		if out, err := m.Marshal(); err != nil || !bytes.Equal(out, data) {
			t.Errorf("%s: re-encoding differs (%v)", file, err)
		}
	}
}

func TestCertificateVerifyErrors(t *testing.T) {
	tests := []struct{ body, what string }{
		{"", "signature algorithm: truncated"},
		{"04", "signature algorithm: truncated"},
		{"0403", "signature: truncated"},
		{"0403 0002 aa", "signature: truncated"},
		{"0403 0001 aa bb", "CertificateVerify body: 1 trailing bytes"},
	}
	for _, tt := range tests {
		err := new(CertificateVerify).Unmarshal(handshake(HandshakeTypeCertificateVerify, mustHex(t, tt.body)))
		wantDecodeError(t, err, AlertDecodeError, tt.what)
	}
	_, err := (&CertificateVerify{Signature: DigitallySigned{Signature: make([]byte, 1<<16)}}).Marshal()
	wantDecodeError(t, err, AlertInternalError, "signature: length 65536")
}

func FuzzCertificateVerify(f *testing.F) {
	fuzzCanonical[CertificateVerify](f, "CertificateVerify")
}
