package chanpipe

import (
	"math/rand/v2"
	"strconv"
)

// Side names one end of a connection. Fault options name the side whose
// outgoing bytes they affect.
type Side uint8

const (
	// SideClient is the client end.
	SideClient Side = iota
	// SideServer is the server end.
	SideServer
)

// String returns "client" or "server".
func (s Side) String() string {
	switch s {
	case SideClient:
		return "client"
	case SideServer:
		return "server"
	}
	return "Side(" + strconv.Itoa(int(s)) + ")"
}

// peer returns the other side.
func (s Side) peer() Side { return 1 - s }

// An Option configures the byte streams of a [Pair] or [Pipe]: the seed
// and the faults each direction suffers. Options that choose something at
// random draw from a PCG generator per direction, seeded from [WithSeed],
// so a run is reproducible.
type Option func(*settings)

type faultKind uint8

const (
	faultCorrupt faultKind = iota + 1
	faultDrop
	faultDuplicate
	faultTruncate
)

// fault is one event at a stream offset: the offset counts the bytes the
// sending machine produced, before any fault.
type fault struct {
	kind   faultKind
	off    int64
	n      int64 // drop, duplicate: length
	bit    uint8 // corrupt: bit to flip
	random bool  // corrupt: choose off in [lo, hi) and bit at random
	lo, hi int64
}

// dirSettings is what the options say about one direction.
type dirSettings struct {
	chunkSet           bool
	minChunk, maxChunk int
	delaySet           bool
	delay              int
	faults             []fault
}

type settings struct {
	seed uint64
	dirs [2]dirSettings // by sending side
}

// WithSeed seeds the generators that choose chunk sizes and random fault
// offsets. The default seed is 0. It has no effect in [Pair.Inject].
func WithSeed(seed uint64) Option {
	return func(s *settings) { s.seed = seed }
}

// WithChunks re-chunks the bytes from's machine sends: each chunk that
// travels (and is handed to the receiver's Receive) is lo to hi bytes
// long, uniformly at random. WithChunks(side, 1, 1) delivers single bytes.
// Without it each machine output travels as one chunk.
func WithChunks(from Side, lo, hi int) Option {
	lo = max(lo, 1)
	hi = max(hi, lo)
	return func(s *settings) {
		d := &s.dirs[from]
		d.chunkSet, d.minChunk, d.maxChunk = true, lo, hi
	}
}

// WithDelay holds every chunk from's machine sends for k extra steps (in a
// [Pipe], k milliseconds) before delivery. Chunks stay in order.
func WithDelay(from Side, k int) Option {
	k = max(k, 0)
	return func(s *settings) {
		d := &s.dirs[from]
		d.delaySet, d.delay = true, k
	}
}

// WithCorrupt flips bit (0 to 7) of the byte at stream offset off of the
// bytes from's machine sends.
func WithCorrupt(from Side, off int64, bit uint) Option {
	return addFault(from, fault{kind: faultCorrupt, off: off, bit: uint8(bit % 8)})
}

// WithCorruptRandom flips one random bit of one byte at a random stream
// offset in [lo, hi) of the bytes from's machine sends.
func WithCorruptRandom(from Side, lo, hi int64) Option {
	if hi <= lo {
		hi = lo + 1
	}
	return addFault(from, fault{kind: faultCorrupt, random: true, lo: lo, hi: hi})
}

// WithDrop removes n bytes at stream offset off of the bytes from's machine
// sends.
func WithDrop(from Side, off, n int64) Option {
	return addFault(from, fault{kind: faultDrop, off: off, n: n})
}

// WithDuplicate delivers the n bytes at stream offset off of the bytes
// from's machine sends twice in a row.
func WithDuplicate(from Side, off, n int64) Option {
	return addFault(from, fault{kind: faultDuplicate, off: off, n: n})
}

// WithTruncate ends the stream of bytes from's machine sends at offset off:
// later bytes are discarded and the receiver sees the end of the transport
// once the bytes before off are delivered.
func WithTruncate(from Side, off int64) Option {
	return addFault(from, fault{kind: faultTruncate, off: off})
}

func addFault(from Side, f fault) Option {
	return func(s *settings) { s.dirs[from].faults = append(s.dirs[from].faults, f) }
}

// wire applies one direction's faults and chunking. It is deterministic:
// its choices depend only on the seed, the direction and the bytes sent.
type wire struct {
	rng                *rand.Rand
	minChunk, maxChunk int
	delay              int
	faults             []fault
	off                int64  // stream offset of the next byte the sender produces
	dup                []byte // bytes of a duplicate range seen so far
	ended              bool   // truncated: no more bytes pass
}

func newWire(seed uint64, from Side) *wire {
	return &wire{rng: rand.New(rand.NewPCG(seed, uint64(from)+1))}
}

// configure merges options into the wire, drawing random fault offsets now.
func (w *wire) configure(d dirSettings) {
	if d.chunkSet {
		w.minChunk, w.maxChunk = d.minChunk, d.maxChunk
	}
	if d.delaySet {
		w.delay = d.delay
	}
	for _, f := range d.faults {
		if f.random {
			f.off = f.lo + w.rng.Int64N(f.hi-f.lo)
			f.bit = uint8(w.rng.IntN(8))
			f.random = false
		}
		w.faults = append(w.faults, f)
	}
}

// apply appends to dst what becomes of out (the next bytes the sender
// produced) on the wire. ended reports that the stream is truncated.
func (w *wire) apply(dst, out []byte) (res []byte, ended bool) {
	for _, b := range out {
		off := w.off
		w.off++
		if w.ended {
			continue
		}
		keep := true
		for _, f := range w.faults {
			switch {
			case f.kind == faultTruncate && off >= f.off:
				w.ended = true
			case f.kind == faultCorrupt && off == f.off:
				b ^= 1 << f.bit
			case f.kind == faultDrop && off >= f.off && off < f.off+f.n:
				keep = false
			}
		}
		if w.ended || !keep {
			continue
		}
		dst = append(dst, b)
		for _, f := range w.faults {
			if f.kind == faultDuplicate && off >= f.off && off < f.off+f.n {
				w.dup = append(w.dup, b)
				if off == f.off+f.n-1 {
					dst = append(dst, w.dup...)
					w.dup = w.dup[:0]
				}
			}
		}
	}
	return dst, w.ended
}

// chunks splits data into the chunks that travel, each a fresh slice.
func (w *wire) chunks(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		n := len(data)
		if w.maxChunk > 0 {
			n = min(n, w.minChunk+w.rng.IntN(w.maxChunk-w.minChunk+1))
		}
		out = append(out, append([]byte(nil), data[:n]...))
		data = data[n:]
	}
	return out
}

// recordStats counts the records in one machine output by their 5-byte
// headers (RFC 5246, Section 6.2.1: type, version, 16-bit length); type 21
// is alert (Section 6.2.1, ContentType). The machine emits whole records.
func recordStats(out []byte) (records, alerts int) {
	const headerLen, alertType = 5, 21
	for len(out) >= headerLen {
		records++
		if out[0] == alertType {
			alerts++
		}
		n := headerLen + (int(out[3])<<8 | int(out[4]))
		if n > len(out) {
			break
		}
		out = out[n:]
	}
	return records, alerts
}
