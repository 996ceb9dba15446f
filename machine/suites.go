package machine

import (
	"crypto"
	"slices"

	"golang.org/x/sys/cpu"

	"github.com/sanstls/sanstls/keys"
)

// Cipher suite IDs (IANA TLS Cipher Suites registry).
const (
	TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256       uint16 = 0xc02b // RFC 5289
	TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       uint16 = 0xc02c // RFC 5289
	TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256         uint16 = 0xc02f // RFC 5289
	TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384         uint16 = 0xc030 // RFC 5289
	TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 uint16 = 0xcca9 // RFC 7905
	TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256   uint16 = 0xcca8 // RFC 7905

	// Legacy suites: opt-in only (list them in Config.CipherSuites). CBC
	// suites use the Lucky13-hardened MAC-then-encrypt of package keys, or
	// encrypt-then-MAC (RFC 7366) when the peer agrees; DHE uses the RFC 7919
	// groups; RSA key exchange decrypts with implicit rejection.
	TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA      uint16 = 0xc009 // RFC 8422
	TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA      uint16 = 0xc00a // RFC 8422
	TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA        uint16 = 0xc013 // RFC 8422
	TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA        uint16 = 0xc014 // RFC 8422
	TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256   uint16 = 0xc023 // RFC 5289
	TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384   uint16 = 0xc024 // RFC 5289
	TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256     uint16 = 0xc027 // RFC 5289
	TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384     uint16 = 0xc028 // RFC 5289
	TLS_DHE_RSA_WITH_AES_128_GCM_SHA256       uint16 = 0x009e // RFC 5288
	TLS_DHE_RSA_WITH_AES_256_GCM_SHA384       uint16 = 0x009f // RFC 5288
	TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 uint16 = 0xccaa // RFC 7905
	TLS_DHE_RSA_WITH_AES_128_CBC_SHA          uint16 = 0x0033 // RFC 5246
	TLS_DHE_RSA_WITH_AES_256_CBC_SHA          uint16 = 0x0039 // RFC 5246
	TLS_DHE_RSA_WITH_AES_128_CBC_SHA256       uint16 = 0x0067 // RFC 5246
	TLS_DHE_RSA_WITH_AES_256_CBC_SHA256       uint16 = 0x006b // RFC 5246
	TLS_RSA_WITH_AES_128_GCM_SHA256           uint16 = 0x009c // RFC 5288
	TLS_RSA_WITH_AES_256_GCM_SHA384           uint16 = 0x009d // RFC 5288
	TLS_RSA_WITH_AES_128_CBC_SHA              uint16 = 0x002f // RFC 5246
	TLS_RSA_WITH_AES_256_CBC_SHA              uint16 = 0x0035 // RFC 5246
	TLS_RSA_WITH_AES_128_CBC_SHA256           uint16 = 0x003c // RFC 5246
	TLS_RSA_WITH_AES_256_CBC_SHA256           uint16 = 0x003d // RFC 5246

	// TLS_EMPTY_RENEGOTIATION_INFO_SCSV signals RFC 5746 support (Section 3.3).
	TLS_EMPTY_RENEGOTIATION_INFO_SCSV uint16 = 0x00ff
	// TLS_FALLBACK_SCSV signals a downgraded retry (RFC 7507 Section 2).
	TLS_FALLBACK_SCSV uint16 = 0x5600
)

type keyExchange uint8

const (
	kxECDHE keyExchange = iota + 1 // RFC 8422
	kxDHE                          // RFC 5246, with RFC 7919 groups
	kxRSA                          // RFC 5246, Section 7.4.7.1
)

type authType uint8

const (
	authECDSA authType = iota + 1 // ECDSA or Ed25519 certificates (RFC 8422)
	authRSA
)

// cipherSuite binds a suite ID to its key exchange, authentication, PRF hash
// and record protection.
type cipherSuite struct {
	id     uint16
	name   string // IANA name
	ossl   string // OpenSSL name
	kx     keyExchange
	auth   authType
	hash   crypto.Hash // PRF and Finished hash
	keyLen int
	ivLen  int                                                 // implicit IV / salt bytes from the key block
	aead   func(key, iv []byte) (keys.RecordProtection, error) // nil for CBC
	chacha bool
	mac    crypto.Hash // CBC suites: the HMAC hash (RFC 5246, Section 6.2.3.2)
}

func (s *cipherSuite) cbc() bool { return s.aead == nil }

// macLen is the HMAC key and output length of a CBC suite.
func (s *cipherSuite) macLen() int {
	if s.cbc() {
		return s.mac.Size()
	}
	return 0
}

var cipherSuites = []*cipherSuite{
	{id: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, name: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", ossl: "ECDHE-ECDSA-AES128-GCM-SHA256",
		kx: kxECDHE, auth: authECDSA, hash: crypto.SHA256, keyLen: 16, ivLen: 4, aead: keys.NewAESGCM},
	{id: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", ossl: "ECDHE-RSA-AES128-GCM-SHA256",
		kx: kxECDHE, auth: authRSA, hash: crypto.SHA256, keyLen: 16, ivLen: 4, aead: keys.NewAESGCM},
	{id: TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", ossl: "ECDHE-ECDSA-AES256-GCM-SHA384",
		kx: kxECDHE, auth: authECDSA, hash: crypto.SHA384, keyLen: 32, ivLen: 4, aead: keys.NewAESGCM},
	{id: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", ossl: "ECDHE-RSA-AES256-GCM-SHA384",
		kx: kxECDHE, auth: authRSA, hash: crypto.SHA384, keyLen: 32, ivLen: 4, aead: keys.NewAESGCM},
	{id: TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, name: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", ossl: "ECDHE-ECDSA-CHACHA20-POLY1305",
		kx: kxECDHE, auth: authECDSA, hash: crypto.SHA256, keyLen: 32, ivLen: 12, aead: keys.NewChaCha20Poly1305, chacha: true},
	{id: TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", ossl: "ECDHE-RSA-CHACHA20-POLY1305",
		kx: kxECDHE, auth: authRSA, hash: crypto.SHA256, keyLen: 32, ivLen: 12, aead: keys.NewChaCha20Poly1305, chacha: true},

	// Legacy suites (not in DefaultCipherSuites).
	{id: TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, name: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", ossl: "ECDHE-ECDSA-AES128-SHA",
		kx: kxECDHE, auth: authECDSA, hash: crypto.SHA256, keyLen: 16, mac: crypto.SHA1},
	{id: TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, name: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", ossl: "ECDHE-ECDSA-AES256-SHA",
		kx: kxECDHE, auth: authECDSA, hash: crypto.SHA256, keyLen: 32, mac: crypto.SHA1},
	{id: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", ossl: "ECDHE-RSA-AES128-SHA",
		kx: kxECDHE, auth: authRSA, hash: crypto.SHA256, keyLen: 16, mac: crypto.SHA1},
	{id: TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", ossl: "ECDHE-RSA-AES256-SHA",
		kx: kxECDHE, auth: authRSA, hash: crypto.SHA256, keyLen: 32, mac: crypto.SHA1},
	{id: TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, name: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", ossl: "ECDHE-ECDSA-AES128-SHA256",
		kx: kxECDHE, auth: authECDSA, hash: crypto.SHA256, keyLen: 16, mac: crypto.SHA256},
	{id: TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, name: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", ossl: "ECDHE-ECDSA-AES256-SHA384",
		kx: kxECDHE, auth: authECDSA, hash: crypto.SHA384, keyLen: 32, mac: crypto.SHA384},
	{id: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", ossl: "ECDHE-RSA-AES128-SHA256",
		kx: kxECDHE, auth: authRSA, hash: crypto.SHA256, keyLen: 16, mac: crypto.SHA256},
	{id: TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", ossl: "ECDHE-RSA-AES256-SHA384",
		kx: kxECDHE, auth: authRSA, hash: crypto.SHA384, keyLen: 32, mac: crypto.SHA384},
	{id: TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, name: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", ossl: "DHE-RSA-AES128-GCM-SHA256",
		kx: kxDHE, auth: authRSA, hash: crypto.SHA256, keyLen: 16, ivLen: 4, aead: keys.NewAESGCM},
	{id: TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, name: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", ossl: "DHE-RSA-AES256-GCM-SHA384",
		kx: kxDHE, auth: authRSA, hash: crypto.SHA384, keyLen: 32, ivLen: 4, aead: keys.NewAESGCM},
	{id: TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256, name: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", ossl: "DHE-RSA-CHACHA20-POLY1305",
		kx: kxDHE, auth: authRSA, hash: crypto.SHA256, keyLen: 32, ivLen: 12, aead: keys.NewChaCha20Poly1305, chacha: true},
	{id: TLS_DHE_RSA_WITH_AES_128_CBC_SHA, name: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", ossl: "DHE-RSA-AES128-SHA",
		kx: kxDHE, auth: authRSA, hash: crypto.SHA256, keyLen: 16, mac: crypto.SHA1},
	{id: TLS_DHE_RSA_WITH_AES_256_CBC_SHA, name: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", ossl: "DHE-RSA-AES256-SHA",
		kx: kxDHE, auth: authRSA, hash: crypto.SHA256, keyLen: 32, mac: crypto.SHA1},
	{id: TLS_DHE_RSA_WITH_AES_128_CBC_SHA256, name: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", ossl: "DHE-RSA-AES128-SHA256",
		kx: kxDHE, auth: authRSA, hash: crypto.SHA256, keyLen: 16, mac: crypto.SHA256},
	{id: TLS_DHE_RSA_WITH_AES_256_CBC_SHA256, name: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", ossl: "DHE-RSA-AES256-SHA256",
		kx: kxDHE, auth: authRSA, hash: crypto.SHA256, keyLen: 32, mac: crypto.SHA256},
	{id: TLS_RSA_WITH_AES_128_GCM_SHA256, name: "TLS_RSA_WITH_AES_128_GCM_SHA256", ossl: "AES128-GCM-SHA256",
		kx: kxRSA, auth: authRSA, hash: crypto.SHA256, keyLen: 16, ivLen: 4, aead: keys.NewAESGCM},
	{id: TLS_RSA_WITH_AES_256_GCM_SHA384, name: "TLS_RSA_WITH_AES_256_GCM_SHA384", ossl: "AES256-GCM-SHA384",
		kx: kxRSA, auth: authRSA, hash: crypto.SHA384, keyLen: 32, ivLen: 4, aead: keys.NewAESGCM},
	{id: TLS_RSA_WITH_AES_128_CBC_SHA, name: "TLS_RSA_WITH_AES_128_CBC_SHA", ossl: "AES128-SHA",
		kx: kxRSA, auth: authRSA, hash: crypto.SHA256, keyLen: 16, mac: crypto.SHA1},
	{id: TLS_RSA_WITH_AES_256_CBC_SHA, name: "TLS_RSA_WITH_AES_256_CBC_SHA", ossl: "AES256-SHA",
		kx: kxRSA, auth: authRSA, hash: crypto.SHA256, keyLen: 32, mac: crypto.SHA1},
	{id: TLS_RSA_WITH_AES_128_CBC_SHA256, name: "TLS_RSA_WITH_AES_128_CBC_SHA256", ossl: "AES128-SHA256",
		kx: kxRSA, auth: authRSA, hash: crypto.SHA256, keyLen: 16, mac: crypto.SHA256},
	{id: TLS_RSA_WITH_AES_256_CBC_SHA256, name: "TLS_RSA_WITH_AES_256_CBC_SHA256", ossl: "AES256-SHA256",
		kx: kxRSA, auth: authRSA, hash: crypto.SHA256, keyLen: 32, mac: crypto.SHA256},
}

// DefaultCipherSuites returns the suites enabled when Config.CipherSuites
// is nil: ECDHE with AEADs only, in the server's default preference order.
// The slice is a fresh copy: changing it changes nothing else.
func DefaultCipherSuites() []uint16 { return slices.Clone(defaultCipherSuites) }

var defaultCipherSuites = []uint16{
	TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// hasAESHardware reports whether AES-GCM runs in hardware here; without it a
// server honours a client that prefers ChaCha20-Poly1305 (as crypto/tls does).
var hasAESHardware = cpu.X86.HasAES && cpu.X86.HasPCLMULQDQ ||
	cpu.ARM64.HasAES && cpu.ARM64.HasPMULL ||
	cpu.S390X.HasAES && cpu.S390X.HasAESGCM

func suiteByID(id uint16) *cipherSuite {
	for _, s := range cipherSuites {
		if s.id == id {
			return s
		}
	}
	return nil
}

// CipherSuiteName returns the IANA name of a suite, or "" if unknown.
func CipherSuiteName(id uint16) string {
	if s := suiteByID(id); s != nil {
		return s.name
	}
	return ""
}

// CipherSuiteByName looks a supported suite up by its IANA or OpenSSL name.
func CipherSuiteByName(name string) (uint16, bool) {
	for _, s := range cipherSuites {
		if s.name == name || s.ossl == name {
			return s.id, true
		}
	}
	return 0, false
}

// CipherSuiteInfo describes a supported suite.
type CipherSuiteInfo struct {
	ID          uint16
	Name        string // IANA
	OpenSSLName string
	Default     bool // enabled when Config.CipherSuites is nil
}

// SupportedCipherSuites lists every suite the machine implements.
func SupportedCipherSuites() []CipherSuiteInfo {
	out := make([]CipherSuiteInfo, 0, len(cipherSuites))
	for _, s := range cipherSuites {
		out = append(out, CipherSuiteInfo{s.id, s.name, s.ossl, slices.Contains(defaultCipherSuites, s.id)})
	}
	return out
}

func (cfg *Config) suites() []uint16 {
	if len(cfg.CipherSuites) > 0 {
		return cfg.CipherSuites
	}
	return defaultCipherSuites
}

// maxEnabledSuites bounds the suites a Config enables without allocating.
const maxEnabledSuites = 32

// enabledSuites returns the configured suites that the machine implements.
// They are appended to buf's array (a caller's stack array costs no
// allocation); more than fit would spill to the heap.
func (cfg *Config) enabledSuites(buf *[maxEnabledSuites]*cipherSuite) []*cipherSuite {
	out := buf[:0]
	for _, id := range cfg.suites() {
		if s := suiteByID(id); s != nil && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
