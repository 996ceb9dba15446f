package keys

import (
	"bytes"
	"crypto/rand"
	"math/big"
	mrand "math/rand"
	"testing"
)

// randBelow returns a uniform value below n (public test data; math/big is
// the reference here).
func randBelow(t *testing.T, n *big.Int) *big.Int {
	t.Helper()
	v, err := rand.Int(rand.Reader, n)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCTExpMatchesBig compares the constant-time exponentiation with
// math/big on random odd moduli of many sizes (limb boundaries included),
// random bases below them and random exponents, plus the edge values.
func TestCTExpMatchesBig(t *testing.T) {
	r := mrand.New(mrand.NewSource(1))
	sizes := []int{2, 7, 63, 64, 65, 127, 128, 129, 255, 256, 511, 520, 1024, 2048}
	for _, bitsN := range sizes {
		for trial := range 6 {
			n := new(big.Int).Rand(r, new(big.Int).Lsh(big.NewInt(1), uint(bitsN)))
			n.SetBit(n, bitsN-1, 1)
			n.SetBit(n, 0, 1)
			m, err := newCTModulus(n.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			bases := []*big.Int{randBelow(t, n), big.NewInt(0), big.NewInt(1), new(big.Int).Sub(n, big.NewInt(1))}
			for bi, base := range bases {
				e := make([]byte, 1+r.Intn(bitsN/8+2))
				for i := range e {
					e[i] = byte(r.Uint32())
				}
				if trial == 0 && bi == 0 {
					e = []byte{0} // exponent zero
				}
				want := new(big.Int).Exp(base, new(big.Int).SetBytes(e), n)
				if new(big.Int).SetBytes(e).Sign() == 0 {
					want.Mod(big.NewInt(1), n)
				}
				got := m.expBytes(base.FillBytes(make([]byte, m.size)), e)
				if !bytes.Equal(got, want.FillBytes(make([]byte, m.size))) {
					t.Fatalf("%d-bit n=%x base=%x e=%x: got %x, want %x", bitsN, n, base, e, got, want)
				}
			}
		}
	}
}

// TestCTExpFFDHE checks the RFC 7919 groups: g^x against math/big for
// random full-length exponents, and (p-1)^2 = 1.
func TestCTExpFFDHE(t *testing.T) {
	for _, g := range []uint16{GroupFFDHE2048, GroupFFDHE3072, GroupFFDHE4096} {
		pb, _ := ffdhePrimeBytes(g)
		p := new(big.Int).SetBytes(pb)
		m, err := newCTModulus(pb)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			x := randBelow(t, p).FillBytes(make([]byte, len(pb)))
			y := randBelow(t, p)
			want := new(big.Int).Exp(y, new(big.Int).SetBytes(x), p)
			if got := m.expBytes(y.FillBytes(make([]byte, len(pb))), x); !bytes.Equal(got, want.FillBytes(make([]byte, len(pb)))) {
				t.Fatalf("group %d: mismatch", g)
			}
		}
		pm1 := new(big.Int).Sub(p, big.NewInt(1)).FillBytes(make([]byte, len(pb)))
		got := new(big.Int).SetBytes(m.expBytes(pm1, []byte{2}))
		if got.Cmp(big.NewInt(1)) != 0 {
			t.Fatalf("group %d: (p-1)^2 = %x", g, got)
		}
	}
}

func TestCTModulusRejectsEven(t *testing.T) {
	for _, n := range [][]byte{{0}, {1}, {2}, {0x10, 0}} {
		if _, err := newCTModulus(n); err == nil {
			t.Errorf("newCTModulus(%x) accepted", n)
		}
	}
}

func TestNatHelpers(t *testing.T) {
	a := natFromBytes([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, 2)
	if a[0] != 0x0203040506070809 || a[1] != 1 {
		t.Fatalf("natFromBytes: %x", a)
	}
	out := make([]byte, 10)
	natToBytes(a, out)
	if !bytes.Equal(out, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("natToBytes: %x", out)
	}
	b := []uint64{a[0] + 1, 1}
	if natLess(a, b) != 1 || natLess(b, a) != 0 || natLess(a, a) != 0 {
		t.Fatal("natLess")
	}
	if natEqual(a, a) != 1 || natEqual(a, b) != 0 {
		t.Fatal("natEqual")
	}
}

// FuzzCTExp compares the constant-time exponentiation with math/big on
// arbitrary moduli (made odd), bases (reduced) and exponents.
func FuzzCTExp(f *testing.F) {
	f.Add([]byte{0x0b}, []byte{3}, []byte{5})
	f.Add(bytes.Repeat([]byte{0xff}, 40), bytes.Repeat([]byte{0xfe}, 40), []byte{1, 0, 1})
	f.Fuzz(func(t *testing.T, nb, base, e []byte) {
		if len(nb) > 128 || len(e) > 64 {
			return
		}
		n := new(big.Int).SetBytes(nb)
		n.SetBit(n, 0, 1)
		if n.BitLen() < 2 {
			return
		}
		m, err := newCTModulus(n.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		b := new(big.Int).Mod(new(big.Int).SetBytes(base), n)
		want := new(big.Int).Exp(b, new(big.Int).SetBytes(e), n)
		if want.Cmp(n) >= 0 { // Exp(b, 0, 1)-style corner: reduce
			want.Mod(want, n)
		}
		got := m.expBytes(b.FillBytes(make([]byte, m.size)), e)
		if !bytes.Equal(got, want.FillBytes(make([]byte, m.size))) {
			t.Fatalf("n=%x b=%x e=%x: got %x, want %x", n, b, e, got, want)
		}
	})
}
