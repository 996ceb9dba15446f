package machine

// maybeFalseStart enters False Start (RFC 7918) after a client's Finished in
// a full, first handshake when the parameters qualify: Section 3 asks for a
// forward-secret key exchange and a strong symmetric cipher; like BoringSSL
// and browsers we accept only ECDHE with an AEAD suite, and want ALPN as
// the server's sign that it expects False Start (Section 5 discusses
// servers that do not).
func (c *Conn) maybeFalseStart() {
	cfg := c.cfg
	if !cfg.FalseStart || !c.isClient || c.handshakeDone || c.renegotiating {
		return
	}
	if c.suite.kx != kxECDHE || c.suite.cbc() {
		return
	}
	if c.hcs.NegotiatedProtocol == "" && !cfg.FalseStartWithoutALPN {
		return
	}
	c.falseStarted = true
	c.events.push(Event{Kind: EventFalseStart})
}
