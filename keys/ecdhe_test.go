package keys_test

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/sanstls/sanstls/keys"
)

// ecdheVectorFile is the layout of testdata/kex_wycheproof_*.json: a few
// Wycheproof ECDH cases copied as facts (the file names its source and
// commit), with the outcome this package must give.
type ecdheVectorFile struct {
	Source string `json:"source"`
	Group  uint16 `json:"group"`
	Tests  []struct {
		TcID    int      `json:"tcId"`
		Comment string   `json:"comment"`
		Flags   []string `json:"flags"`
		Expect  string   `json:"expect"` // "accept" or "reject"
		Private string   `json:"private"`
		Public  string   `json:"public"`
		Shared  string   `json:"shared"`
	} `json:"tests"`
}

func TestECDHEWycheproof(t *testing.T) {
	files, err := filepath.Glob("testdata/kex_wycheproof_*.json")
	if err != nil || len(files) != 3 {
		t.Fatalf("want 3 vector files, got %v (%v)", files, err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var vf ecdheVectorFile
		if err := json.Unmarshal(data, &vf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if vf.Source == "" || len(vf.Tests) == 0 {
			t.Fatalf("%s: no source or no tests", name)
		}
		accepted, rejected := 0, 0
		for _, tc := range vf.Tests {
			// GenerateKeyShare takes the first valid scalar it reads, so
			// feeding it exactly the vector's private key rebuilds that key.
			share, err := keys.GenerateKeyShare(vf.Group, bytes.NewReader(kexHex(t, tc.Private)))
			if err != nil {
				t.Fatalf("%s tcId %d: %v", name, tc.TcID, err)
			}
			got, err := share.SharedSecret(kexHex(t, tc.Public))
			switch tc.Expect {
			case "accept":
				accepted++
				if err != nil || !bytes.Equal(got, kexHex(t, tc.Shared)) {
					t.Errorf("%s tcId %d (%s %v): got (%x, %v), want %s", name, tc.TcID, tc.Comment, tc.Flags, got, err, tc.Shared)
				}
			case "reject":
				rejected++
				if err != keys.ErrInvalidPeerKey || got != nil {
					t.Errorf("%s tcId %d (%s %v): got (%x, %v), want ErrInvalidPeerKey", name, tc.TcID, tc.Comment, tc.Flags, got, err)
				}
			default:
				t.Fatalf("%s tcId %d: bad expect %q", name, tc.TcID, tc.Expect)
			}
		}
		if accepted == 0 || rejected == 0 {
			t.Errorf("%s: %d accepted, %d rejected cases; want both kinds", name, accepted, rejected)
		}
	}
}

// RFC 7748, Section 6.1 test vector (a fact, quoted from the RFC).
func TestX25519RFC7748(t *testing.T) {
	alicePriv := "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
	alicePub := "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
	bobPriv := "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
	bobPub := "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
	shared := "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"

	alice, err := keys.GenerateKeyShare(keys.GroupX25519, bytes.NewReader(kexHex(t, alicePriv)))
	if err != nil {
		t.Fatal(err)
	}
	bob, err := keys.GenerateKeyShare(keys.GroupX25519, bytes.NewReader(kexHex(t, bobPriv)))
	if err != nil {
		t.Fatal(err)
	}
	if got := alice.PublicKey(); !bytes.Equal(got, kexHex(t, alicePub)) {
		t.Errorf("Alice's public key %x, want %s", got, alicePub)
	}
	if got := bob.PublicKey(); !bytes.Equal(got, kexHex(t, bobPub)) {
		t.Errorf("Bob's public key %x, want %s", got, bobPub)
	}
	for _, s := range []struct {
		share keys.KeyShare
		peer  string
	}{{alice, bobPub}, {bob, alicePub}} {
		got, err := s.share.SharedSecret(kexHex(t, s.peer))
		if err != nil || !bytes.Equal(got, kexHex(t, shared)) {
			t.Errorf("shared secret (%x, %v), want %s", got, err, shared)
		}
	}
}

// ecdheFieldPrime returns the field prime of P-256, P-384 or P-521 (FIPS 186-4,
// Appendix D.1.2), as facts.
func ecdheFieldPrime(group uint16) *big.Int {
	p := new(big.Int)
	switch group {
	case keys.GroupP256:
		p.SetString("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16)
	case keys.GroupP384:
		p.SetString("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff", 16)
	case keys.GroupP521:
		p.Lsh(big.NewInt(1), 521).Sub(p, big.NewInt(1)) // 2^521 - 1
	}
	return p
}

// TestECDHERejectsEncodings builds, from a valid peer point, every other
// encoding RFC 8422 forbids or that is malformed, and checks each is refused
// (these mirror BoGo's CurveTest-Invalid-* and tlsfuzzer's bad-point cases).
func TestECDHERejectsEncodings(t *testing.T) {
	for _, group := range []uint16{keys.GroupP256, keys.GroupP384, keys.GroupP521} {
		share, err := keys.GenerateKeyShare(group, newKexStream("self"))
		if err != nil {
			t.Fatal(err)
		}
		peer, err := keys.GenerateKeyShare(group, newKexStream("peer"))
		if err != nil {
			t.Fatal(err)
		}
		pub := peer.PublicKey()
		size := (len(pub) - 1) / 2
		x, y := pub[1:1+size], pub[1+size:]
		if _, err := share.SharedSecret(pub); err != nil {
			t.Fatalf("group %d: valid point refused: %v", group, err)
		}
		cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
		pBytes := ecdheFieldPrime(group).FillBytes(make([]byte, size))
		xPlusP := new(big.Int).Add(new(big.Int).SetBytes(x), ecdheFieldPrime(group))
		bad := map[string][]byte{
			"empty":              {},
			"infinity":           {0x00},
			"compressed":         cat([]byte{0x02 | y[size-1]&1}, x),
			"compressed-wrong-y": cat([]byte{0x03 ^ y[size-1]&1}, x),
			"hybrid-06":          cat([]byte{0x06}, x, y),
			"hybrid-07":          cat([]byte{0x07}, x, y),
			"prefix-00":          cat([]byte{0x00}, x, y),
			"no-prefix":          cat(x, y),
			"truncated":          pub[:len(pub)-1],
			"padded":             cat(pub, []byte{0}),
			"zero-point":         cat([]byte{0x04}, make([]byte, 2*size)),
			"x-equals-p":         cat([]byte{0x04}, pBytes, y),
			"off-curve":          cat([]byte{0x04}, x, new(big.Int).Xor(new(big.Int).SetBytes(y), big.NewInt(1)).FillBytes(make([]byte, size))),
			"other-curve-length": cat([]byte{0x04}, x[:size-1], y[:size-1]),
		}
		if xPlusP.BitLen() <= 8*size {
			bad["x-plus-p"] = cat([]byte{0x04}, xPlusP.FillBytes(make([]byte, size)), y)
		}
		for name, b := range bad {
			if got, err := share.SharedSecret(b); err != keys.ErrInvalidPeerKey || got != nil {
				t.Errorf("group %d, %s (%x): got (%x, %v), want ErrInvalidPeerKey", group, name, b, got, err)
			}
		}
	}

	x := mustShare(t, keys.GroupX25519, "self")
	for _, n := range []int{0, 1, 31, 33, 65} {
		b := bytes.Repeat([]byte{9}, n)
		if got, err := x.SharedSecret(b); err != keys.ErrInvalidPeerKey || got != nil {
			t.Errorf("X25519, %d-byte peer: got (%x, %v), want ErrInvalidPeerKey", n, got, err)
		}
	}
	if got, err := x.SharedSecret(make([]byte, 32)); err != keys.ErrInvalidPeerKey || got != nil {
		t.Errorf("X25519, all-zero peer: got (%x, %v), want ErrInvalidPeerKey", got, err)
	}
}

func mustShare(t testing.TB, group uint16, seed string) keys.KeyShare {
	t.Helper()
	s, err := keys.GenerateKeyShare(group, newKexStream(seed))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestECDHEScalarRetry checks the documented scalar rule: candidates that are
// zero or not below the group order are skipped, and the first valid one is
// the key.
func TestECDHEScalarRetry(t *testing.T) {
	for _, group := range []uint16{keys.GroupP256, keys.GroupP384, keys.GroupP521} {
		size := map[uint16]int{keys.GroupP256: 32, keys.GroupP384: 48, keys.GroupP521: 66}[group]
		good := newKexStream("good scalar")
		k := make([]byte, size)
		good.Read(k)
		want, err := keys.GenerateKeyShare(group, bytes.NewReader(k))
		if err != nil {
			t.Fatal(err)
		}
		stream := bytes.Join([][]byte{
			bytes.Repeat([]byte{0xff}, size), // above the order
			make([]byte, size),               // zero
			k,
			[]byte("unread"),
		}, nil)
		r := bytes.NewReader(stream)
		got, err := keys.GenerateKeyShare(group, r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.PublicKey(), want.PublicKey()) {
			t.Errorf("group %d: retried key differs from the key of the first valid scalar", group)
		}
		if r.Len() != len("unread") {
			t.Errorf("group %d: read %d bytes, want %d", group, len(stream)-r.Len(), 3*size)
		}

		ff := &kexRepeatReader{b: 0xff}
		if s, err := keys.GenerateKeyShare(group, ff); err == nil || s != nil {
			t.Errorf("group %d: a reader of 0xff bytes gave a key", group)
		}
		if ff.read != 64*size {
			t.Errorf("group %d: gave up after %d bytes, want %d", group, ff.read, 64*size)
		}
	}

	// Every 32-byte string is an X25519 key: exactly 32 bytes are read.
	r := &kexRepeatReader{b: 0xff}
	if _, err := keys.GenerateKeyShare(keys.GroupX25519, r); err != nil || r.read != 32 {
		t.Errorf("X25519 from 0xff bytes: err %v, read %d; want nil, 32", err, r.read)
	}
}

func TestECDHESecretKeepsLeadingZeros(t *testing.T) {
	// Wycheproof ecdh_secp256r1_ecpoint_test case 5: the X coordinate of the
	// shared point is 2^16, so the secret starts with 29 zero bytes, all of
	// which RFC 8422, Section 5.10 keeps.
	var vf ecdheVectorFile
	data, err := os.ReadFile("testdata/kex_wycheproof_p256.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &vf); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tc := range vf.Tests {
		if tc.TcID != 5 {
			continue
		}
		found = true
		share, err := keys.GenerateKeyShare(keys.GroupP256, bytes.NewReader(kexHex(t, tc.Private)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := share.SharedSecret(kexHex(t, tc.Public))
		if err != nil {
			t.Fatal(err)
		}
		want := append(make([]byte, 29), 0x01, 0x00, 0x00)
		if !bytes.Equal(got, want) {
			t.Errorf("secret %x, want %x", got, want)
		}
	}
	if !found {
		t.Fatal("case 5 missing from the vector file")
	}
}

// TestP521KeyExchange checks a P-521 exchange end to end: both sides derive
// the same 66-byte secret, the public value is an uncompressed 133-byte point,
// and the scalar is the masked candidate (the top seven bits of the first
// byte cleared), so the key is a function of the reader alone.
func TestP521KeyExchange(t *testing.T) {
	a := mustShare(t, keys.GroupP521, "p521 a")
	b := mustShare(t, keys.GroupP521, "p521 b")
	if a.Group() != keys.GroupP521 {
		t.Fatalf("Group() = %d, want %d", a.Group(), keys.GroupP521)
	}
	pa, pb := a.PublicKey(), b.PublicKey()
	if len(pa) != 133 || pa[0] != 0x04 {
		t.Fatalf("public value: %d bytes starting %#x, want 133 starting 0x04", len(pa), pa[0])
	}
	sa, err := a.SharedSecret(pb)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.SharedSecret(pa)
	if err != nil {
		t.Fatal(err)
	}
	if len(sa) != 66 || !bytes.Equal(sa, sb) {
		t.Fatalf("secrets differ or have the wrong length: %x / %x", sa, sb)
	}
	// The masked scalar: a candidate of 0x01 followed by 65 bytes equals,
	// as a key, a candidate of 0xff followed by the same bytes.
	tail := bytes.Repeat([]byte{0x5a}, 65)
	k1, err := keys.GenerateKeyShare(keys.GroupP521, bytes.NewReader(append([]byte{0x01}, tail...)))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := keys.GenerateKeyShare(keys.GroupP521, bytes.NewReader(append([]byte{0xff}, tail...)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1.PublicKey(), k2.PublicKey()) {
		t.Error("the top seven bits of a P-521 candidate are not ignored")
	}
}
