package machine

// Sessions of failed connections are forgotten. RFC 5246, Section 7.2.2:
// "Servers and clients MUST forget any session-identifiers, keys, and
// secrets associated with a failed connection. Thus, any connection
// terminated with a fatal alert MUST NOT be resumed."
//
// The session a connection is associated with: on a client, the cached
// session it offered (until the server answers with a full handshake) or
// resumed, then the one it stored; on a server, the session ID it resumed
// from SessionCache or stored there. A session ticket cannot be revoked: the
// server keeps no state to remove, so a client that kept the ticket could
// still resume it; our client drops it, and a server relies on its peer
// doing the same.

import "github.com/sanstls/sanstls/messages"

// sessionLink is the session this connection is associated with.
type sessionLink struct {
	client *ClientSession // client: in ClientSessionCache under our key
	id     []byte         // server: in SessionCache under this ID
}

// forgetSession removes the connection's session from its cache after a
// fatal alert, sent or received. A client removes its cache entry only if
// it is still that session, not one another connection stored since.
func (c *Conn) forgetSession() {
	l := c.session
	if l == nil {
		return
	}
	c.session = nil
	switch {
	case l.client != nil && c.cfg.ClientSessionCache != nil:
		key := c.cfg.clientSessionKey()
		if cur, ok := c.cfg.ClientSessionCache.Get(key); ok && cur == l.client {
			c.cfg.ClientSessionCache.Put(key, nil)
		}
	case l.id != nil && c.cfg.SessionCache != nil:
		c.cfg.SessionCache.Put(l.id, nil)
	}
}

// linkSession makes the connection's session a client's cached one (s) or
// a server's session ID (id); both nil unlink it.
func (c *Conn) linkSession(s *ClientSession, id []byte) {
	if s == nil && id == nil {
		c.session = nil
		return
	}
	c.session = &sessionLink{client: s, id: id}
}

// ticketResumption reports whether a ClientHello's resumption attempt is
// by ticket, which findSession tries before SessionCache.
func (cfg *Config) ticketResumption(ch *messages.ClientHello) bool {
	return len(cfg.TicketKeys) > 0 && ch.SessionTicketSupported && len(ch.SessionTicket) > 0
}
