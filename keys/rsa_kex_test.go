package keys_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/sanstls/sanstls/keys"
)

// rsaKexKeys caches test keys by size; tests in this package do not run in
// parallel.
var rsaKexKeys = map[int]*rsa.PrivateKey{}

func rsaKexKey(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	if k := rsaKexKeys[bits]; k != nil {
		return k
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	rsaKexKeys[bits] = k
	return k
}

// rsaKexRaw applies the RSA public operation to em, the test's stand-in for
// a client that pads however it likes.
func rsaKexRaw(pub *rsa.PublicKey, em []byte) []byte {
	m := new(big.Int).SetBytes(em)
	c := m.Exp(m, big.NewInt(int64(pub.E)), pub.N)
	return c.FillBytes(make([]byte, pub.Size()))
}

// rsaKexOpen applies the RSA private operation, giving back the encoded
// message a ciphertext carries.
func rsaKexOpen(priv *rsa.PrivateKey, ct []byte) []byte {
	c := new(big.Int).SetBytes(ct)
	return c.Exp(c, priv.D, priv.N).FillBytes(make([]byte, priv.Size()))
}

// rsaKexEncode builds 0x00 0x02 PS 0x00 msg with a non-zero PS filling k bytes.
func rsaKexEncode(k int, msg []byte) []byte {
	em := make([]byte, k)
	em[1] = 2
	for i := 2; i < k-len(msg)-1; i++ {
		em[i] = byte(i%251) + 1
	}
	copy(em[k-len(msg):], msg)
	return em
}

func TestRSAPremasterRoundTrip(t *testing.T) {
	priv := rsaKexKey(t, 2048)
	for _, v := range []uint16{0x0303, 0x0302, 0x0301} {
		pre, ct, err := keys.EncryptPremaster(&priv.PublicKey, v, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(pre) != keys.PremasterLen || pre[0] != byte(v>>8) || pre[1] != byte(v) {
			t.Fatalf("premaster %x does not start with version %04x", pre, v)
		}
		if len(ct) != priv.Size() {
			t.Fatalf("ciphertext is %d bytes, want %d", len(ct), priv.Size())
		}
		// The standard library's decryption recovers it ...
		if got, err := rsa.DecryptPKCS1v15(nil, priv, ct); err != nil || !bytes.Equal(got, pre) {
			t.Fatalf("rsa.DecryptPKCS1v15: (%x, %v), want %x", got, err, pre)
		}
		// ... and so does DecryptPremaster.
		got, err := keys.DecryptPremaster(priv, ct, v, rand.Reader)
		if err != nil || !bytes.Equal(got, pre) {
			t.Fatalf("DecryptPremaster: (%x, %v), want %x", got, err, pre)
		}
	}
}

func TestEncryptPremasterEncoding(t *testing.T) {
	priv := rsaKexKey(t, 2048)
	k := priv.Size()
	var outs [3][2][]byte
	for i, seed := range []string{"one", "one", "two"} {
		pre, ct, err := keys.EncryptPremaster(&priv.PublicKey, 0x0303, newKexStream(seed))
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = [2][]byte{pre, ct}
		em := rsaKexOpen(priv, ct)
		ps := em[2 : k-keys.PremasterLen-1]
		if em[0] != 0 || em[1] != 2 || em[k-keys.PremasterLen-1] != 0 ||
			bytes.IndexByte(ps, 0) >= 0 || len(ps) != k-51 ||
			!bytes.Equal(em[k-keys.PremasterLen:], pre) {
			t.Fatalf("bad PKCS #1 v1.5 type 2 block: %x", em)
		}
	}
	if !bytes.Equal(outs[0][0], outs[1][0]) || !bytes.Equal(outs[0][1], outs[1][1]) {
		t.Error("the same random bytes gave different output")
	}
	if bytes.Equal(outs[0][0], outs[2][0]) || bytes.Equal(outs[0][1], outs[2][1]) {
		t.Error("different random bytes gave the same output")
	}
}

// TestEncryptPremasterRandomOrder checks the documented use of rand: 46
// premaster bytes, k-51 padding bytes, then one byte per zero padding byte
// until it is non-zero.
func TestEncryptPremasterRandomOrder(t *testing.T) {
	priv := rsaKexKey(t, 2048)
	k := priv.Size()
	body := bytes.Repeat([]byte{0xaa}, 46)
	ps := bytes.Repeat([]byte{0x11}, k-51)
	ps[3], ps[10] = 0, 0
	extra := []byte{0x00, 0x22, 0x33}
	r := bytes.NewReader(bytes.Join([][]byte{body, ps, extra, []byte("rest")}, nil))
	pre, ct, err := keys.EncryptPremaster(&priv.PublicKey, 0x0303, r)
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != len("rest") {
		t.Fatalf("%d bytes left unread, want %d", r.Len(), len("rest"))
	}
	if !bytes.Equal(pre[2:], body) {
		t.Errorf("premaster body %x, want the first 46 random bytes", pre[2:])
	}
	em := rsaKexOpen(priv, ct)
	wantPS := bytes.Repeat([]byte{0x11}, k-51)
	wantPS[3], wantPS[10] = 0x22, 0x33
	if got := em[2 : k-49]; !bytes.Equal(got, wantPS) {
		t.Errorf("padding string %x, want %x", got, wantPS)
	}

	// A reader of zeros can never fill the padding: an error, not a hang.
	if _, _, err := keys.EncryptPremaster(&priv.PublicKey, 0x0303, &kexRepeatReader{b: 0}); err == nil {
		t.Error("all-zero randomness gave a ciphertext")
	}
	boom := errors.New("no entropy")
	if _, _, err := keys.EncryptPremaster(&priv.PublicKey, 0x0303, kexErrReader{boom}); !errors.Is(err, boom) {
		t.Errorf("reader error: got %v", err)
	}
}

func TestRSAKexKeyLimits(t *testing.T) {
	small := rsaKexKey(t, 1024)
	priv := rsaKexKey(t, 2048)
	badE := func(e int) *rsa.PublicKey { return &rsa.PublicKey{N: priv.N, E: e} }
	for name, pub := range map[string]*rsa.PublicKey{
		"nil":        nil,
		"no N":       {E: 65537},
		"1024 bits":  &small.PublicKey,
		"8200 bits":  {N: new(big.Int).Lsh(big.NewInt(1), 8199), E: 65537},
		"e = 1":      badE(1),
		"e = 2":      badE(2),
		"e = 65536":  badE(65536),
		"e = 2^31+1": badE(1<<31 + 1),
	} {
		if _, _, err := keys.EncryptPremaster(pub, 0x0303, rand.Reader); !errors.Is(err, keys.ErrWeakKey) {
			t.Errorf("EncryptPremaster, %s: got %v, want ErrWeakKey", name, err)
		}
	}
	ct := make([]byte, 128)
	if _, err := keys.DecryptPremaster(small, ct, 0x0303, rand.Reader); !errors.Is(err, keys.ErrWeakKey) {
		t.Errorf("DecryptPremaster, 1024 bits: got %v, want ErrWeakKey", err)
	}
	if _, err := keys.DecryptPremaster(nil, ct, 0x0303, rand.Reader); err == nil {
		t.Error("DecryptPremaster with a nil key did not fail")
	}
}

// TestDecryptPremasterImplicitRejection checks RFC 5246, Section 7.4.7.1:
// every bad ciphertext yields the 48 random bytes read first, and no error.
func TestDecryptPremasterImplicitRejection(t *testing.T) {
	priv := rsaKexKey(t, 2048)
	pub := &priv.PublicKey
	k := priv.Size()
	msg := make([]byte, 48)
	msg[0], msg[1] = 3, 3
	newKexStream("msg").Read(msg[2:])
	good := rsaKexEncode(k, msg)

	mut := func(f func(em []byte) []byte) []byte {
		return f(append([]byte(nil), good...))
	}
	n := priv.N.FillBytes(make([]byte, k))
	cases := map[string][]byte{
		"first byte not zero": rsaKexRaw(pub, mut(func(em []byte) []byte { em[0] = 1; return em })),
		"block type 1":        rsaKexRaw(pub, mut(func(em []byte) []byte { em[1] = 1; return em })),
		"block type 0":        rsaKexRaw(pub, mut(func(em []byte) []byte { em[1] = 0; return em })),
		"no separator":        rsaKexRaw(pub, mut(func(em []byte) []byte { em[k-49] = 0x55; return em })),
		"padding too short":   rsaKexRaw(pub, mut(func(em []byte) []byte { em[8] = 0; return em })),
		"47-byte message":     rsaKexRaw(pub, rsaKexEncode(k, msg[:47])),
		"49-byte message":     rsaKexRaw(pub, rsaKexEncode(k, append(append([]byte(nil), msg...), 7))),
		"0-byte message":      rsaKexRaw(pub, rsaKexEncode(k, nil)),
		"version 0x0302":      rsaKexRaw(pub, mut(func(em []byte) []byte { em[k-47] = 2; return em })),
		"version 0x0203":      rsaKexRaw(pub, mut(func(em []byte) []byte { em[k-48] = 2; return em })),
		"version 0x0000":      rsaKexRaw(pub, mut(func(em []byte) []byte { em[k-48], em[k-47] = 0, 0; return em })),
		"truncated":           rsaKexRaw(pub, good)[1:],
		"extended":            append([]byte{0}, rsaKexRaw(pub, good)...),
		"empty":               {},
		"equal to modulus":    n,
		"above modulus":       bytes.Repeat([]byte{0xff}, k),
		"zero":                make([]byte, k),
		"garbage":             bytes.Repeat([]byte{0x5c}, k),
	}
	// Control: the unmodified block decrypts to msg.
	if got, err := keys.DecryptPremaster(priv, rsaKexRaw(pub, good), 0x0303, rand.Reader); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("valid block: got (%x, %v), want %x", got, err, msg)
	}
	for name, ct := range cases {
		r := make([]byte, 48)
		newKexStream(name).Read(r)
		src := bytes.NewReader(append(append([]byte(nil), r...), "unread"...))
		got, err := keys.DecryptPremaster(priv, ct, 0x0303, src)
		if err != nil {
			t.Errorf("%s: error %v; a failure must not be observable", name, err)
			continue
		}
		if !bytes.Equal(got, r) {
			t.Errorf("%s: premaster %x, want the random %x", name, got, r)
		}
		if bytes.Equal(got, msg) {
			t.Errorf("%s: the embedded message leaked through", name)
		}
		if src.Len() != len("unread") {
			t.Errorf("%s: read %d random bytes, want 48", name, 48+len("unread")-src.Len())
		}
	}

	boom := errors.New("no entropy")
	if _, err := keys.DecryptPremaster(priv, rsaKexRaw(pub, good), 0x0303, kexErrReader{boom}); !errors.Is(err, boom) {
		t.Errorf("reader error: got %v", err)
	}
}

// FuzzDecryptPremaster feeds arbitrary ciphertexts. The result must always be
// 48 bytes with no error, and must be exactly what the RFC 5246 rule gives:
// the decrypted message when the ciphertext is k bytes and the standard
// library finds valid padding around a 48-byte message that starts with the
// client version, the random bytes otherwise.
func FuzzDecryptPremaster(f *testing.F) {
	priv := rsaKexKey(f, 2048)
	for _, v := range []uint16{0x0303, 0x0302} {
		_, ct, err := keys.EncryptPremaster(&priv.PublicKey, v, newKexStream("seed"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ct, uint16(0x0303))
		f.Add(ct[1:], uint16(0x0303))
	}
	// Seeds for each outcome, so that the fuzzer does not have to find (and
	// then spend its minimization time on) the common paths.
	k := priv.Size()
	msg := bytes.Repeat([]byte{3}, 48)
	for _, em := range [][]byte{
		rsaKexEncode(k, msg),         // valid
		rsaKexEncode(k, msg[:47]),    // wrong length
		rsaKexEncode(k, nil),         // empty message
		make([]byte, k),              // c = 0
		append(make([]byte, k-1), 1), // c = 1
	} {
		f.Add(rsaKexRaw(&priv.PublicKey, em), uint16(0x0303))
	}
	f.Add(bytes.Repeat([]byte{0x5c}, k), uint16(0x0303)) // bad padding
	f.Add([]byte{}, uint16(0x0303))
	f.Add(bytes.Repeat([]byte{0xff}, k), uint16(0x0303)) // above the modulus
	r := make([]byte, 48)
	newKexStream("fuzz random").Read(r)
	// Warm up the standard library's lazily initialised state, so that the
	// first inputs do not show coverage the later ones cannot reproduce.
	for range 2 {
		_, ct, _ := keys.EncryptPremaster(&priv.PublicKey, 0x0303, rand.Reader)
		keys.DecryptPremaster(priv, ct, 0x0303, rand.Reader)
		rsa.DecryptPKCS1v15(nil, priv, ct)
	}
	f.Fuzz(func(t *testing.T, ct []byte, version uint16) {
		got, err := keys.DecryptPremaster(priv, ct, version, bytes.NewReader(r))
		if err != nil || len(got) != 48 {
			t.Fatalf("got (%x, %v), want 48 bytes and no error", got, err)
		}
		want := r
		if m, err := rsa.DecryptPKCS1v15(nil, priv, ct); err == nil && len(ct) == priv.Size() && len(m) == 48 &&
			m[0] == byte(version>>8) && m[1] == byte(version) {
			want = m
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("premaster %x, want %x", got, want)
		}
	})
}

// TestDecryptPremasterExactLength checks RFC 8017, Section 7.2.2, step 1: a
// valid ciphertext whose first byte is zero, sent without that byte, is a
// decryption error (so R), though its integer value is unchanged.
func TestDecryptPremasterExactLength(t *testing.T) {
	priv := rsaKexKey(t, 2048)
	var pre, ct []byte
	for i := 0; i < 20000 && (ct == nil || ct[0] != 0); i++ {
		var err error
		pre, ct, err = keys.EncryptPremaster(&priv.PublicKey, 0x0303, newKexStream(fmt.Sprint("zero-led ", i)))
		if err != nil {
			t.Fatal(err)
		}
	}
	if ct[0] != 0 {
		t.Fatal("test setup: no ciphertext with a leading zero byte found")
	}
	if got, err := keys.DecryptPremaster(priv, ct, 0x0303, rand.Reader); err != nil || !bytes.Equal(got, pre) {
		t.Fatalf("full-length ciphertext: (%x, %v), want %x", got, err, pre)
	}
	r := bytes.Repeat([]byte{0x42}, 48)
	for name, c := range map[string][]byte{"short": ct[1:], "long": append([]byte{0}, ct...)} {
		if got, err := keys.DecryptPremaster(priv, c, 0x0303, bytes.NewReader(r)); err != nil || !bytes.Equal(got, r) {
			t.Errorf("%s ciphertext: (%x, %v), want the random bytes", name, got, err)
		}
	}
}

func BenchmarkDecryptPremaster(b *testing.B) {
	priv := rsaKexKey(b, 2048)
	_, ct, err := keys.EncryptPremaster(&priv.PublicKey, 0x0303, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := keys.DecryptPremaster(priv, ct, 0x0303, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncryptPremaster(b *testing.B) {
	priv := rsaKexKey(b, 2048)
	for b.Loop() {
		if _, _, err := keys.EncryptPremaster(&priv.PublicKey, 0x0303, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}
