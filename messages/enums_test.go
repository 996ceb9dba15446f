package messages

import (
	"fmt"
	"testing"
)

// The expected names below are the IANA registry names (RFC 5246 and the
// "TLS Parameters" registries), restated here rather than derived from the
// code under test.

func TestContentTypeString(t *testing.T) {
	for v, want := range map[ContentType]string{
		20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data",
		24: "ContentType(24)", 0: "ContentType(0)", 255: "ContentType(255)",
	} {
		if got := v.String(); got != want {
			t.Errorf("ContentType(%d).String() = %q, want %q", uint8(v), got, want)
		}
	}
}

func TestHandshakeTypeString(t *testing.T) {
	for v, want := range map[HandshakeType]string{
		0: "HelloRequest", 1: "ClientHello", 2: "ServerHello", 4: "NewSessionTicket",
		11: "Certificate", 12: "ServerKeyExchange", 13: "CertificateRequest",
		14: "ServerHelloDone", 15: "CertificateVerify", 16: "ClientKeyExchange",
		20: "Finished", 22: "CertificateStatus", 255: "none",
		3: "HandshakeType(3)", 8: "HandshakeType(8)",
	} {
		if got := v.String(); got != want {
			t.Errorf("HandshakeType(%d).String() = %q, want %q", uint8(v), got, want)
		}
	}
}

func TestNamedGroupString(t *testing.T) {
	for v, want := range map[NamedGroup]string{
		23: "secp256r1", 24: "secp384r1", 25: "secp521r1", 29: "x25519", 30: "x448",
		256: "ffdhe2048", 257: "ffdhe3072", 258: "ffdhe4096", 259: "ffdhe6144", 260: "ffdhe8192",
		0x0a0a: "NamedGroup(0x0a0a)", 0x11ec: "NamedGroup(0x11ec)",
	} {
		if got := v.String(); got != want {
			t.Errorf("NamedGroup(%d).String() = %q, want %q", uint16(v), got, want)
		}
	}
}

func TestSignatureSchemeString(t *testing.T) {
	for v, want := range map[SignatureScheme]string{
		0x0101: "rsa_pkcs1_md5", 0x0201: "rsa_pkcs1_sha1", 0x0301: "rsa_pkcs1_sha224",
		0x0401: "rsa_pkcs1_sha256", 0x0501: "rsa_pkcs1_sha384", 0x0601: "rsa_pkcs1_sha512",
		0x0102: "dsa_md5", 0x0202: "dsa_sha1", 0x0302: "dsa_sha224", 0x0402: "dsa_sha256",
		0x0502: "dsa_sha384", 0x0602: "dsa_sha512",
		0x0103: "ecdsa_md5", 0x0203: "ecdsa_sha1", 0x0303: "ecdsa_sha224",
		0x0403: "ecdsa_secp256r1_sha256", 0x0503: "ecdsa_secp384r1_sha384", 0x0603: "ecdsa_secp521r1_sha512",
		0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384", 0x0806: "rsa_pss_rsae_sha512",
		0x0807: "ed25519", 0x0808: "ed448",
		0x0809: "rsa_pss_pss_sha256", 0x080a: "rsa_pss_pss_sha384", 0x080b: "rsa_pss_pss_sha512",
		0x081a: "SignatureScheme(0x081a)", 0xfafa: "SignatureScheme(0xfafa)",
	} {
		if got := v.String(); got != want {
			t.Errorf("SignatureScheme(%#04x).String() = %q, want %q", uint16(v), got, want)
		}
	}
}

func TestExtensionTypeString(t *testing.T) {
	for v, want := range map[ExtensionType]string{
		0: "server_name", 1: "max_fragment_length", 4: "truncated_hmac", 5: "status_request",
		10: "supported_groups", 11: "ec_point_formats", 13: "signature_algorithms",
		15: "heartbeat", 16: "application_layer_protocol_negotiation", 17: "status_request_v2",
		18: "signed_certificate_timestamp", 21: "padding", 22: "encrypt_then_mac",
		23: "extended_master_secret", 27: "compress_certificate", 28: "record_size_limit",
		35: "session_ticket", 41: "pre_shared_key", 42: "early_data", 43: "supported_versions",
		44: "cookie", 45: "psk_key_exchange_modes", 50: "signature_algorithms_cert",
		51: "key_share", 0xff01: "renegotiation_info",
		0x1a1a: "ExtensionType(0x1a1a)", 0x3374: "ExtensionType(0x3374)",
	} {
		if got := v.String(); got != want {
			t.Errorf("ExtensionType(%d).String() = %q, want %q", uint16(v), got, want)
		}
	}
}

// TestIsGREASE checks IsGREASE against RFC 8701, Section 2, which lists the
// sixteen values 0x0A0A, 0x1A1A, ..., 0xFAFA.
func TestIsGREASE(t *testing.T) {
	want := map[uint16]bool{}
	for i := 0; i < 16; i++ {
		b := uint16(i<<4 | 0xa)
		want[b<<8|b] = true
	}
	if len(want) != 16 {
		t.Fatalf("built %d GREASE values, want 16", len(want))
	}
	for v := 0; v <= 0xffff; v++ {
		if got := IsGREASE(uint16(v)); got != want[uint16(v)] {
			t.Errorf("IsGREASE(%#04x) = %v", v, got)
		}
	}
	for _, v := range []uint16{0x0a0a, 0x5a5a, 0xfafa} {
		if !IsGREASE(v) {
			t.Errorf("IsGREASE(%#04x) = false", v)
		}
	}
	for _, v := range []uint16{0x0a1a, 0x0b0b, 0xabab, 0x0a0b, 0x0000} {
		if IsGREASE(v) {
			t.Errorf("IsGREASE(%#04x) = true", v)
		}
	}
}

func TestVersionConstants(t *testing.T) {
	// RFC 5246, Appendix E; RFC 8446, Section 4.2.1.
	got := fmt.Sprintf("%#04x %#04x %#04x %#04x", VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13)
	if want := "0x0301 0x0302 0x0303 0x0304"; got != want {
		t.Errorf("versions = %s, want %s", got, want)
	}
}
