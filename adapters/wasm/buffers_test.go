package wasm

import (
	"errors"
	"testing"

	"pgregory.net/rapid"
)

func TestBuffersSlice(t *testing.T) {
	var b buffers
	p, err := b.alloc(100)
	if err != nil || p == 0 {
		t.Fatalf("alloc: %#x, %v", p, err)
	}
	whole, err := b.slice(p, 100)
	if err != nil || len(whole) != 100 || addrOf(whole) != p {
		t.Fatalf("slice of the whole loan: %d bytes at %#x, %v", len(whole), addrOf(whole), err)
	}
	whole[10] = 0xab
	inner, err := b.slice(p+10, 5)
	if err != nil || inner[0] != 0xab || cap(inner) != 5 {
		t.Fatalf("interior slice: %x (cap %d), %v; want ab..., cap 5", inner, cap(inner), err)
	}
	if z, err := b.slice(12345, 0); z != nil || err != nil {
		t.Errorf("zero length at any address: %v, %v", z, err)
	}
	for _, c := range []struct {
		name string
		p    uintptr
		n    int
	}{
		{"one past the end", p + 100, 1},
		{"overrunning the end", p + 90, 11},
		{"before the loan", p - 1, 2},
		{"negative length", p, -1},
		{"huge length", p, int(^uint(0) >> 1)},
		{"address 0", 0, 1},
	} {
		if _, err := b.slice(c.p, c.n); !errors.Is(err, errBadBuffer) {
			t.Errorf("%s: %v, want errBadBuffer", c.name, err)
		}
	}
}

func TestBuffersFree(t *testing.T) {
	var b buffers
	p, _ := b.alloc(10)
	q, _ := b.alloc(20)
	if b.lent != 30 {
		t.Fatalf("lent %d, want 30", b.lent)
	}
	if err := b.free(p + 1); !errors.Is(err, errNotBase) {
		t.Errorf("free inside a loan: %v", err)
	}
	if err := b.free(p); err != nil {
		t.Fatal(err)
	}
	if err := b.free(p); !errors.Is(err, errNotBase) {
		t.Errorf("double free: %v", err)
	}
	if _, err := b.slice(p, 1); !errors.Is(err, errBadBuffer) {
		t.Errorf("slice of a freed loan: %v", err)
	}
	if _, err := b.slice(q, 20); err != nil {
		t.Errorf("the other loan: %v", err)
	}
	if b.lent != 20 || len(b.loans) != 1 {
		t.Errorf("after free: lent %d, %d loans", b.lent, len(b.loans))
	}
}

func TestBuffersLimits(t *testing.T) {
	var b buffers
	for _, size := range []int{0, -1, MaxBufferSize + 1} {
		if _, err := b.alloc(size); !errors.Is(err, errBadSize) {
			t.Errorf("alloc(%d): %v, want errBadSize", size, err)
		}
	}
	b.lent = MaxLentBytes - 10 // as if that much were lent
	if _, err := b.alloc(11); !errors.Is(err, errLentLimit) {
		t.Errorf("alloc over MaxLentBytes: %v", err)
	}
	if _, err := b.alloc(10); err != nil {
		t.Errorf("alloc up to MaxLentBytes: %v", err)
	}
}

// TestBuffersModel checks buffers against a model under random sequences of
// alloc, free and slice: a range is accepted exactly when it lies inside one
// live loan, and the slice is that loan's memory.
func TestBuffersModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var b buffers
		live := map[uintptr]int{} // base -> size
		var bases []uintptr       // every base ever lent, live or not
		t.Repeat(map[string]func(*rapid.T){
			"alloc": func(t *rapid.T) {
				size := rapid.IntRange(1, 64).Draw(t, "size")
				p, err := b.alloc(size)
				if err != nil {
					t.Fatal(err)
				}
				live[p] = size
				bases = append(bases, p)
				mem, _ := b.slice(p, size)
				mem[0] = byte(len(bases)) // a mark to find again
			},
			"free": func(t *rapid.T) {
				if len(bases) == 0 {
					t.Skip("nothing lent yet")
				}
				p := rapid.SampledFrom(bases).Draw(t, "base")
				_, ok := live[p]
				if err := b.free(p); (err == nil) != ok {
					t.Fatalf("free(%#x): %v, live %v", p, err, ok)
				}
				delete(live, p)
			},
			"slice": func(t *rapid.T) {
				if len(bases) == 0 {
					t.Skip("nothing lent yet")
				}
				base := rapid.SampledFrom(bases).Draw(t, "base")
				off := rapid.IntRange(-2, 70).Draw(t, "off")
				n := rapid.IntRange(1, 70).Draw(t, "n")
				p := base + uintptr(off)
				s, err := b.slice(p, n)
				want := false
				for lb, size := range live {
					if p >= lb && p+uintptr(n) <= lb+uintptr(size) {
						want = true
					}
				}
				if (err == nil) != want {
					t.Fatalf("slice(%#x, %d): %v; want accepted %v", p, n, err, want)
				}
				if err == nil && (addrOf(s) != p || len(s) != n) {
					t.Fatalf("slice(%#x, %d) = %d bytes at %#x", p, n, len(s), addrOf(s))
				}
			},
			"": func(t *rapid.T) {
				total := 0
				for _, size := range live {
					total += size
				}
				if b.lent != total || len(b.loans) != len(live) {
					t.Fatalf("lent %d in %d loans, model %d in %d", b.lent, len(b.loans), total, len(live))
				}
				for i := 1; i < len(b.loans); i++ {
					if b.loans[i-1].base+uintptr(len(b.loans[i-1].mem)) > b.loans[i].base {
						t.Fatalf("loans %d and %d are out of order or overlap", i-1, i)
					}
				}
			},
		})
	})
}

func TestAddrOf(t *testing.T) {
	b := make([]byte, 8)
	if addrOf(b) == 0 || addrOf(b[3:]) != addrOf(b)+3 {
		t.Errorf("addrOf: %#x, %#x", addrOf(b), addrOf(b[3:]))
	}
	if addrOf(nil) != 0 || addrOf(b[:0]) != 0 {
		t.Error("addrOf of an empty slice is not 0")
	}
}
