package netconn

import (
	"io"
	"runtime"
	"sync"
	"time"
	"weak"
)

// Session tickets are on by default on a server, as in crypto/tls: when
// Config.TicketKeys is nil the adapter supplies keys it generates from
// Config.Rand and rotates. A key seals new tickets for ticketKeyRotation
// and opens them for ticketKeyLifetime (RFC 9325, Section 3.4: rotate
// ticket keys). Each Config passed to Server or NewListener has its own
// keys, so a ticket issued under one configuration (say, one that requires
// client certificates) never resumes under another. A non-nil empty
// TicketKeys ([][32]byte{}) turns tickets off.
const (
	ticketKeyRotation = 24 * time.Hour
	ticketKeyLifetime = 7 * 24 * time.Hour
)

// A ticketRing holds one Config's automatic ticket keys, newest first.
type ticketRing struct {
	mu      sync.Mutex
	keys    [][32]byte // replaced, never modified in place
	created []time.Time
}

// current returns the keys to use at now, rotating if the newest is too
// old. The slice is shared and must not be modified.
func (r *ticketRing) current(rand io.Reader, now time.Time) ([][32]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.keys) > 0 {
		age := now.Sub(r.created[0])
		if age >= 0 && age < ticketKeyRotation {
			return r.keys, nil
		}
	}
	var k [32]byte
	if _, err := io.ReadFull(rand, k[:]); err != nil {
		return nil, err
	}
	keys := [][32]byte{k}
	created := []time.Time{now}
	for i, t := range r.created {
		if age := now.Sub(t); age >= 0 && age < ticketKeyLifetime {
			keys = append(keys, r.keys[i])
			created = append(created, t)
		}
	}
	r.keys, r.created = keys, created
	return keys, nil
}

// rings maps each user Config (weakly: the map does not keep it alive) to
// its ticket keys; an entry goes when its Config is collected.
var (
	rings   sync.Map // weak.Pointer[Config] -> *ticketRing
	nilRing ticketRing
)

func ringFor(cfg *Config) *ticketRing {
	if cfg == nil {
		return &nilRing
	}
	key := weak.Make(cfg)
	if r, ok := rings.Load(key); ok {
		return r.(*ticketRing)
	}
	r, loaded := rings.LoadOrStore(key, new(ticketRing))
	if !loaded {
		runtime.AddCleanup(cfg, func(k weak.Pointer[Config]) { rings.Delete(k) }, key)
	}
	return r.(*ticketRing)
}
