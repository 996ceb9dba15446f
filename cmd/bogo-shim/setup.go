package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// errInvalidSCTList is a -signed-cert-timestamps value that is not a valid
// SignedCertificateTimestampList.
var errInvalidSCTList = errors.New("invalid SCT list")

// Protocol versions as the runner writes them (decimal wire values).
const (
	versionTLS10 = 0x0301
	versionTLS11 = 0x0302
	versionTLS12 = 0x0303
	versionTLS13 = 0x0304
)

// checkVersions fails with unimplementedError unless the configured version
// range includes TLS 1.2, the only version sanstls speaks: a test that
// excludes it tests a version we do not have.
func checkVersions(o *options) error {
	lo, hi := versionTLS10, versionTLS13
	if o.minVersion != 0 {
		lo = o.minVersion
	}
	if o.maxVersion != 0 {
		hi = o.maxVersion
	}
	if o.noTLS12 || lo > versionTLS12 || hi < versionTLS12 {
		return unimplementedf("version range [%#x, %#x] without TLS 1.2", lo, hi)
	}
	if o.expectVersion != 0 && o.expectVersion != versionTLS12 {
		return unimplementedf("expects version %#x", o.expectVersion)
	}
	return nil
}

// supportedGroups maps -curves values to machine groups.
func supportedGroups(ids []uint16) ([]machine.Group, error) {
	var out []machine.Group
	for _, id := range ids {
		g := machine.Group(id)
		switch g {
		case machine.X25519, machine.CurveP256, machine.CurveP384, machine.CurveP521:
			out = append(out, g)
		default:
			return nil, unimplementedf("group %d", id)
		}
	}
	return out, nil
}

// loadedCred is a credential ready for the machine, with its position in
// BoringSSL's numbering (-1 for the default credential).
type loadedCred struct {
	number int
	cert   machine.Certificate
	prefs  []uint16
}

// loadCredentials reads every -new-x509-credential and the default
// credential (if any).
func loadCredentials(o *options) ([]loadedCred, error) {
	var out []loadedCred
	load := func(number int, c credential) error {
		if c.certFile == "" && c.keyFile == "" {
			return nil
		}
		certPEM, err := os.ReadFile(c.certFile)
		if err != nil {
			return err
		}
		keyPEM, err := os.ReadFile(c.keyFile)
		if err != nil {
			return err
		}
		cert, err := machine.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return fmt.Errorf("credential %d: %w", number, err)
		}
		if !o.declineOCSPCallback {
			cert.OCSPStaple = c.ocspResponse
		}
		cert.MustMatchIssuer = c.mustMatchIssuer
		if c.sctList != nil {
			// BoringSSL checks the list when it is configured.
			if cert.SignedCertificateTimestamps, err = messages.ParseSCTList(c.sctList); err != nil {
				return fmt.Errorf("credential %d: %w: %v", number, errInvalidSCTList, err)
			}
		}
		out = append(out, loadedCred{number: number, cert: cert, prefs: c.signingPrefs})
		return nil
	}
	// BoringSSL tries the credentials list first and the default
	// credential last (CertificateSelection-*-PreferenceOrder).
	for i, c := range o.creds {
		if err := load(i, c); err != nil {
			return nil, err
		}
	}
	if err := load(-1, o.defaultCred); err != nil {
		return nil, err
	}
	return out, nil
}

// verifySchemes is Config.SignatureSchemes: the -verify-prefs list (what
// we advertise and accept), or nil for the machine's defaults.
func verifySchemes(o *options) []machine.SignatureScheme {
	return toSchemes(usable(o.verifyPrefs))
}

// signingSchemes is a credential's Certificate.SignatureSchemes: its
// -signing-prefs. A credential without them signs with the machine's
// defaults, as BoringSSL's does, even when -verify-prefs narrows
// Config.SignatureSchemes (which a certificate would otherwise sign with).
func signingSchemes(o *options, prefs []uint16) []machine.SignatureScheme {
	if s := toSchemes(usable(prefs)); s != nil {
		return s
	}
	if len(usable(o.verifyPrefs)) > 0 {
		// The machine's signing defaults: its accept list plus the one
		// scheme of a P-521 key.
		return append(slices.Clone(machine.DefaultSignatureSchemes()), schemeECDSAP521SHA512)
	}
	return nil
}

func toSchemes(ids []uint16) []machine.SignatureScheme {
	var out []machine.SignatureScheme
	for _, id := range ids {
		out = append(out, machine.SignatureScheme(id))
	}
	return out
}

// schemeECDSAP521SHA512 is ecdsa_secp521r1_sha512 (RFC 8446, Section
// 4.2.3), which the machine signs with but does not accept by default.
const schemeECDSAP521SHA512 machine.SignatureScheme = 0x0603

// schemeRSAPKCS1MD5SHA1 is BoringSSL's private code point for the TLS 1.0
// and 1.1 MD5+SHA1 signature (SSL_SIGN_RSA_PKCS1_MD5_SHA1). BoringSSL
// ignores it in TLS 1.2 preference lists, so the shim drops it.
const schemeRSAPKCS1MD5SHA1 = 0xff01

func usable(prefs []uint16) []uint16 {
	var out []uint16
	for _, p := range prefs {
		if p != schemeRSAPKCS1MD5SHA1 {
			out = append(out, p)
		}
	}
	return out
}

// alpnRejectProtocol is a protocol no runner offers: with it as our only
// protocol, the machine refuses any client that offers ALPN (-reject-alpn).
const alpnRejectProtocol = "sanstls-bogo-reject"

// buildConfig turns one connection's options into a machine.Config.
func buildConfig(o *options, creds []loadedCred, v *verifier, tr *tracer) (*machine.Config, error) {
	cfg := &machine.Config{
		Rand: rand.Reader,
		Time: time.Now,
		// BoringSSL's shim replaces chain validation with its own callback,
		// which accepts unless -verify-fail: the runner's certificates are
		// not meant to chain to anything. Ours is v.check.
		InsecureSkipVerify: true,
		Trace:              tr.observe,
	}
	for _, c := range creds {
		cert := c.cert
		cert.SignatureSchemes = signingSchemes(o, c.prefs)
		cfg.Certificates = append(cfg.Certificates, cert)
	}
	if o.async {
		cfg.DeferVerify = true // answered by the transport via v.check
	} else {
		cfg.VerifyPeer = v.check
	}
	cfg.SignatureSchemes = verifySchemes(o)
	groups, err := supportedGroups(o.curves)
	if err != nil {
		return nil, err
	}
	cfg.Groups = groups
	cipher := o.cipher
	if cipher == "" {
		cipher = defaultCipherString
	}
	ids, err := parseCipherString(cipher)
	if err != nil {
		return nil, err
	}
	cfg.CipherSuites = ids
	if o.server {
		// BoringSSL servers follow the client's order unless a cipher
		// list or -server-preference is given.
		cfg.PreferClientCipherSuites = o.cipher == "" && !o.serverPref
		switch {
		case o.rejectALPN:
			cfg.NextProtos = []string{alpnRejectProtocol}
		case o.declineALPN:
		case o.selectALPN != "":
			cfg.NextProtos = []string{o.selectALPN}
		}
		cfg.ClientCANames = o.clientCAList
		switch {
		case o.verifyPeer:
			cfg.ClientAuth = machine.VerifyClientCertIfGiven
		case o.requireAnyClientCert:
			cfg.ClientAuth = machine.RequireAnyClientCert
		}
	} else {
		cfg.ServerName = o.hostName
		cfg.RequestSCTs = o.enableSCTs
		cfg.EnableGREASE = o.enableGREASE
		cfg.FalseStart = o.falseStart
		cfg.FalseStartWithoutALPN = o.falseStartNoALPN
		cfg.NextProtos = o.advertiseALPN
		cfg.Renegotiation = o.renegotiation
	}
	cfg.MaxSendFragment = o.maxSendFragment
	if o.server && o.failOCSPCallback {
		cfg.GetOCSPStaple = func(*machine.Certificate, string) ([]byte, error) {
			return nil, errors.New("-fail-ocsp-callback")
		}
	}
	if o.maxCertList > 0 {
		cfg.MaxHandshakeSize = o.maxCertList
	}
	return cfg, nil
}
