package wasm

import (
	"errors"

	"github.com/sanstls/sanstls/machine"
)

// MaxStores caps the named session stores of one module, and maxServerSessions
// the session IDs one store remembers for servers.
const (
	MaxStores         = 64
	maxServerSessions = 256
)

var errStoreLimit = errors.New("wasm: config: MaxStores session stores already exist")

// sessionStore is one named store of [HostConfig.SessionCache]: the last
// session of the clients that use it and the sessions a server issued IDs
// for. Both sides of a connection may name the same store; they use
// different halves of it.
type sessionStore struct {
	client *machine.ClientSession
	server map[string][]byte
	order  []string // server IDs, oldest first, to evict
}

// store returns the named store, creating it.
func (m *Module) store(name string) (*sessionStore, error) {
	if s, ok := m.stores[name]; ok {
		return s, nil
	}
	if len(m.stores) >= MaxStores {
		return nil, errStoreLimit
	}
	if m.stores == nil {
		m.stores = make(map[string]*sessionStore)
	}
	s := &sessionStore{server: make(map[string][]byte)}
	m.stores[name] = s
	return s, nil
}

// clientCache is the client half of a store ([machine.ClientSessionCache]).
// It keeps one session whatever the server name: a store is per page or per
// test, not a browser's cache.
type clientCache struct{ s *sessionStore }

func (c clientCache) Get(string) (*machine.ClientSession, bool) {
	return c.s.client, c.s.client != nil
}

func (c clientCache) Put(_ string, cs *machine.ClientSession) { c.s.client = cs }

// serverCache is the server half of a store ([machine.SessionCache]).
type serverCache struct{ s *sessionStore }

func (c serverCache) Get(id []byte) ([]byte, bool) {
	st, ok := c.s.server[string(id)]
	return st, ok
}

func (c serverCache) Put(id, state []byte) {
	key := string(id)
	if _, ok := c.s.server[key]; !ok {
		if len(c.s.order) >= maxServerSessions {
			delete(c.s.server, c.s.order[0])
			c.s.order = c.s.order[1:]
		}
		c.s.order = append(c.s.order, key)
	}
	c.s.server[key] = append([]byte(nil), state...)
}
