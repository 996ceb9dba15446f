package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/sanstls/sanstls/adapters/wasm"
	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// fields collects the decoded fields of one message.
type fields []wasm.Field

func (f *fields) add(name, value string) { *f = append(*f, wasm.Field{Name: name, Value: value}) }

// decode names a traced record body and lists its fields (the wasm.Decoder
// of this module).
func decode(typ machine.ContentType, body []byte) (string, []wasm.Field) {
	var f fields
	switch typ {
	case messages.ContentTypeChangeCipherSpec:
		f.add("type", "change_cipher_spec ("+hex.EncodeToString(body)+")")
		return "ChangeCipherSpec", f
	case messages.ContentTypeAlert:
		a, err := messages.ParseAlert(body)
		if err != nil {
			f.add("error", err.Error())
			return "Alert", f
		}
		f.add("level", a.Level.String())
		f.add("description", a.Description.String()+" ("+strconv.Itoa(int(a.Description))+")")
		return "Alert", f
	case messages.ContentTypeHandshake:
		return decodeHandshake(body)
	}
	return typ.String(), nil
}

func decodeHandshake(raw []byte) (string, []wasm.Field) {
	var f fields
	msg, err := messages.Parse(raw)
	if err != nil {
		typ, _, _ := messages.ParseHandshakeHeader(raw)
		f.add("error", err.Error())
		return typ.String(), f
	}
	switch m := msg.(type) {
	case *messages.HelloRequest:
		f.add("meaning", "the server asks the client to start a new handshake")
	case *messages.ClientHello:
		f.add("client_version", versionName(m.Version))
		f.add("random", hex.EncodeToString(m.Random[:]))
		f.add("session_id", hexOrEmpty(m.SessionID))
		f.add("cipher_suites", suiteList(m.CipherSuites))
		f.add("compression_methods", intList(m.CompressionMethods))
		if m.ServerName != "" {
			f.add("server_name", m.ServerName)
		}
		if m.SupportedGroups != nil {
			f.add("supported_groups", groupList(m.SupportedGroups))
		}
		if m.SupportedPoints != nil {
			f.add("ec_point_formats", intList(m.SupportedPoints))
		}
		if m.SignatureAlgorithms != nil {
			f.add("signature_algorithms", schemeList(m.SignatureAlgorithms))
		}
		if m.ALPNProtocols != nil {
			f.add("alpn", strings.Join(m.ALPNProtocols, ", "))
		}
		f.add("extended_master_secret", yesNo(m.ExtendedMasterSecret))
		if m.SecureRenegotiationSupported {
			f.add("renegotiation_info", hexOrEmpty(m.SecureRenegotiation))
		}
		if m.SessionTicketSupported {
			f.add("session_ticket", strconv.Itoa(len(m.SessionTicket))+" bytes")
		}
		if m.StatusRequest {
			f.add("status_request", "ocsp")
		}
		f.add("extensions", extList(m.ExtensionOrder))
	case *messages.ServerHello:
		f.add("server_version", versionName(m.Version))
		f.add("random", hex.EncodeToString(m.Random[:]))
		f.add("session_id", hexOrEmpty(m.SessionID))
		f.add("cipher_suite", suiteName(m.CipherSuite))
		f.add("compression_method", strconv.Itoa(int(m.CompressionMethod)))
		if m.ALPNProtocol != "" {
			f.add("alpn", m.ALPNProtocol)
		}
		f.add("extended_master_secret", yesNo(m.ExtendedMasterSecret))
		if m.SecureRenegotiationSupported {
			f.add("renegotiation_info", hexOrEmpty(m.SecureRenegotiation))
		}
		if m.SessionTicketSupported {
			f.add("session_ticket", "the server will send a NewSessionTicket")
		}
		f.add("extensions", extList(m.ExtensionOrder))
	case *messages.Certificate:
		f.add("certificates", strconv.Itoa(len(m.Certificates)))
		for i, der := range m.Certificates {
			p := "[" + strconv.Itoa(i) + "] "
			c, err := x509.ParseCertificate(der)
			if err != nil {
				f.add(p+"error", err.Error())
				continue
			}
			f.add(p+"subject", c.Subject.String())
			f.add(p+"issuer", c.Issuer.String())
			f.add(p+"public_key", keyDescription(c.PublicKey))
			f.add(p+"signature", c.SignatureAlgorithm.String())
			f.add(p+"valid", c.NotBefore.UTC().Format("2006-01-02")+" to "+c.NotAfter.UTC().Format("2006-01-02"))
			if len(c.DNSNames) > 0 {
				f.add(p+"dns_names", strings.Join(c.DNSNames, ", "))
			}
			f.add(p+"size", strconv.Itoa(len(der))+" bytes")
		}
	case *messages.CertificateStatus:
		f.add("ocsp_response", strconv.Itoa(len(m.Response))+" bytes")
	case *messages.ServerKeyExchange:
		if p, err := messages.ParseECDHEParams(m.Body); err == nil {
			f.add("curve", groupName(p.Group))
			f.add("public", hex.EncodeToString(p.Public))
			f.add("signature_algorithm", p.Signature.Algorithm.String())
			f.add("signature", hex.EncodeToString(p.Signature.Signature))
		} else if p, err := messages.ParseDHEParams(m.Body); err == nil {
			f.add("dh_p", strconv.Itoa(len(p.P)*8)+" bits")
			f.add("dh_g", hex.EncodeToString(p.G))
			f.add("dh_Ys", hex.EncodeToString(p.Ys))
			f.add("signature_algorithm", p.Signature.Algorithm.String())
			f.add("signature", hex.EncodeToString(p.Signature.Signature))
		} else {
			f.add("body", hex.EncodeToString(m.Body))
		}
	case *messages.CertificateRequest:
		types := make([]string, len(m.CertificateTypes))
		for i, t := range m.CertificateTypes {
			types[i] = certTypeName(t)
		}
		f.add("certificate_types", strings.Join(types, ", "))
		f.add("signature_algorithms", schemeList(m.SignatureAlgorithms))
		f.add("certificate_authorities", strconv.Itoa(len(m.CertificateAuthorities)))
	case *messages.ServerHelloDone:
		f.add("meaning", "the server's hello messages are complete")
	case *messages.ClientKeyExchange:
		if pub, err := m.ECDHEPublic(); err == nil && len(pub) > 0 && (len(pub) == 32 || pub[0] == 4) {
			f.add("ecdh_public", hex.EncodeToString(pub))
		} else if pub, err := m.DHEPublic(); err == nil {
			f.add("exchange_keys", hex.EncodeToString(pub))
		} else {
			f.add("body", hex.EncodeToString(m.Body))
		}
		f.add("size", strconv.Itoa(len(m.Body))+" bytes")
	case *messages.CertificateVerify:
		f.add("signature_algorithm", m.Signature.Algorithm.String())
		f.add("signature", hex.EncodeToString(m.Signature.Signature))
	case *messages.NewSessionTicket:
		f.add("lifetime_hint", strconv.FormatUint(uint64(m.LifetimeHint), 10)+" s")
		f.add("ticket", strconv.Itoa(len(m.Ticket))+" bytes (sealed with the server's ticket key)")
	case *messages.Finished:
		f.add("verify_data", hex.EncodeToString(m.VerifyData))
	}
	return msg.Type().String(), f
}

func versionName(v uint16) string {
	switch v {
	case messages.VersionTLS10:
		return "TLS 1.0 (0x0301)"
	case messages.VersionTLS11:
		return "TLS 1.1 (0x0302)"
	case messages.VersionTLS12:
		return "TLS 1.2 (0x0303)"
	}
	return "0x" + strconv.FormatUint(uint64(v), 16)
}

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
	return "0x" + strconv.FormatUint(uint64(id), 16)
}

func suiteList(ids []uint16) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = suiteName(id)
	}
	return strings.Join(names, ", ")
}

func groupName(g messages.NamedGroup) string {
	switch g {
	case messages.GroupX25519:
		return "X25519"
	case messages.GroupP256:
		return "P-256"
	case messages.GroupP384:
		return "P-384"
	case messages.GroupP521:
		return "P-521"
	}
	return g.String()
}

func groupList(gs []messages.NamedGroup) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = groupName(g)
	}
	return strings.Join(names, ", ")
}

func schemeList(ss []messages.SignatureScheme) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.String()
	}
	return strings.Join(names, ", ")
}

func extList(es []messages.ExtensionType) string {
	names := make([]string, len(es))
	for i, e := range es {
		names[i] = e.String()
	}
	return strings.Join(names, ", ")
}

func intList(v []uint8) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(int(x))
	}
	return strings.Join(s, ", ")
}

func hexOrEmpty(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	return hex.EncodeToString(b)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func certTypeName(t uint8) string {
	switch t {
	case 1:
		return "rsa_sign"
	case 2:
		return "dss_sign"
	case 64:
		return "ecdsa_sign"
	}
	return "type " + strconv.Itoa(int(t))
}

func keyDescription(k any) string {
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return "RSA " + strconv.Itoa(k.N.BitLen()) + " bits"
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return "unknown"
}
