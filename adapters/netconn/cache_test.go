package netconn

import (
	"fmt"
	"sync"
	"testing"
)

func TestLRUEvictsLeastRecentlyUsed(t *testing.T) {
	c := NewLRUSessionCache(2)
	c.Put([]byte("a"), []byte("1"))
	c.Put([]byte("b"), []byte("2"))
	if _, ok := c.Get([]byte("a")); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	c.Put([]byte("c"), []byte("3")) // evicts b
	if _, ok := c.Get([]byte("b")); ok {
		t.Error("b should have been evicted")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.Get([]byte(k)); !ok {
			t.Errorf("%s missing", k)
		}
	}
}

func TestClientCacheRemoveAndConcurrency(t *testing.T) {
	c := NewLRUClientSessionCache(8)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				k := fmt.Sprint(i, j%3)
				c.Put(k, nil)
				c.Get(k)
			}
		}()
	}
	wg.Wait()
	if _, ok := c.Get("0 0"); ok {
		t.Error("Put(nil) did not remove the entry")
	}
}

// TestServerCacheRemove: the machine removes a failed connection's session
// with Put(id, nil) (RFC 5246, Section 7.2.2); the entry used to stay, as
// a nil state.
func TestServerCacheRemove(t *testing.T) {
	c := NewLRUSessionCache(2)
	c.Put([]byte("a"), []byte("1"))
	c.Put([]byte("a"), nil)
	if _, ok := c.Get([]byte("a")); ok {
		t.Fatal("Put(id, nil) did not remove the entry")
	}
}
