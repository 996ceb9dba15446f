package main

import (
	"strings"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

func marshal(t *testing.T, m messages.Message) []byte {
	t.Helper()
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDescribeHandshake(t *testing.T) {
	tests := []struct {
		msg  messages.Message
		typ  messages.HandshakeType
		want string
	}{
		{&messages.ClientHello{
			Version: messages.VersionTLS12, Random: [32]byte{0x3f, 0x1a, 0x9c, 0xff},
			CipherSuites: []uint16{0xc02b, 0xc02f}, CompressionMethods: []uint8{0},
			SupportedGroups:     []messages.NamedGroup{messages.GroupX25519, messages.GroupP256},
			SignatureAlgorithms: []messages.SignatureScheme{messages.SignatureEd25519},
			ServerName:          "example.com", ALPNProtocols: []string{"h2"}, ExtendedMasterSecret: true,
		}, messages.HandshakeTypeClientHello,
			"version=TLS 1.2 random=3f1a9c.. suites=2 groups=[X25519 P-256] sigalgs=1 sni=example.com alpn=[h2] ems=yes reneg=no"},
		{&messages.ServerHello{Version: messages.VersionTLS12, CipherSuite: 0xcca8, ALPNProtocol: "h2", SecureRenegotiationSupported: true},
			messages.HandshakeTypeServerHello,
			"version=TLS 1.2 random=000000.. suite=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 alpn=h2 ems=no reneg=yes"},
		{&messages.Certificate{}, messages.HandshakeTypeCertificate, "certs=0"},
		{&messages.CertificateRequest{CertificateTypes: []uint8{1, 64, 7}, SignatureAlgorithms: []messages.SignatureScheme{0x0403}},
			messages.HandshakeTypeCertificateRequest, "types=[rsa_sign ecdsa_sign type(7)] sigalgs=1 cas=0"},
		{&messages.ServerHelloDone{}, messages.HandshakeTypeServerHelloDone, ""},
		{messages.NewECDHEClientKeyExchange(make([]byte, 65)), messages.HandshakeTypeClientKeyExchange, "public=65 bytes"},
		{&messages.CertificateVerify{Signature: messages.DigitallySigned{Algorithm: messages.SignatureRSAPSSRSAESHA256, Signature: []byte{1}}},
			messages.HandshakeTypeCertificateVerify, "sig=rsa_pss_rsae_sha256"},
		{&messages.Finished{VerifyData: []byte{0xde, 0xad, 0xbe, 0xef}}, messages.HandshakeTypeFinished, "verify_data=deadbeef"},
	}
	for _, tt := range tests {
		typ, got := describeHandshake(marshal(t, tt.msg))
		if typ != tt.typ || got != tt.want {
			t.Errorf("describe %T = %v %q, want %v %q", tt.msg, typ, got, tt.typ, tt.want)
		}
	}
	ske := &messages.ServerKeyExchange{Body: messages.DigitallySigned{Algorithm: messages.SignatureECDSAP256SHA256, Signature: []byte{1, 2}}.Append(
		messages.AppendECDHEParams(nil, messages.GroupP384, make([]byte, 97)))}
	if _, got := describeHandshake(marshal(t, ske)); got != "group=P-384 public=97 bytes sig=ecdsa_secp256r1_sha256" {
		t.Errorf("ServerKeyExchange: %q", got)
	}
	if typ, got := describeHandshake([]byte{2, 0, 0, 1, 0}); typ != messages.HandshakeTypeServerHello || !strings.HasPrefix(got, "unparsable: ") {
		t.Errorf("truncated ServerHello: %v %q", typ, got)
	}
}

func TestDescribeAlert(t *testing.T) {
	if _, got := describeAlert([]byte{1, 0}); got != "warning close_notify" {
		t.Errorf("close_notify: %q", got)
	}
	if a, got := describeAlert([]byte{2, 40}); got != "fatal handshake_failure" || a.Description != messages.AlertHandshakeFailure {
		t.Errorf("handshake_failure: %q", got)
	}
	if _, got := describeAlert([]byte{2}); !strings.HasPrefix(got, "malformed") {
		t.Errorf("short alert: %q", got)
	}
}

func TestNames(t *testing.T) {
	if versionName(0x0303) != "TLS 1.2" || versionName(0x0300) != "0x0300" {
		t.Errorf("versionName")
	}
	if groupName(machine.CurveP384) != "P-384" || groupName(messages.GroupFFDHE2048) != "ffdhe2048" {
		t.Errorf("groupName")
	}
	if suiteName(0x00ff) != "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" || suiteName(0x002f) != "TLS_RSA_WITH_AES_128_CBC_SHA" || suiteName(0x0005) != "0x0005" || suiteName(0xc02b) != "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" {
		t.Errorf("suiteName")
	}
	if shortHex([]byte{1, 2}) != "0102" || shortHex([]byte{1, 2, 3, 4}) != "010203.." {
		t.Errorf("shortHex")
	}
}
