package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sanstls/sanstls/machine"
)

// This file interprets the BoringSSL cipher strings the runner passes with
// -cipher, e.g. "ECDHE-RSA-AES128-GCM-SHA256:[A|B]:!AES256". The grammar
// (elements separated by ':', ',', ';' or spaces; prefixes '!' (remove for
// good), '-' (remove), '+' (move to the end); "[a|b]" groups of equal
// preference; aliases joined with '+' intersect) is OpenSSL's, as
// BoringSSL's ssl_create_cipher_list implements it. The rules run over every
// TLS 1.2 suite BoringSSL knows, so that a list naming only suites sanstls
// lacks (CBC, RSA key exchange, PSK) is recognised as a request for an
// unimplemented feature rather than as a typo.

// bsslSuite is a TLS 1.2 cipher suite as BoringSSL classifies it.
type bsslSuite struct {
	id         uint16
	name, ossl string
	kx, auth   string // "ECDHE", "RSA", "PSK"; "ECDSA", "RSA", "PSK"
	enc        string // "AES128", "AES256", "AES128GCM", "AES256GCM", "CHACHA20", "3DES"
	mac        string // "SHA1", "SHA256", "SHA384", "AEAD"
}

// bsslSuites lists BoringSSL's TLS 1.2 suites at the pinned commit, in its
// default preference order (ssl/ssl_cipher.cc, kCiphers; the order is that
// of "ALL" with AES hardware). IDs are from the IANA registry.
var bsslSuites = []bsslSuite{
	{0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE", "ECDSA", "AES128GCM", "AEAD"},
	{0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE", "RSA", "AES128GCM", "AEAD"},
	{0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE", "ECDSA", "AES256GCM", "AEAD"},
	{0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE", "RSA", "AES256GCM", "AEAD"},
	{0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE", "ECDSA", "CHACHA20", "AEAD"},
	{0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE", "RSA", "CHACHA20", "AEAD"},
	{0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-PSK-CHACHA20-POLY1305", "ECDHE", "PSK", "CHACHA20", "AEAD"},
	{0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", "ECDHE", "ECDSA", "AES128", "SHA1"},
	{0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", "ECDHE", "RSA", "AES128", "SHA1"},
	{0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE-PSK-AES128-CBC-SHA", "ECDHE", "PSK", "AES128", "SHA1"},
	{0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", "ECDHE", "RSA", "AES128", "SHA256"},
	{0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE", "ECDSA", "AES256", "SHA1"},
	{0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", "ECDHE", "RSA", "AES256", "SHA1"},
	{0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", "ECDHE-PSK-AES256-CBC-SHA", "ECDHE", "PSK", "AES256", "SHA1"},
	{0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", "RSA", "RSA", "AES128GCM", "AEAD"},
	{0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", "RSA", "RSA", "AES256GCM", "AEAD"},
	{0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", "RSA", "RSA", "AES128", "SHA1"},
	{0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK-AES128-CBC-SHA", "PSK", "PSK", "AES128", "SHA1"},
	{0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", "RSA", "RSA", "AES256", "SHA1"},
	{0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA", "PSK-AES256-CBC-SHA", "PSK", "PSK", "AES256", "SHA1"},
	{0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", "RSA", "RSA", "3DES", "SHA1"},
}

// cipherAlias reports whether suite s matches the alias token (OpenSSL's
// names, as BoringSSL's kCipherAliases defines them). ok is false for a
// token that is no alias.
func cipherAlias(s *bsslSuite, token string) (match, ok bool) {
	aes := strings.HasPrefix(s.enc, "AES")
	switch token {
	case "ALL", "DEFAULT", "HIGH", "FIPS", "TLSv1", "SSLv3":
		// Deprecated suites (3DES, and the one CBC-SHA256 suite) must be
		// named explicitly.
		return s.enc != "3DES" && s.id != 0xc027, true
	case "TLSv1.2":
		return s.mac != "SHA1" && s.enc != "3DES", true
	case "kRSA":
		return s.kx == "RSA", true
	case "kECDHE", "kEECDH", "ECDH", "ECDHE", "EECDH":
		return s.kx == "ECDHE", true
	case "kPSK":
		return s.kx == "PSK", true
	case "aRSA":
		return s.auth == "RSA", true
	case "aECDSA", "ECDSA":
		return s.auth == "ECDSA", true
	case "aPSK":
		return s.auth == "PSK", true
	case "RSA":
		return s.kx == "RSA" && s.auth == "RSA", true
	case "PSK":
		return s.kx == "PSK" && s.auth == "PSK", true
	case "3DES":
		return s.enc == "3DES", true
	case "AES128":
		return s.enc == "AES128" || s.enc == "AES128GCM", true
	case "AES256":
		return s.enc == "AES256" || s.enc == "AES256GCM", true
	case "AES":
		return aes, true
	case "AESGCM":
		return s.enc == "AES128GCM" || s.enc == "AES256GCM", true
	case "CHACHA20":
		return s.enc == "CHACHA20", true
	case "SHA1", "SHA":
		return s.mac == "SHA1", true
	case "SHA256":
		return s.mac == "SHA256", true
	case "SHA384":
		return s.mac == "SHA384", true
	}
	return false, false
}

// matchCipherRule returns the suites a rule (without prefix) selects: an
// exact standard or OpenSSL name, or aliases joined by '+'.
func matchCipherRule(rule string) ([]*bsslSuite, error) {
	for i := range bsslSuites {
		if s := &bsslSuites[i]; rule == s.name || rule == s.ossl {
			return []*bsslSuite{s}, nil
		}
	}
	tokens := strings.Split(rule, "+")
	var out []*bsslSuite
	for i := range bsslSuites {
		s := &bsslSuites[i]
		all := true
		for _, t := range tokens {
			m, ok := cipherAlias(s, t)
			if !ok {
				return nil, fmt.Errorf("unknown cipher rule %q", rule)
			}
			all = all && m
		}
		if all {
			out = append(out, s)
		}
	}
	return out, nil
}

// defaultCipherString is BoringSSL's shim's cipher list when -cipher is
// absent (ssl/test/test_config.cc, SetupCtx). With it the shim enables the
// machine's opt-in legacy suites (ECDHE with CBC, RSA key exchange) as
// BoringSSL does, so that the runner's tests of them apply.
const defaultCipherString = "ALL:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"

// parseCipherString evaluates a BoringSSL cipher string and returns the
// selected suites that sanstls implements, in preference order. It fails
// with an unimplementedError when the string selects only suites sanstls
// lacks, and with a plain error when it is malformed or selects nothing.
func parseCipherString(str string) ([]uint16, error) {
	var active []*bsslSuite
	killed := map[*bsslSuite]bool{}
	elems := strings.FieldsFunc(str, func(r rune) bool {
		return r == ':' || r == ',' || r == ';' || r == ' '
	})
	for _, e := range elems {
		if strings.HasPrefix(e, "[") {
			// An equal-preference group: machine has no such notion, so
			// its members are added in the order written.
			if !strings.HasSuffix(e, "]") {
				return nil, fmt.Errorf("unterminated group %q", e)
			}
			for _, name := range strings.Split(e[1:len(e)-1], "|") {
				m, err := matchCipherRule(name)
				if err != nil {
					return nil, err
				}
				for _, s := range m {
					if !killed[s] && !slices.Contains(active, s) {
						active = append(active, s)
					}
				}
			}
			continue
		}
		op := byte(0)
		if e[0] == '!' || e[0] == '-' || e[0] == '+' {
			op, e = e[0], e[1:]
		}
		m, err := matchCipherRule(e)
		if err != nil {
			return nil, err
		}
		switch op {
		case '!':
			for _, s := range m {
				killed[s] = true
			}
			active = slices.DeleteFunc(active, func(s *bsslSuite) bool { return killed[s] })
		case '-':
			active = slices.DeleteFunc(active, func(s *bsslSuite) bool { return slices.Contains(m, s) })
		case '+':
			var moved []*bsslSuite
			active = slices.DeleteFunc(active, func(s *bsslSuite) bool {
				if slices.Contains(m, s) {
					moved = append(moved, s)
					return true
				}
				return false
			})
			active = append(active, moved...)
		default:
			for _, s := range m {
				if !killed[s] && !slices.Contains(active, s) {
					active = append(active, s)
				}
			}
		}
	}
	if len(active) == 0 {
		return nil, fmt.Errorf("cipher string %q selects no cipher suite", str)
	}
	var ids []uint16
	for _, s := range active {
		if machine.CipherSuiteName(s.id) != "" {
			ids = append(ids, s.id)
		}
	}
	if len(ids) == 0 {
		return nil, unimplementedf("cipher string %q selects only suites sanstls does not implement", str)
	}
	return ids, nil
}
