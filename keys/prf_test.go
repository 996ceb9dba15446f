package keys

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/hmac"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// rpParseVectors reads a test vector file of "key = value" lines, records
// separated by blank lines, comments starting with #.
func rpParseVectors(tb testing.TB, path string) []map[string]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []map[string]string
	cur := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		if line == "" {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = map[string]string{}
			}
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			tb.Fatalf("%s: bad line %q", path, line)
		}
		cur[k] = v
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	if len(out) == 0 {
		tb.Fatalf("%s: no vectors", path)
	}
	return out
}

// rpHex decodes hex or fails the test.
func rpHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// rpHash maps a vector file's hash name to a crypto.Hash.
func rpHash(tb testing.TB, name string) crypto.Hash {
	tb.Helper()
	switch name {
	case "SHA1":
		return crypto.SHA1
	case "SHA256":
		return crypto.SHA256
	case "SHA384":
		return crypto.SHA384
	}
	tb.Fatalf("unknown hash %q", name)
	return 0
}

// refPRF is a deliberately naive TLS 1.2 PRF written straight from RFC 5246,
// Section 5: it concatenates label and seed and builds every HMAC afresh.
func refPRF(h crypto.Hash, secret []byte, label string, seed []byte, n int) []byte {
	full := append([]byte(label), seed...)
	hm := func(data ...[]byte) []byte {
		m := hmac.New(h.New, secret)
		for _, d := range data {
			m.Write(d)
		}
		return m.Sum(nil)
	}
	var out []byte
	a := full // A(0)
	for len(out) < n {
		a = hm(a) // A(i)
		out = append(out, hm(a, full)...)
	}
	return out[:n]
}

func TestPRFKnownAnswers(t *testing.T) {
	for _, v := range rpParseVectors(t, "testdata/prf_vectors.txt") {
		h := rpHash(t, v["hash"])
		secret, seed, want := rpHex(t, v["secret"]), rpHex(t, v["seed"]), rpHex(t, v["output"])
		got := make([]byte, len(want))
		PRF(h, got, secret, v["label"], seed)
		if !bytes.Equal(got, want) {
			t.Errorf("%v: PRF = %x, want %x", h, got, want)
		}
		// Every prefix length gives a prefix of the output.
		for _, n := range []int{0, 1, 12, 31, 32, 33, 47, 48, 49, 64, len(want) - 1} {
			got := make([]byte, n)
			PRF(h, got, secret, v["label"], seed)
			if !bytes.Equal(got, want[:n]) {
				t.Errorf("%v: PRF of %d bytes = %x, want %x", h, n, got, want[:n])
			}
		}
	}
}

func TestPRFMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		h := []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA1}[i%3]
		secret := rpRandBytes(r, r.IntN(100))
		label := string(rpRandBytes(r, r.IntN(150))) // longer than a hash output, too
		seed := rpRandBytes(r, r.IntN(200))
		n := r.IntN(300)
		want := refPRF(h, secret, label, seed, n)

		// Split the seed into up to four parts at random points.
		var parts [][]byte
		rest := seed
		for range r.IntN(4) {
			k := r.IntN(len(rest) + 1)
			parts = append(parts, rest[:k])
			rest = rest[k:]
		}
		parts = append(parts, rest)

		got := make([]byte, n)
		PRF(h, got, secret, label, parts...)
		if !bytes.Equal(got, want) {
			t.Fatalf("%v secret %x label %q seed %x (in %d parts) n %d:\n got %x\nwant %x",
				h, secret, label, seed, len(parts), n, got, want)
		}
	}
}

func TestPRFStaysInsideOut(t *testing.T) {
	for _, n := range []int{0, 5, 32, 40, 96} {
		buf := bytes.Repeat([]byte{0xee}, n+64)
		PRF(crypto.SHA256, buf[:n], []byte("secret"), "label", []byte("seed"))
		if !bytes.Equal(buf[n:], bytes.Repeat([]byte{0xee}, 64)) {
			t.Errorf("n=%d: PRF wrote past len(out): %x", n, buf[n:])
		}
		if want := refPRF(crypto.SHA256, []byte("secret"), "label", []byte("seed"), n); !bytes.Equal(buf[:n], want) {
			t.Errorf("n=%d: got %x, want %x", n, buf[:n], want)
		}
	}
}

func TestPRFAllocationsDoNotGrow(t *testing.T) {
	// The allocations are those of the HMAC plus one scratch buffer: they
	// must not depend on the output length, the label or the seed parts.
	secret := []byte("secret")
	small := make([]byte, 12)
	large := make([]byte, 1000)
	seed := make([]byte, 300)
	label := strings.Repeat("label", 40)
	a := testing.AllocsPerRun(20, func() { PRF(crypto.SHA256, small, secret, "l", seed) })
	b := testing.AllocsPerRun(20, func() { PRF(crypto.SHA256, large, secret, label, seed, seed, seed, seed) })
	if a != b {
		t.Errorf("PRF allocations grow with the input: %v for 12 bytes, %v for 1000 bytes and a long seed", a, b)
	}
}

// rpRandBytes returns n bytes from r.
func rpRandBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestPRFHandshakeUsesDoNotAllocate(t *testing.T) {
	// Master secret, key block and Finished inputs are short: the one-shot
	// path serves them without allocating.
	secret := make([]byte, 48)
	random := make([]byte, 32)
	out := make([]byte, 128)
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		if n := testing.AllocsPerRun(20, func() { PRF(h, out, secret, "key expansion", random, random) }); n != 0 {
			t.Errorf("%v: PRF allocates %v times, want 0", h, n)
		}
	}
}
