package machine

// Client resumption re-checks trust (security.md rows 18 and 19). An
// abbreviated handshake has no Certificate message: the server proves only
// that it holds the session's master secret. So a client offers a session
// only if the chain the session was made with would be accepted by its
// current settings now, as crypto/tls's client does.

import "crypto/x509"

// A resumption is what resumableChains found out about a cached session:
// its chain parsed, the chains it verifies to now (nil under
// InsecureSkipVerify) and the record of the default verification, which the
// session made from this resumption keeps.
type resumption struct {
	certs        []*x509.Certificate
	chains       [][]*x509.Certificate
	verification *Verification
}

// resumableChains decides whether a cached session may be offered under
// the current Config. It returns what it found (see resumption), ok, and
// whether the entry is stale and should leave the cache.
//
//   - InsecureSkipVerify skips the default verification, not the VerifyPeer
//     hook, which a full handshake would also run: the hook judges the
//     stored chain (BoringSSL's custom verify callback runs on resumption
//     too when asked to), and a session it refuses leaves the cache.
//   - Otherwise the session must have been verified when it was made (not
//     under InsecureSkipVerify, whatever hook ran then), and its stored chain
//     must verify again: path to the current RootCAs at Config.Time, the
//     host name Config.ServerName (a cache keyed wrongly cannot hand over a
//     session for another host), then the VerifyPeer hook. With DeferVerify
//     the caller's verification cannot run here, so the default one against
//     RootCAs must pass on its own.
//
// The default verification is not run again when the session's record of
// it applies: made against the same RootCAs pool (pointer), for the same
// ServerName, with Config.Time inside every verified certificate's validity
// window (Verification.appliesTo). Those are all x509 verification depends
// on, so the answer would be the same; a resumption no longer pays a parse
// and a path build (~75 µs) when no CertCache remembers them. Anything else
// verifies in full as before, and the VerifyPeer hook always runs.
func (c *Conn) resumableChains(sess *ClientSession) (r resumption, ok, stale bool) {
	cfg := c.cfg
	st := &sess.state
	r.certs, r.verification = sess.certs, sess.trust
	if cfg.InsecureSkipVerify && (cfg.VerifyPeer == nil || cfg.DeferVerify) {
		return r, true, false
	}
	if !cfg.InsecureSkipVerify && (!sess.verified || len(st.peerChain) == 0) {
		return resumption{}, false, false // verified under other settings, or not at all
	}
	if r.certs == nil {
		certs, err := parseChain(cfg.CertCache, st.peerChain)
		if err != nil {
			return resumption{}, false, true
		}
		r.certs = certs
	}
	pc := &PeerCerts{
		Chain:        st.peerChain,
		Certificates: r.certs,
		ServerName:   cfg.ServerName,
		OCSP:         st.ocsp,
		Now:          c.now(),
		IsClient:     true,
		Resumption:   true,
	}
	if !cfg.InsecureSkipVerify {
		if r.verification.appliesTo(pc, cfg.RootCAs, cfg.ServerName) {
			r.chains = r.verification.chains
		} else {
			var err error
			if r.chains, r.verification, err = verifyChainKeep(cfg.CertCache, pc, cfg.RootCAs, true); err != nil {
				return resumption{}, false, true
			}
		}
	}
	// The caller's verification: under DeferVerify it cannot run here.
	if cfg.VerifyPeer != nil && !cfg.DeferVerify {
		if err := cfg.VerifyPeer(pc); err != nil {
			return resumption{}, false, true
		}
	}
	return r, true, false
}
