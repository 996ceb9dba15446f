package netconn

import (
	"container/list"
	"sync"

	"github.com/sanstls/sanstls/machine"
)

// NewLRUClientSessionCache returns a machine.ClientSessionCache holding at
// most capacity sessions (64 if capacity < 1), safe for concurrent use, that
// evicts the least recently used. Pass it as Config.ClientSessionCache to
// resume sessions across connections.
func NewLRUClientSessionCache(capacity int) machine.ClientSessionCache {
	return &clientCache{lru: newLRU[string, *machine.ClientSession](capacity)}
}

// NewLRUSessionCache returns a server machine.SessionCache for session-ID
// resumption, bounded and safe for concurrent use.
func NewLRUSessionCache(capacity int) machine.SessionCache {
	return &serverCache{lru: newLRU[string, []byte](capacity)}
}

type clientCache struct {
	lru *lru[string, *machine.ClientSession]
}

func (c *clientCache) Get(key string) (*machine.ClientSession, bool) { return c.lru.get(key) }
func (c *clientCache) Put(key string, s *machine.ClientSession) {
	if s == nil {
		c.lru.remove(key)
		return
	}
	c.lru.put(key, s)
}

type serverCache struct{ lru *lru[string, []byte] }

func (c *serverCache) Get(id []byte) ([]byte, bool) { return c.lru.get(string(id)) }
func (c *serverCache) Put(id, state []byte) {
	if state == nil {
		c.lru.remove(string(id)) // the machine forgets a failed session
		return
	}
	c.lru.put(string(id), state)
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

// lru is a mutex-guarded least-recently-used map.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	cap   int
	order *list.List // front: most recent
	items map[K]*list.Element
}

func newLRU[K comparable, V any](capacity int) *lru[K, V] {
	if capacity < 1 {
		capacity = 64
	}
	return &lru[K, V]{cap: capacity, order: list.New(), items: make(map[K]*list.Element)}
}

func (l *lru[K, V]) get(k K) (V, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[k]; ok {
		l.order.MoveToFront(e)
		return e.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

func (l *lru[K, V]) put(k K, v V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[k]; ok {
		e.Value.(*lruEntry[K, V]).val = v
		l.order.MoveToFront(e)
		return
	}
	l.items[k] = l.order.PushFront(&lruEntry[K, V]{k, v})
	if l.order.Len() > l.cap {
		last := l.order.Back()
		l.order.Remove(last)
		delete(l.items, last.Value.(*lruEntry[K, V]).key)
	}
}

func (l *lru[K, V]) remove(k K) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[k]; ok {
		l.order.Remove(e)
		delete(l.items, k)
	}
}
