package wasm

import (
	"errors"
	"sort"
	"unsafe"
)

// Limits on the memory a host can make the module lend out. They protect the
// module from a host that leaks buffers; a well-behaved host needs one buffer
// of a few records per connection.
const (
	// MaxBufferSize is the largest buffer Alloc lends (64 MiB).
	MaxBufferSize = 1 << 26
	// MaxLentBytes caps the bytes lent out at once, over all buffers (256 MiB).
	MaxLentBytes = 1 << 28
)

var (
	errBadBuffer = errors.New("wasm: pointer and length do not lie inside one buffer from sanstls_alloc")
	errBadSize   = errors.New("wasm: buffer size must be between 1 and MaxBufferSize")
	errLentLimit = errors.New("wasm: MaxLentBytes already lent out; free some buffers")
	errNotBase   = errors.New("wasm: sanstls_free needs a pointer returned by sanstls_alloc")
)

// loan is one buffer lent to the host: its address and the memory itself.
type loan struct {
	base uintptr
	mem  []byte
}

// buffers is the set of buffers lent to the host, sorted by address. Holding
// each slice here keeps it alive, and Go's collector never moves heap
// objects, so an address given to the host stays valid until free.
//
// The host may pass any address inside a loan (for example the unconsumed
// tail of its input); slice checks that the whole range lies inside one loan,
// so a wrong pointer from the host is an error, never a stray access.
type buffers struct {
	loans []loan // sorted by base; loans never overlap
	lent  int    // sum of len(mem)
}

// addrOf returns the address of b's first element: in the wasm build, the
// offset in linear memory that the host reads and writes. It is 0 for an
// empty slice.
func addrOf(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))
}

// alloc lends a new zeroed buffer of size bytes and returns its address.
func (b *buffers) alloc(size int) (uintptr, error) {
	if size < 1 || size > MaxBufferSize {
		return 0, errBadSize
	}
	if b.lent+size > MaxLentBytes {
		return 0, errLentLimit
	}
	mem := make([]byte, size)
	p := addrOf(mem)
	i := sort.Search(len(b.loans), func(i int) bool { return b.loans[i].base > p })
	b.loans = append(b.loans, loan{})
	copy(b.loans[i+1:], b.loans[i:])
	b.loans[i] = loan{base: p, mem: mem}
	b.lent += size
	return p, nil
}

// free ends the loan that starts at p.
func (b *buffers) free(p uintptr) error {
	i := b.find(p)
	if i < 0 || b.loans[i].base != p {
		return errNotBase
	}
	b.lent -= len(b.loans[i].mem)
	copy(b.loans[i:], b.loans[i+1:])
	b.loans[len(b.loans)-1] = loan{}
	b.loans = b.loans[:len(b.loans)-1]
	return nil
}

// slice returns the n bytes at p, which must lie inside one loan. Its
// capacity ends with the range, so appending to it never writes past n. A
// zero length is always valid and yields nil, whatever p is.
func (b *buffers) slice(p uintptr, n int) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	if n < 0 {
		return nil, errBadBuffer
	}
	i := b.find(p)
	if i < 0 {
		return nil, errBadBuffer
	}
	l := b.loans[i]
	off := p - l.base
	if off >= uintptr(len(l.mem)) || uintptr(n) > uintptr(len(l.mem))-off {
		return nil, errBadBuffer
	}
	return l.mem[off : int(off)+n : int(off)+n], nil
}

// find returns the index of the last loan starting at or below p, or -1.
func (b *buffers) find(p uintptr) int {
	return sort.Search(len(b.loans), func(i int) bool { return b.loans[i].base > p }) - 1
}
