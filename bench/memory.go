package bench

import (
	"runtime"

	"github.com/sanstls/sanstls/machine"
)

// retained measures the heap that n idle pairs keep, per endpoint (bytes):
// after the handshake, and after 16 KiB has gone each way over every pair.
// The configurations and the transport's listener exist before the first
// reading; everything a pair holds after that counts, the transport's own
// objects included (the same for both stacks). The harness's own buffers
// are released before each reading.
func retained(s Stack, t Transport, n int) (idle, after float64, err error) {
	m, err := newMaker(s, t, Handshake{Key: ECDSA, Group: machine.X25519})
	if err != nil {
		return 0, 0, err
	}
	defer m.close()
	pairs := make([]pair, 0, n)
	defer func() {
		for _, p := range pairs {
			p.close()
		}
	}()
	// One pair first, so that lazily built shared state (the configs'
	// caches, the pools) is not charged to the pairs.
	p0, err := m.handshake()
	if err != nil {
		return 0, 0, err
	}
	msg := make([]byte, 16<<10)
	if err := p0.transfer(true, msg); err != nil {
		return 0, 0, err
	}
	p0.idle()
	defer p0.close()

	base := liveHeap()
	for range n {
		p, err := m.handshake()
		if err != nil {
			return 0, 0, err
		}
		p.idle() // crypto/tls's in-memory conn drops its handshake buffers
		pairs = append(pairs, p)
	}
	idle = float64(liveHeap()-base) / float64(2*n)
	for _, p := range pairs {
		if err := p.transfer(true, msg); err != nil {
			return 0, 0, err
		}
		if err := p.transfer(false, msg); err != nil {
			return 0, 0, err
		}
		p.idle()
	}
	after = float64(liveHeap()-base) / float64(2*n)
	runtime.KeepAlive(pairs)
	return idle, after, nil
}

// liveHeap is the heap in use after a full collection.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
