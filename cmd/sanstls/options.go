package main

// Flag values and the option parsing shared by the subcommands.

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// commaList is a flag value holding a comma-separated list; repeating the
// flag appends to it ("-alpn h2 -alpn http/1.1" equals "-alpn h2,http/1.1").
type commaList []string

func (l *commaList) String() string { return strings.Join(*l, ",") }

func (l *commaList) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v == "" {
			return fmt.Errorf("empty element in %q", s)
		}
		*l = append(*l, v)
	}
	return nil
}

// repeated is a flag value that records every occurrence of a flag
// (-cert a.pem -cert b.pem).
type repeated []string

func (l *repeated) String() string { return strings.Join(*l, " ") }

func (l *repeated) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// supportedGroups are the key exchange groups the machine implements: the
// elliptic curves in its default preference order, then the RFC 7919
// finite-field groups that DHE suites use.
var supportedGroups = []machine.Group{machine.X25519, machine.CurveP256, machine.CurveP384, machine.CurveP521,
	messages.GroupFFDHE2048, messages.GroupFFDHE3072, messages.GroupFFDHE4096}

// groupAliases maps the spellings accepted by -group(s) to groups: OpenSSL's
// ("X25519", "P-256", "prime256v1", "ffdhe2048"), IANA's ("secp256r1") and
// GnuTLS's ("SECP256R1", "FFDHE2048"), compared case-insensitively.
var groupAliases = map[string]machine.Group{
	"x25519": machine.X25519,
	"p-256":  machine.CurveP256, "p256": machine.CurveP256, "secp256r1": machine.CurveP256, "prime256v1": machine.CurveP256,
	"p-384": machine.CurveP384, "p384": machine.CurveP384, "secp384r1": machine.CurveP384,
	"p-521": machine.CurveP521, "p521": machine.CurveP521, "secp521r1": machine.CurveP521,
	"ffdhe2048": messages.GroupFFDHE2048, "ffdhe3072": messages.GroupFFDHE3072, "ffdhe4096": messages.GroupFFDHE4096,
}

// parseGroup accepts any spelling in groupAliases.
func parseGroup(name string) (machine.Group, error) {
	if g, ok := groupAliases[strings.ToLower(name)]; ok {
		return g, nil
	}
	return 0, fmt.Errorf("unknown or unsupported group %q (supported: X25519, P-256, P-384, P-521, ffdhe2048, ffdhe3072, ffdhe4096)", name)
}

// parseGroups parses a -groups list; an empty list means the default (nil).
// ECDHE suites use the curves of the list, DHE suites its RFC 7919 groups
// (all three when it names none: machine.Config.Groups).
func parseGroups(names []string) ([]machine.Group, error) {
	var out []machine.Group
	for _, n := range names {
		g, err := parseGroup(n)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out, nil
}

// suiteShorthands are the names -suites accepts for whole sets, as
// OpenSSL's cipher strings do: DEFAULT is the machine's secure default
// (ECDHE with AEAD), ALL every implemented suite in the machine's order,
// LEGACY the ones not enabled by default (CBC, DHE, RSA key exchange).
func suiteShorthand(name string) ([]uint16, bool) {
	var out []uint16
	switch strings.ToUpper(name) {
	case "DEFAULT":
		return machine.DefaultCipherSuites(), true
	case "ALL":
		out = machine.DefaultCipherSuites()
		for _, s := range machine.SupportedCipherSuites() {
			if !slices.Contains(out, s.ID) {
				out = append(out, s.ID)
			}
		}
		return out, true
	case "LEGACY":
		for _, s := range machine.SupportedCipherSuites() {
			if !slices.Contains(machine.DefaultCipherSuites(), s.ID) {
				out = append(out, s.ID)
			}
		}
		return out, true
	}
	return nil, false
}

// sigAlgAliases maps OpenSSL's "ALG+HASH" spellings to schemes; IANA names
// ("rsa_pss_rsae_sha256") and hexadecimal codes are accepted too.
var sigAlgAliases = map[string]machine.SignatureScheme{
	"ecdsa+sha256": messages.SignatureECDSAP256SHA256, "ecdsa+sha384": messages.SignatureECDSAP384SHA384,
	"ecdsa+sha512": messages.SignatureECDSAP521SHA512, "ed25519": messages.SignatureEd25519,
	"rsa+sha256": messages.SignatureRSAPKCS1SHA256, "rsa+sha384": messages.SignatureRSAPKCS1SHA384,
	"rsa+sha512": messages.SignatureRSAPKCS1SHA512, "rsa-pss+sha256": messages.SignatureRSAPSSRSAESHA256,
	"rsa-pss+sha384": messages.SignatureRSAPSSRSAESHA384, "rsa-pss+sha512": messages.SignatureRSAPSSRSAESHA512,
}

// supportedSigAlgs are the schemes the machine implements: its defaults
// plus ECDSA with P-521, which is opt-in (RFC 9155 leaves SHA-1 and MD5
// out altogether).
var supportedSigAlgs = append(machine.DefaultSignatureSchemes(), messages.SignatureECDSAP521SHA512)

// parseSigAlgs parses a -sigalgs list of supportedSigAlgs.
func parseSigAlgs(names []string) ([]machine.SignatureScheme, error) {
	var out []machine.SignatureScheme
	for _, n := range names {
		s, ok := sigAlgAliases[strings.ToLower(n)]
		if !ok {
			for _, d := range supportedSigAlgs {
				var code uint16
				if strings.EqualFold(d.String(), n) ||
					(strings.HasPrefix(strings.ToLower(n), "0x") && sscanHex(n, &code) && code == uint16(d)) {
					s, ok = d, true
				}
			}
		}
		if !ok {
			return nil, fmt.Errorf("unknown or unsupported signature scheme %q (see `sanstls list`)", n)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func sscanHex(s string, v *uint16) bool {
	_, err := fmt.Sscanf(strings.ToLower(s), "0x%04x", v)
	return err == nil
}

// parseSuite accepts an IANA name (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
// an OpenSSL name (ECDHE-RSA-AES128-GCM-SHA256) or a hexadecimal code
// (0xc02f).
func parseSuite(name string) (uint16, error) {
	if id, ok := machine.CipherSuiteByName(name); ok {
		return id, nil
	}
	if id, ok := machine.CipherSuiteByName(strings.ToUpper(name)); ok {
		return id, nil
	}
	var code uint16
	if _, err := fmt.Sscanf(strings.ToLower(name), "0x%04x", &code); err == nil && machine.CipherSuiteName(code) != "" {
		return code, nil
	}
	return 0, fmt.Errorf("unknown or unsupported cipher suite %q (see `sanstls list`)", name)
}

// parseSuites parses a -suites list; an empty list means the default (nil).
// A shorthand (ALL, DEFAULT, LEGACY) adds its whole set; duplicates keep
// their first place, so "ECDHE-RSA-AES128-SHA,DEFAULT" puts that suite first.
func parseSuites(names []string) ([]uint16, error) {
	var out []uint16
	for _, n := range names {
		ids, ok := suiteShorthand(n)
		if !ok {
			id, err := parseSuite(n)
			if err != nil {
				return nil, err
			}
			ids = []uint16{id}
		}
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// suiteNeedsRSA reports whether a suite authenticates the server with an RSA
// certificate (ECDHE_RSA) rather than an ECDSA or Ed25519 one.
func suiteNeedsRSA(id uint16) bool {
	return strings.Contains(machine.CipherSuiteName(id), "_RSA_")
}

// clientAuthModes are the values of the server's -client-auth flag.
var clientAuthModes = map[string]machine.ClientAuthType{
	"none":            machine.NoClientCert,
	"request":         machine.RequestClientCert,
	"require":         machine.RequireAnyClientCert,
	"verify-if-given": machine.VerifyClientCertIfGiven,
	"verify":          machine.RequireAndVerifyClientCert,
}

func parseClientAuth(s string) (machine.ClientAuthType, error) {
	if m, ok := clientAuthModes[s]; ok {
		return m, nil
	}
	return 0, fmt.Errorf("unknown -client-auth %q (want none, request, require, verify-if-given or verify)", s)
}

// loadCertificates pairs -cert and -key files in order; each cert file may
// hold a chain (leaf first).
func loadCertificates(certFiles, keyFiles []string) ([]machine.Certificate, error) {
	if len(certFiles) != len(keyFiles) {
		return nil, fmt.Errorf("%d -cert but %d -key flags: give them in pairs", len(certFiles), len(keyFiles))
	}
	var out []machine.Certificate
	for i := range certFiles {
		certPEM, err := os.ReadFile(certFiles[i])
		if err != nil {
			return nil, err
		}
		keyPEM, err := os.ReadFile(keyFiles[i])
		if err != nil {
			return nil, err
		}
		cert, err := machine.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("%s, %s: %w", certFiles[i], keyFiles[i], err)
		}
		out = append(out, cert)
	}
	return out, nil
}

// loadPool reads PEM certificates into a pool.
func loadPool(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s: no PEM certificates", path)
	}
	return pool, nil
}

// keyLog is a key log file shared by concurrent connections: each machine
// writes a whole line per Write, and the lock keeps lines whole.
type keyLog struct {
	mu sync.Mutex
	f  *os.File
}

func (k *keyLog) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.f.Write(p)
}

func (k *keyLog) Close() error { return k.f.Close() }

// openKeyLog opens the NSS key log file named by -keylog or, when that is
// empty, by the SSLKEYLOGFILE environment variable (the convention of NSS,
// OpenSSL's applications, curl and browsers). It returns nil, nil when
// neither is set. Lines are appended.
func openKeyLog(path string, getenv func(string) string) (io.WriteCloser, error) {
	if path == "" {
		path = getenv("SSLKEYLOGFILE")
	}
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("key log: %w", err)
	}
	return &keyLog{f: f}, nil
}

// errUsage marks an error in the command line; run prints it with the usage
// hint and exits with status 2.
var errUsage = errors.New("usage")

// usageError wraps a command-line mistake.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// errFlagParse marks a flag the flag package rejected; it has already
// printed the problem and the usage.
var errFlagParse = errors.New("bad flag")

// parseFlags parses args with fs and checks that no arguments remain.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errFlagParse, err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments %q", fs.Args())
	}
	return nil
}
