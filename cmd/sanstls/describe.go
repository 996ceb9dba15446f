package main

// Human-readable one-line summaries of what machine.Config.Trace reports:
// handshake messages (parsed with package messages), ChangeCipherSpec and
// alerts.

import (
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// versionName names a protocol version ("TLS 1.2").
func versionName(v uint16) string {
	switch v {
	case messages.VersionTLS10:
		return "TLS 1.0"
	case messages.VersionTLS11:
		return "TLS 1.1"
	case messages.VersionTLS12:
		return "TLS 1.2"
	case messages.VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

// groupName names a group the way OpenSSL's -groups option spells it
// ("X25519", "P-256"); other groups get their IANA name.
func groupName(g machine.Group) string {
	switch g {
	case messages.GroupX25519:
		return "X25519"
	case messages.GroupP256:
		return "P-256"
	case messages.GroupP384:
		return "P-384"
	case messages.GroupP521:
		return "P-521"
	case messages.GroupX448:
		return "X448"
	}
	return g.String()
}

// suiteName names a cipher suite by its IANA name, or by its number if the
// machine does not implement it.
func suiteName(id uint16) string {
	if n := machine.CipherSuiteName(id); n != "" {
		return n
	}
	switch id {
	case machine.TLS_EMPTY_RENEGOTIATION_INFO_SCSV:
		return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"
	case machine.TLS_FALLBACK_SCSV:
		return "TLS_FALLBACK_SCSV"
	}
	return fmt.Sprintf("0x%04x", id)
}

// shortHex abbreviates b to its first three bytes ("3f1a9c..").
func shortHex(b []byte) string {
	if len(b) <= 3 {
		return hex.EncodeToString(b)
	}
	return hex.EncodeToString(b[:3]) + ".."
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func groupList(gs []machine.Group) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = groupName(g)
	}
	return "[" + strings.Join(names, " ") + "]"
}

// certTypeName names a ClientCertificateType (RFC 5246 Section 7.4.4; RFC
// 8422 Section 5.5).
func certTypeName(t uint8) string {
	switch t {
	case 1:
		return "rsa_sign"
	case 2:
		return "dss_sign"
	case 64:
		return "ecdsa_sign"
	}
	return fmt.Sprintf("type(%d)", t)
}

// describeHandshake summarises one raw handshake message, header included:
// its type and the fields a reader of the handshake wants to see.
func describeHandshake(raw []byte) (messages.HandshakeType, string) {
	msg, err := messages.Parse(raw)
	if err != nil {
		typ, _, _ := messages.ParseHandshakeHeader(raw)
		return typ, "unparsable: " + err.Error()
	}
	var f []string
	add := func(format string, args ...any) { f = append(f, fmt.Sprintf(format, args...)) }
	switch m := msg.(type) {
	case *messages.ClientHello:
		add("version=%s random=%s suites=%d groups=%s sigalgs=%d", versionName(m.Version),
			shortHex(m.Random[:]), len(m.CipherSuites), groupList(m.SupportedGroups), len(m.SignatureAlgorithms))
		if m.ServerName != "" {
			add("sni=%s", m.ServerName)
		}
		if m.ALPNProtocols != nil {
			add("alpn=[%s]", strings.Join(m.ALPNProtocols, " "))
		}
		add("ems=%s reneg=%s", yesNo(m.ExtendedMasterSecret), yesNo(m.SecureRenegotiationSupported))
	case *messages.ServerHello:
		add("version=%s random=%s suite=%s", versionName(m.Version), shortHex(m.Random[:]), suiteName(m.CipherSuite))
		if m.ALPNProtocol != "" {
			add("alpn=%s", m.ALPNProtocol)
		}
		add("ems=%s reneg=%s", yesNo(m.ExtendedMasterSecret), yesNo(m.SecureRenegotiationSupported))
	case *messages.Certificate:
		add("certs=%d", len(m.Certificates))
		if len(m.Certificates) > 0 {
			if leaf, err := x509.ParseCertificate(m.Certificates[0]); err == nil {
				add("subject=%s issuer=%s key=%s", leaf.Subject, leaf.Issuer, keyDescription(leaf.PublicKey))
			}
		}
	case *messages.CertificateStatus:
		add("ocsp=%d bytes", len(m.Response))
	case *messages.ServerKeyExchange:
		if p, err := messages.ParseECDHEParams(m.Body); err == nil {
			add("group=%s public=%d bytes sig=%s", groupName(p.Group), len(p.Public), p.Signature.Algorithm)
		} else {
			add("body=%d bytes", len(m.Body))
		}
	case *messages.CertificateRequest:
		types := make([]string, len(m.CertificateTypes))
		for i, t := range m.CertificateTypes {
			types[i] = certTypeName(t)
		}
		add("types=[%s] sigalgs=%d cas=%d", strings.Join(types, " "), len(m.SignatureAlgorithms), len(m.CertificateAuthorities))
	case *messages.ClientKeyExchange:
		if pub, err := m.ECDHEPublic(); err == nil {
			add("public=%d bytes", len(pub))
		} else {
			add("body=%d bytes", len(m.Body))
		}
	case *messages.CertificateVerify:
		add("sig=%s", m.Signature.Algorithm)
	case *messages.Finished:
		add("verify_data=%s", hex.EncodeToString(m.VerifyData))
	}
	return msg.Type(), strings.Join(f, " ")
}

// describeAlert summarises a 2-byte alert body ("warning close_notify").
func describeAlert(body []byte) (messages.Alert, string) {
	a, err := messages.ParseAlert(body)
	if err != nil {
		return messages.Alert{}, "malformed alert " + hex.EncodeToString(body)
	}
	return a, a.Level.String() + " " + a.Description.String()
}

// chainSummary lists a chain's subjects, leaf first ("CN=a <- CN=b").
func chainSummary(chain []*x509.Certificate) string {
	names := make([]string, len(chain))
	for i, c := range chain {
		names[i] = c.Subject.String()
	}
	return strings.Join(names, " <- ")
}
