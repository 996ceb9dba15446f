package machine

import "bytes"

// tlsUnique returns the tls-unique channel binding of the handshake that
// just completed (RFC 5929, Section 3.1): "the first TLS Finished message
// sent (note: the Finished struct, not the TLS record layer message
// containing it) in the most recent TLS handshake", that is the client's
// verify_data after a full handshake and the server's after an abbreviated
// one.
//
// A resumption without extended master secret gets none: the resumed
// session may be shared with another connection whose Finished values an
// attacker controls, so the value would not be unique (RFC 7627, Section 1;
// BoringSSL refuses it the same way).
func (c *Conn) tlsUnique() []byte {
	if !c.cs.DidResume {
		return bytes.Clone(c.clientFinished[:])
	}
	if !c.cs.ExtendedMasterSecret {
		return nil
	}
	return bytes.Clone(c.serverFinished[:])
}
