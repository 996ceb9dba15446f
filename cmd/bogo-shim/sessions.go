package main

import (
	"crypto/rand"
	"io"

	"github.com/sanstls/sanstls/machine"
)

// sessions is what the connections of one shim process share, as the
// connections of BoringSSL's shim share an SSL_CTX: the client session
// cache, the server's session cache and ticket key. It also counts the
// sessions each connection stored, for BoringSSL's "new session" checks.
type sessions struct {
	client    clientCache
	server    serverCache
	ticketKey [32]byte
	// verifyFailed is the certificate verification result of the last
	// full handshake, which a resumption inherits.
	verifyFailed bool
}

func newSessions() (*sessions, error) {
	s := &sessions{
		client: clientCache{m: map[string]*machine.ClientSession{}},
		server: serverCache{m: map[string][]byte{}},
	}
	if _, err := io.ReadFull(rand.Reader, s.ticketKey[:]); err != nil {
		return nil, err
	}
	return s, nil
}

// clientCache is a machine.ClientSessionCache in a map.
type clientCache struct {
	m    map[string]*machine.ClientSession
	puts int
}

func (c *clientCache) Get(key string) (*machine.ClientSession, bool) {
	s, ok := c.m[key]
	return s, ok
}

func (c *clientCache) Put(key string, s *machine.ClientSession) {
	if s == nil {
		delete(c.m, key)
		return
	}
	c.m[key] = s
	c.puts++
}

// serverCache is a machine.SessionCache in a map.
type serverCache struct {
	m    map[string][]byte
	puts int
}

func (c *serverCache) Get(id []byte) ([]byte, bool) {
	s, ok := c.m[string(id)]
	return s, ok
}

func (c *serverCache) Put(id, state []byte) {
	if state == nil {
		delete(c.m, string(id)) // a failed connection's session
		return
	}
	c.m[string(id)] = append([]byte(nil), state...)
	c.puts++
}

// configure enables resumption on cfg: a client caches sessions; a server
// issues tickets (unless -no-ticket) and caches sessions by ID.
func (s *sessions) configure(cfg *machine.Config, o *options) error {
	if !o.server {
		if o.noTicket {
			// The machine client always offers tickets when it caches
			// sessions.
			return unimplementedf("client without session tickets (-no-ticket)")
		}
		cfg.ClientSessionCache = &s.client
		return nil
	}
	cfg.SessionCache = &s.server
	if !o.noTicket {
		cfg.TicketKeys = [][32]byte{s.ticketKey}
	}
	return nil
}

// stored returns how many sessions the cache of our role has stored.
func (s *sessions) stored(server bool) int {
	if server {
		return s.server.puts
	}
	return s.client.puts
}
