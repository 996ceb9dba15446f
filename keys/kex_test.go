package keys_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/sanstls/sanstls/keys"
)

// kexGroups lists every group GenerateKeyShare supports, with the length of
// its public value.
var kexGroups = []struct {
	name   string
	group  uint16
	pubLen int
}{
	{"X25519", keys.GroupX25519, 32},
	{"P256", keys.GroupP256, 65},
	{"P384", keys.GroupP384, 97},
	{"P521", keys.GroupP521, 133},
	{"FFDHE2048", keys.GroupFFDHE2048, 256},
	{"FFDHE3072", keys.GroupFFDHE3072, 384},
	{"FFDHE4096", keys.GroupFFDHE4096, 512},
}

// kexStream is a deterministic, endless byte stream: SHA-256 of a seed and a
// block counter. It stands in for a pinned Config.Rand.
type kexStream struct {
	seed  string
	block uint64
	buf   []byte
	read  int // total bytes handed out
}

func newKexStream(seed string) *kexStream { return &kexStream{seed: seed} }

func (s *kexStream) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(s.buf) == 0 {
			var ctr [8]byte
			binary.BigEndian.PutUint64(ctr[:], s.block)
			s.block++
			sum := sha256.Sum256(append([]byte(s.seed), ctr[:]...))
			s.buf = sum[:]
		}
		c := copy(p[n:], s.buf)
		s.buf = s.buf[c:]
		n += c
	}
	s.read += n
	return n, nil
}

// kexErrReader fails every read.
type kexErrReader struct{ err error }

func (r kexErrReader) Read([]byte) (int, error) { return 0, r.err }

// kexRepeatReader returns b forever and counts what it hands out.
type kexRepeatReader struct {
	b    byte
	read int
}

func (r *kexRepeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.b
	}
	r.read += len(p)
	return len(p), nil
}

func kexHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestGenerateKeyShareUnsupportedGroup(t *testing.T) {
	// 30 is x448, 259 ffdhe6144, 0x11ec X25519MLKEM768: all real groups
	// this package does not implement.
	for _, g := range []uint16{0, 30, 259, 260, 0x11ec, 0xffff} {
		r := &kexRepeatReader{b: 1}
		share, err := keys.GenerateKeyShare(g, r)
		if !errors.Is(err, keys.ErrUnsupportedGroup) || share != nil {
			t.Errorf("group %d: got (%v, %v), want ErrUnsupportedGroup", g, share, err)
		}
		if r.read != 0 {
			t.Errorf("group %d: read %d random bytes before refusing", g, r.read)
		}
	}
}

func TestKeyShareAgreement(t *testing.T) {
	for _, tc := range kexGroups {
		t.Run(tc.name, func(t *testing.T) {
			a, err := keys.GenerateKeyShare(tc.group, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			b, err := keys.GenerateKeyShare(tc.group, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if a.Group() != tc.group || b.Group() != tc.group {
				t.Fatalf("Group() = %d, %d; want %d", a.Group(), b.Group(), tc.group)
			}
			pa, pb := a.PublicKey(), b.PublicKey()
			if len(pa) != tc.pubLen || len(pb) != tc.pubLen {
				t.Fatalf("public key lengths %d, %d; want %d", len(pa), len(pb), tc.pubLen)
			}
			if bytes.Equal(pa, pb) {
				t.Fatal("two fresh shares have the same public key")
			}
			sa, err := a.SharedSecret(pb)
			if err != nil {
				t.Fatal(err)
			}
			sb, err := b.SharedSecret(pa)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sa, sb) || len(sa) == 0 {
				t.Fatalf("shared secrets differ:\n%x\n%x", sa, sb)
			}
			// PublicKey hands out a copy.
			pa[len(pa)-1] ^= 0xff
			if bytes.Equal(a.PublicKey(), pa) {
				t.Fatal("PublicKey returned the share's own buffer")
			}
		})
	}
}

func TestGenerateKeyShareDeterministic(t *testing.T) {
	for _, tc := range kexGroups {
		t.Run(tc.name, func(t *testing.T) {
			peer, err := keys.GenerateKeyShare(tc.group, newKexStream("peer"))
			if err != nil {
				t.Fatal(err)
			}
			var pubs, secrets [3][]byte
			for i, seed := range []string{"one", "one", "two"} {
				s, err := keys.GenerateKeyShare(tc.group, newKexStream(seed))
				if err != nil {
					t.Fatal(err)
				}
				pubs[i] = s.PublicKey()
				if secrets[i], err = s.SharedSecret(peer.PublicKey()); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(pubs[0], pubs[1]) || !bytes.Equal(secrets[0], secrets[1]) {
				t.Error("the same random bytes gave different keys")
			}
			if bytes.Equal(pubs[0], pubs[2]) || bytes.Equal(secrets[0], secrets[2]) {
				t.Error("different random bytes gave the same key")
			}
		})
	}
}

func TestGenerateKeyShareRandFailure(t *testing.T) {
	boom := errors.New("entropy source failed")
	for _, tc := range kexGroups {
		share, err := keys.GenerateKeyShare(tc.group, kexErrReader{boom})
		if !errors.Is(err, boom) || share != nil {
			t.Errorf("%s: got (%v, %v), want the reader's error", tc.name, share, err)
		}
		share, err = keys.GenerateKeyShare(tc.group, bytes.NewReader(make([]byte, 7)))
		if !errors.Is(err, io.ErrUnexpectedEOF) || share != nil {
			t.Errorf("%s, short reader: got (%v, %v), want io.ErrUnexpectedEOF", tc.name, share, err)
		}
	}
}

// FuzzSharedSecret feeds arbitrary peer values to a share of every group. It
// must never panic, must fail only with ErrInvalidPeerKey, and an accepted
// value must give a secret of the right shape.
func FuzzSharedSecret(f *testing.F) {
	shares := make([]keys.KeyShare, len(kexGroups))
	for i, tc := range kexGroups {
		var r io.Reader = newKexStream("fuzz-" + tc.name)
		if tc.pubLen >= 256 {
			// Finite-field shares get the exponent x = 2 (an all-zero
			// candidate): validation is what is fuzzed, and a full-size
			// exponentiation per input (up to 60 ms for ffdhe4096) would
			// stall the fuzzer, above all while it minimizes inputs.
			r = bytes.NewReader(make([]byte, tc.pubLen))
		}
		s, err := keys.GenerateKeyShare(tc.group, r)
		if err != nil {
			f.Fatal(err)
		}
		shares[i] = s
		peer, err := keys.GenerateKeyShare(tc.group, newKexStream("fuzz-peer-"+tc.name))
		if err != nil {
			f.Fatal(err)
		}
		pub := peer.PublicKey()
		f.Add(uint8(i), pub)
		f.Add(uint8(i), pub[:len(pub)-1])
		f.Add(uint8(i), append(pub, 0))
		if tc.group == keys.GroupP256 || tc.group == keys.GroupP384 {
			half := (len(pub) - 1) / 2
			f.Add(uint8(i), append([]byte{0x02 | pub[len(pub)-1]&1}, pub[1:1+half]...))
			f.Add(uint8(i), append([]byte{0x06}, pub[1:]...))
		}
	}
	f.Add(uint8(0), make([]byte, 32))
	f.Add(uint8(3), []byte{0x02})
	f.Fuzz(func(t *testing.T, sel uint8, peer []byte) {
		i := int(sel) % len(kexGroups)
		tc, share := kexGroups[i], shares[i]
		secret, err := share.SharedSecret(peer)
		if err != nil {
			if err != keys.ErrInvalidPeerKey {
				t.Fatalf("%s: error %v, want ErrInvalidPeerKey", tc.name, err)
			}
			return
		}
		switch tc.group {
		case keys.GroupX25519:
			if len(peer) != 32 || len(secret) != 32 || bytes.Equal(secret, make([]byte, 32)) {
				t.Fatalf("X25519 accepted %x giving %x", peer, secret)
			}
		case keys.GroupP256, keys.GroupP384:
			size := (tc.pubLen - 1) / 2
			if len(peer) != tc.pubLen || peer[0] != 4 || len(secret) != size {
				t.Fatalf("%s accepted %x giving %x", tc.name, peer, secret)
			}
		default:
			if len(peer) == 0 || len(peer) > tc.pubLen || len(secret) == 0 || len(secret) > tc.pubLen || secret[0] == 0 {
				t.Fatalf("%s accepted %x giving %x", tc.name, peer, secret)
			}
		}
	})
}

// BenchmarkKeyExchange measures one side of a key exchange: generating a
// share and computing the secret with a fixed peer value.
func BenchmarkKeyExchange(b *testing.B) {
	for _, tc := range kexGroups {
		b.Run(tc.name, func(b *testing.B) {
			peer, err := keys.GenerateKeyShare(tc.group, rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			pub := peer.PublicKey()
			for b.Loop() {
				s, err := keys.GenerateKeyShare(tc.group, rand.Reader)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.SharedSecret(pub); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func ExampleGenerateKeyShare() {
	// In a real handshake rand is Config.Rand; a fixed stream makes the
	// example reproducible.
	client, err := keys.GenerateKeyShare(keys.GroupX25519, newKexStream("client"))
	if err != nil {
		panic(err)
	}
	server, err := keys.GenerateKeyShare(keys.GroupX25519, newKexStream("server"))
	if err != nil {
		panic(err)
	}
	// Each side sends PublicKey() and feeds the peer's to SharedSecret.
	c, _ := client.SharedSecret(server.PublicKey())
	s, _ := server.SharedSecret(client.PublicKey())
	fmt.Println(len(client.PublicKey()), len(c), bytes.Equal(c, s))

	// A low-order point gives the all-zero secret and is refused.
	_, err = client.SharedSecret(make([]byte, 32))
	fmt.Println(err)
	// Output:
	// 32 32 true
	// keys: invalid peer key share
}
