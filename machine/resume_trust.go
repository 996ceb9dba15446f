package machine

// Client resumption re-checks trust (security.md rows 18 and 19). An
// abbreviated handshake has no Certificate message: the server proves only
// that it holds the session's master secret. So a client offers a session
// only if the chain the session was made with would be accepted by its
// current settings now, as crypto/tls's client does.

import "crypto/x509"

// resumableChains decides whether a cached session may be offered under
// the current Config. It returns the chains the stored server chain verifies
// to now (nil under InsecureSkipVerify), ok, and whether the entry is stale
// and should leave the cache.
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
func (c *Conn) resumableChains(sess *ClientSession) (chains [][]*x509.Certificate, ok, stale bool) {
	cfg := c.cfg
	st := &sess.state
	if cfg.InsecureSkipVerify && (cfg.VerifyPeer == nil || cfg.DeferVerify) {
		return nil, true, false
	}
	if !cfg.InsecureSkipVerify && (!sess.verified || len(st.peerChain) == 0) {
		return nil, false, false // verified under other settings, or not at all
	}
	certs, err := parseChain(cfg.CertCache, st.peerChain)
	if err != nil {
		return nil, false, true
	}
	pc := &PeerCerts{
		Chain:        st.peerChain,
		Certificates: certs,
		ServerName:   cfg.ServerName,
		OCSP:         st.ocsp,
		Now:          c.now(),
		IsClient:     true,
		Resumption:   true,
	}
	if cfg.DeferVerify {
		chains, err = verifyChain(cfg.CertCache, pc, cfg.RootCAs)
	} else {
		chains, err = cfg.VerifyPeerCerts(pc)
	}
	if err != nil {
		return nil, false, true
	}
	return chains, true, false
}
