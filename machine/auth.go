package machine

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io"
	"slices"

	"github.com/sanstls/sanstls/keys"
	"github.com/sanstls/sanstls/messages"
)

// VerifyChain performs the default verification of a peer's chain: path
// building to roots at pc.Now, the extended key usage for the peer's role,
// and (when the peer is a server) the host name pc.ServerName. It is what
// the machine runs unless InsecureSkipVerify is set, exported for callers
// using DeferVerify.
func VerifyChain(pc *PeerCerts, roots *x509.CertPool) ([][]*x509.Certificate, error) {
	return verifyChain(nil, pc, roots)
}

// verifyChain is VerifyChain with an optional cache of earlier successes.
func verifyChain(cache CertCache, pc *PeerCerts, roots *x509.CertPool) ([][]*x509.Certificate, error) {
	chains, _, err := verifyChainKeep(cache, pc, roots, false)
	return chains, err
}

// verifyChainKeep is verifyChain that, with keep set, also returns the
// record of the verification, which a client session keeps to skip the
// verification on resumption while it still applies (resumableChains).
// Records kept without a cache share pc's Raw bytes: keep only for
// certificates the machine parsed.
func verifyChainKeep(cache CertCache, pc *PeerCerts, roots *x509.CertPool, keep bool) ([][]*x509.Certificate, *Verification, error) {
	if len(pc.Certificates) == 0 {
		return nil, nil, &verifyError{messages.AlertBadCertificate, errors.New("no certificates")}
	}
	name := ""
	if pc.IsClient {
		// Without a name, x509 would skip the host name check and accept
		// any certificate the roots vouch for, for any host.
		if pc.ServerName == "" {
			return nil, nil, &verifyError{messages.AlertBadCertificate, errNoServerName}
		}
		name = pc.ServerName
	}
	if roots == nil {
		return nil, nil, &verifyError{messages.AlertUnknownCA, errors.New("no root certificates configured")}
	}
	if v := cachedVerification(cache, pc, roots, name); v != nil {
		return v.chains, v, nil
	}
	opts := x509.VerifyOptions{
		Roots:         roots,
		CurrentTime:   pc.Now,
		Intermediates: x509.NewCertPool(),
		DNSName:       name,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if !pc.IsClient {
		opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	for _, cert := range pc.Certificates[1:] {
		opts.Intermediates.AddCert(cert)
	}
	chains, err := pc.Certificates[0].Verify(opts)
	if err != nil {
		return nil, nil, &verifyError{alertForX509(err), err}
	}
	var v *Verification
	if (keep || cache != nil) && len(chains) > 0 {
		v = newVerification(pc, roots, name, chains, cache != nil)
		if cache != nil {
			cache.AddVerification(v)
		}
	}
	return chains, v, nil
}

// alertForX509 maps crypto/x509 failures to the alerts of RFC 5246 §7.2.2.
func alertForX509(err error) Alert {
	var cie x509.CertificateInvalidError
	if errors.As(err, &cie) {
		if cie.Reason == x509.Expired {
			return messages.AlertCertificateExpired
		}
		return messages.AlertBadCertificate
	}
	var uae x509.UnknownAuthorityError
	if errors.As(err, &uae) {
		return messages.AlertUnknownCA
	}
	return messages.AlertBadCertificate
}

// parseChain parses the peer's certificates.
func parseChain(cache CertCache, chain [][]byte) ([]*x509.Certificate, error) {
	certs := make([]*x509.Certificate, len(chain))
	for i, der := range chain {
		cert, err := parseCertificate(cache, der)
		if err != nil {
			return nil, wrapf(errBadCertificate, "certificate %d: %v", i, err)
		}
		certs[i] = cert
	}
	return certs, nil
}

// VerifyPeerCerts runs the verification this Config asks for on a peer's
// chain and returns the verified chains: the default x509 verification
// (VerifyChain against RootCAs when pc is a server's chain, against ClientCAs
// when ClientAuth is VerifyClientCertIfGiven or stricter), unless
// InsecureSkipVerify is set, then the VerifyPeer hook. It is what the machine
// runs synchronously; with DeferVerify, callers run it (off their event loop)
// and pass the result to ResolveVerifyChains. It reads only cfg and pc.
func (cfg *Config) VerifyPeerCerts(pc *PeerCerts) ([][]*x509.Certificate, error) {
	chains, _, err := cfg.verifyPeerCerts(pc, false)
	return chains, err
}

// verifyPeerCerts is VerifyPeerCerts that, with keep set, also returns the
// record of the default verification, if one ran (see verifyChainKeep).
func (cfg *Config) verifyPeerCerts(pc *PeerCerts, keep bool) ([][]*x509.Certificate, *Verification, error) {
	var chains [][]*x509.Certificate
	var v *Verification
	roots, verify := cfg.RootCAs, true
	if !pc.IsClient {
		roots, verify = cfg.ClientCAs, cfg.ClientAuth >= VerifyClientCertIfGiven
	}
	if verify && !cfg.InsecureSkipVerify {
		var err error
		if chains, v, err = verifyChainKeep(cfg.CertCache, pc, roots, keep); err != nil {
			return nil, nil, err
		}
	}
	if cfg.VerifyPeer != nil {
		if err := cfg.VerifyPeer(pc); err != nil {
			return nil, nil, callerVerifyError(err)
		}
	}
	return chains, v, nil
}

// checkPeer verifies a peer chain synchronously. It returns the record of
// the default verification when a client keeps sessions (storeSession puts
// it in the session for resumableChains), else nil.
func (c *Conn) checkPeer(pc *PeerCerts) (*Verification, error) {
	keep := pc.IsClient && c.cfg.ClientSessionCache != nil
	chains, v, err := c.cfg.verifyPeerCerts(pc, keep)
	if err != nil {
		return nil, err
	}
	c.hcs.VerifiedChains = chains
	return v, nil
}

// callerVerifyError turns an error from a verification hook into a failure
// with the alert the caller chose (via *AlertError) or bad_certificate.
func callerVerifyError(err error) error {
	var ae *AlertError
	if errors.As(err, &ae) {
		return &verifyError{ae.Alert, err}
	}
	var ve *verifyError
	if errors.As(err, &ve) {
		return ve
	}
	return &verifyError{messages.AlertBadCertificate, err}
}

// authOfKey returns the TLS 1.2 authentication type a public key provides.
func authOfKey(pub crypto.PublicKey) authType {
	switch pub.(type) {
	case *rsa.PublicKey:
		return authRSA
	case *ecdsa.PublicKey, ed25519.PublicKey:
		return authECDSA // RFC 8422: ECDHE_ECDSA suites also carry Ed25519
	}
	return 0
}

// schemeFitsKey reports whether scheme can sign with pub in TLS 1.2.
func schemeFitsKey(scheme SignatureScheme, pub crypto.PublicKey) bool {
	return keys.SchemeMatchesKey(uint16(scheme), pub)
}

// groupOfKey returns the curve of an ECDSA key as a NamedGroup (0 if none).
func groupOfKey(pub crypto.PublicKey) Group {
	if k, ok := pub.(*ecdsa.PublicKey); ok {
		switch k.Curve {
		case elliptic.P256():
			return messages.GroupP256
		case elliptic.P384():
			return messages.GroupP384
		case elliptic.P521():
			return messages.GroupP521
		}
	}
	return 0
}

// pickScheme chooses the first of our schemes that the peer accepts and our
// key can produce (RFC 5246, Section 7.4.1.4.1), preferring one whose curve
// matches an ECDSA key (TLS 1.2 does not bind them, but peers that follow
// the TLS 1.3 pairing appreciate it).
func pickScheme(ours, peers []SignatureScheme, pub crypto.PublicKey) (SignatureScheme, bool) {
	for _, s := range ours {
		if slices.Contains(peers, s) && keys.SchemeCurveMatchesKey(uint16(s), pub) && rsaKeyFits(s, pub) {
			return s, true
		}
	}
	for _, s := range ours {
		if slices.Contains(peers, s) && schemeFitsKey(s, pub) && rsaKeyFits(s, pub) {
			return s, true
		}
	}
	return 0, false
}

// rsaKeyFits reports whether an RSA key is large enough to sign with
// scheme: RSA-PSS needs a modulus of at least 2*hLen+2 bytes (RFC 8017,
// Section 9.1.1, with a salt as long as the hash).
func rsaKeyFits(s SignatureScheme, pub crypto.PublicKey) bool {
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return true
	}
	h, ok := keys.SignatureHash(uint16(s))
	if !ok || h == 0 {
		return true
	}
	switch s {
	case messages.SignatureRSAPSSRSAESHA256, messages.SignatureRSAPSSRSAESHA384, messages.SignatureRSAPSSRSAESHA512:
		return k.Size() >= 2*h.Size()+2
	}
	return true
}

// signingSchemes is what a certificate may sign with.
func (cfg *Config) signingSchemes(cert *Certificate) []SignatureScheme {
	if len(cert.SignatureSchemes) > 0 {
		return cert.SignatureSchemes
	}
	if len(cfg.SignatureSchemes) == 0 {
		return defaultSigningSchemes
	}
	return cfg.sigSchemes()
}

// signedParams is what a ServerKeyExchange signature covers (RFC 5246,
// Section 7.4.3): client_random, server_random, then the parameters.
func (c *Conn) signedParams(params []byte) []byte {
	signed := make([]byte, 0, 64+len(params))
	return append(append(append(signed, c.clientRandom[:]...), c.serverRandom[:]...), params...)
}

// sign signs a digitally-signed struct with scheme. ECDSA signatures are
// made deterministic (RFC 6979, by passing no random source): on Go 1.26 a
// custom reader is ignored for ECDSA and the system source used instead,
// which would make runs irreproducible. RSA-PSS reads its salt from
// Config.Rand; PKCS #1 v1.5 and Ed25519 are deterministic.
func (c *Conn) sign(signer crypto.Signer, scheme SignatureScheme, msg []byte) ([]byte, error) {
	var rnd io.Reader = c.cfg.Rand
	if _, ok := signer.Public().(*ecdsa.PublicKey); ok {
		rnd = nil
	}
	return keys.Sign(signer, uint16(scheme), msg, rnd)
}

// verifySigned checks a peer's digitally-signed struct: the scheme must be
// one we offered (RFC 5246 Section 7.4.1.4.1) and fit the key.
func (c *Conn) verifySigned(pub crypto.PublicKey, sig messages.DigitallySigned, signed []byte) error {
	if !slices.Contains(c.cfg.sigSchemes(), sig.Algorithm) {
		return wrapf(errUnofferedSigAlg, "%v", sig.Algorithm)
	}
	if !schemeFitsKey(sig.Algorithm, pub) {
		return wrapf(errSigKeyMismatch, "%v", sig.Algorithm)
	}
	if err := keys.Verify(pub, uint16(sig.Algorithm), signed, sig.Signature); err != nil {
		return wrapf(errBadSignature, "%v", sig.Algorithm)
	}
	c.hcs.SignatureScheme = sig.Algorithm
	return nil
}
