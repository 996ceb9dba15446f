package chanpipe

import (
	"bytes"
	"testing"
)

// applyAll feeds data to a wire in pieces of the given sizes and returns
// what it transmits.
func applyAll(w *wire, data []byte, pieces ...int) ([]byte, bool) {
	var out []byte
	var ended bool
	for _, n := range pieces {
		out, ended = w.apply(out, data[:n])
		data = data[n:]
	}
	out, ended = w.apply(out, data)
	return out, ended
}

func wireWith(opts ...Option) *wire {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	w := newWire(s.seed, SideClient)
	w.configure(s.dirs[SideClient])
	return w
}

func TestWireFaults(t *testing.T) {
	data := []byte("0123456789abcdef")
	tests := []struct {
		name  string
		opt   Option
		want  string
		ended bool
	}{
		{"none", WithDelay(SideClient, 0), "0123456789abcdef", false},
		{"corrupt", WithCorrupt(SideClient, 3, 0), "0122456789abcdef", false}, // '3' ^ 1 = '2'
		{"drop", WithDrop(SideClient, 4, 3), "0123789abcdef", false},
		{"duplicate", WithDuplicate(SideClient, 5, 4), "0123456785678" + "9abcdef", false},
		{"truncate", WithTruncate(SideClient, 10), "0123456789", true},
		{"other-side", WithDrop(SideServer, 0, 16), "0123456789abcdef", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Pieces that split every fault's range across apply calls.
			got, ended := applyAll(wireWith(tc.opt), data, 2, 4, 1)
			if string(got) != tc.want || ended != tc.ended {
				t.Fatalf("got %q (ended %v), want %q (ended %v)", got, ended, tc.want, tc.ended)
			}
		})
	}
}

func TestWireCorruptRandomStaysInRange(t *testing.T) {
	data := make([]byte, 64)
	for seed := range uint64(50) {
		w := wireWith(WithSeed(seed), WithCorruptRandom(SideClient, 10, 20))
		got, _ := w.apply(nil, data)
		diff := 0
		for i, b := range got {
			if b != 0 {
				diff++
				if i < 10 || i >= 20 || b&(b-1) != 0 {
					t.Fatalf("seed %d: byte %d became %#x", seed, i, b)
				}
			}
		}
		if diff != 1 {
			t.Fatalf("seed %d: %d bytes changed, want 1", seed, diff)
		}
	}
}

func TestWireChunks(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 1000)
	w := wireWith(WithSeed(1), WithChunks(SideClient, 3, 9))
	chunks := w.chunks(data)
	if got := bytes.Join(chunks, nil); !bytes.Equal(got, data) {
		t.Fatal("chunks do not add up to the input")
	}
	sizes := map[int]bool{}
	for i, c := range chunks {
		if (len(c) < 3 || len(c) > 9) && i != len(chunks)-1 {
			t.Fatalf("chunk %d has %d bytes, want 3 to 9", i, len(c))
		}
		sizes[len(c)] = true
	}
	if len(sizes) < 5 {
		t.Errorf("only %d distinct chunk sizes: not random", len(sizes))
	}
	// The same seed gives the same chunking.
	again := wireWith(WithSeed(1), WithChunks(SideClient, 3, 9)).chunks(data)
	if len(again) != len(chunks) {
		t.Fatal("same seed, different chunking")
	}
	for i := range again {
		if len(again[i]) != len(chunks[i]) {
			t.Fatal("same seed, different chunking")
		}
	}
	if n := len(wireWith().chunks(data)); n != 1 {
		t.Errorf("without WithChunks: %d chunks, want 1", n)
	}
}

func TestRecordStats(t *testing.T) {
	rec := func(typ byte, n int) []byte {
		return append([]byte{typ, 3, 3, byte(n >> 8), byte(n)}, make([]byte, n)...)
	}
	out := bytes.Join([][]byte{rec(22, 300), rec(21, 2), rec(23, 0), rec(21, 26)}, nil)
	if r, a := recordStats(out); r != 4 || a != 2 {
		t.Fatalf("recordStats = %d records, %d alerts; want 4, 2", r, a)
	}
	if r, a := recordStats(nil); r != 0 || a != 0 {
		t.Fatalf("recordStats(nil) = %d, %d", r, a)
	}
}

func TestSideString(t *testing.T) {
	if SideClient.String() != "client" || SideServer.String() != "server" || Side(7).String() != "Side(7)" {
		t.Fatal("Side.String")
	}
}
