package keys

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"testing"
)

// rpCBCConfig is one CBC configuration, with the fixed keys of rpKinds.
type rpCBCConfig struct {
	keyLen int
	h      crypto.Hash
	etm    bool
}

func (c rpCBCConfig) String() string {
	s := fmt.Sprintf("AES-%d-CBC-%v", c.keyLen*8, c.h)
	if c.etm {
		s += "-EtM"
	}
	return s
}

func (c rpCBCConfig) cipherKey() []byte { return rpKey(3, c.keyLen) }
func (c rpCBCConfig) macKey() []byte    { return rpKey(4, c.h.Size()) }

func (c rpCBCConfig) new(tb testing.TB, rand io.Reader) RecordProtection {
	tb.Helper()
	p, err := NewCBC(c.cipherKey(), c.macKey(), c.h, c.etm, rand)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// newForFuzz is new without a testing.TB, for use inside fuzz targets; the
// keys are fixed and valid, so NewCBC cannot fail.
func (c rpCBCConfig) newForFuzz() RecordProtection {
	p, _ := NewCBC(c.cipherKey(), c.macKey(), c.h, c.etm, &rpCounterRand{})
	return p
}

func rpCBCConfigs() []rpCBCConfig {
	var out []rpCBCConfig
	for _, etm := range []bool{false, true} {
		out = append(out,
			rpCBCConfig{16, crypto.SHA1, etm},
			rpCBCConfig{32, crypto.SHA1, etm},
			rpCBCConfig{16, crypto.SHA256, etm},
			rpCBCConfig{32, crypto.SHA256, etm},
			rpCBCConfig{32, crypto.SHA384, etm})
	}
	return out
}

// rpTLSMAC computes HMAC(key, seq + type + version + length + data)
// independently of the code under test.
func (c rpCBCConfig) tlsMAC(seq uint64, typ uint8, version uint16, data []byte) []byte {
	m := hmac.New(c.h.New, c.macKey())
	m.Write(rpAD(seq, typ, version, len(data)))
	m.Write(data)
	return m.Sum(nil)
}

// rpCBCSpec describes a CBC record to build with refBuild, including
// malformed ones.
type rpCBCSpec struct {
	content  []byte
	padLen   int  // number of padding bytes, without padding_length
	lenByte  int  // padding_length byte; -1 means padLen
	badPadAt int  // index of a padding byte to corrupt; -1 for none
	badMAC   bool // flip a MAC bit
}

// refBuild builds a record fragment with crypto/cipher and crypto/hmac:
// RFC 5246, Section 6.2.3.2 (MAC-then-encrypt) or RFC 7366 (EtM). The
// plaintext to encrypt must fill whole blocks.
func (c rpCBCConfig) refBuild(tb testing.TB, seq uint64, typ uint8, version uint16, s rpCBCSpec, iv []byte) []byte {
	tb.Helper()
	inner := bytes.Clone(s.content)
	if !c.etm {
		mac := c.tlsMAC(seq, typ, version, s.content)
		if s.badMAC {
			mac[0] ^= 1
		}
		inner = append(inner, mac...)
	}
	pad := bytes.Repeat([]byte{byte(s.padLen)}, s.padLen)
	if s.badPadAt >= 0 {
		pad[s.badPadAt] ^= 0x40
	}
	inner = append(inner, pad...)
	if s.lenByte < 0 {
		inner = append(inner, byte(s.padLen))
	} else {
		inner = append(inner, byte(s.lenByte))
	}
	if len(inner)%16 != 0 {
		tb.Fatalf("refBuild: %d bytes to encrypt", len(inner))
	}
	block, _ := aes.NewCipher(c.cipherKey())
	ct := make([]byte, len(inner))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, inner)
	frag := append(bytes.Clone(iv), ct...)
	if c.etm {
		mac := c.tlsMAC(seq, typ, version, frag)
		if s.badMAC {
			mac[0] ^= 1
		}
		frag = append(frag, mac...)
	}
	return frag
}

// refOpen opens a fragment the obvious way, with branches and without any
// care for timing.
func (c rpCBCConfig) refOpen(seq uint64, typ uint8, version uint16, frag []byte) ([]byte, bool) {
	macLen := c.h.Size()
	if c.etm {
		if len(frag) < 16+macLen {
			return nil, false
		}
		authed, tag := frag[:len(frag)-macLen], frag[len(frag)-macLen:]
		if !hmac.Equal(c.tlsMAC(seq, typ, version, authed), tag) {
			return nil, false
		}
		frag = authed
	}
	if len(frag) < 32 || len(frag)%16 != 0 {
		return nil, false
	}
	block, _ := aes.NewCipher(c.cipherKey())
	p := make([]byte, len(frag)-16)
	cipher.NewCBCDecrypter(block, frag[:16]).CryptBlocks(p, frag[16:])
	padLen := int(p[len(p)-1])
	inside := 0
	if !c.etm {
		inside = macLen
	}
	if padLen+1+inside > len(p) {
		return nil, false
	}
	for _, b := range p[len(p)-1-padLen:] {
		if int(b) != padLen {
			return nil, false
		}
	}
	content := p[:len(p)-1-padLen-inside]
	if !c.etm && !hmac.Equal(c.tlsMAC(seq, typ, version, content), p[len(content):len(content)+macLen]) {
		return nil, false
	}
	return content, true
}

// minPad is the padding Seal uses for a content of n bytes.
func (c rpCBCConfig) minPad(n int) int {
	inside := n + 1
	if !c.etm {
		inside += c.h.Size()
	}
	return (16 - inside%16) % 16
}

func TestCBCSealMatchesIndependent(t *testing.T) {
	for _, c := range rpCBCConfigs() {
		t.Run(c.String(), func(t *testing.T) {
			for _, n := range []int{0, 1, 11, 12, 15, 16, 17, 31, 32, 33, 100, 1000, maxPlaintext} {
				content := bytes.Repeat([]byte{byte(n)}, n)
				seq := uint64(n) * 0x10001
				iv := rpKey(byte(n), 16)
				p := c.new(t, &rpReplayReader{bytes.Clone(iv)})
				p.SetSequence(seq)
				rec, err := p.Seal(nil, 23, 0x0303, content)
				if err != nil {
					t.Fatal(err)
				}
				_, _, frag := rpSplitRecord(t, rec)
				want := c.refBuild(t, seq, 23, 0x0303, rpCBCSpec{content, c.minPad(n), -1, -1, false}, iv)
				if !bytes.Equal(frag, want) {
					t.Fatalf("n=%d: Seal = %x\nwant %x", n, frag, want)
				}
				if pt, ok := c.refOpen(seq, 23, 0x0303, frag); !ok || !bytes.Equal(pt, content) {
					t.Fatalf("n=%d: reference cannot open our record", n)
				}
			}
		})
	}
}

// TestCBCOpenEveryPadding opens records with every padding length from 0 to
// 255 that fits, for content lengths of every residue modulo the block
// length and for long contents.
func TestCBCOpenEveryPadding(t *testing.T) {
	for _, c := range rpCBCConfigs() {
		t.Run(c.String(), func(t *testing.T) {
			o := c.new(t, &rpCounterRand{})
			seen0, seen255 := false, false
			// Short contents of every residue, and long ones for which part
			// of the MAC input is hashed directly.
			lengths := []int{}
			for n := range 48 {
				lengths = append(lengths, n)
			}
			lengths = append(lengths, 300, 301, 1000, 1007, maxPlaintext-1, maxPlaintext)
			for _, n := range lengths {
				content := rpKey(byte(n), n)
				for padLen := c.minPad(n); padLen < 256; padLen += 16 {
					seen0 = seen0 || padLen == 0
					seen255 = seen255 || padLen == 255
					seq := o.Sequence()
					frag := c.refBuild(t, seq, 23, 0x0303, rpCBCSpec{content, padLen, -1, -1, false}, rpKey(7, 16))
					pt, err := o.Open(23, 0x0303, frag)
					if err != nil || !bytes.Equal(pt, content) {
						t.Fatalf("n=%d padding %d: Open = %x, %v", n, padLen, pt, err)
					}
				}
			}
			if !seen0 || !seen255 {
				t.Fatal("padding lengths 0 and 255 not both covered")
			}
		})
	}
}

// TestCBCOpenRejects checks that every malformed record gets the same
// ErrBadRecordMAC and leaves the sequence number alone.
func TestCBCOpenRejects(t *testing.T) {
	iv := rpKey(7, 16)
	for _, c := range rpCBCConfigs() {
		t.Run(c.String(), func(t *testing.T) {
			macLen := c.h.Size()
			// contentFor returns a content for which padLen bytes of
			// padding fill the last block.
			contentFor := func(padLen int) []byte {
				n := 32
				for c.minPad(n) != padLen%16 {
					n++
				}
				return rpKey(5, n)
			}
			build := func(padLen, lenByte, badPadAt int, badMAC bool) []byte {
				return c.refBuild(t, 0, 23, 0x0303, rpCBCSpec{contentFor(padLen), padLen, lenByte, badPadAt, badMAC}, iv)
			}
			good := build(0, -1, -1, false)
			long := build(255, -1, -1, false)
			shortLen := 0
			for c.minPad(shortLen) != 0 {
				shortLen++
			}
			short := c.refBuild(t, 0, 23, 0x0303, rpCBCSpec{rpKey(5, shortLen), 0, 255, -1, false}, iv)
			cases := map[string][]byte{
				"MAC wrong":                       build(0, -1, -1, true),
				"MAC wrong, padding 255":          build(255, -1, -1, true),
				"last byte one too large":         build(15, 16, -1, false),
				"last byte one too small":         build(15, 14, -1, false),
				"last byte 255, padding 15":       build(15, 255, -1, false),
				"first padding byte wrong":        build(15, -1, 0, false),
				"last padding byte wrong":         build(15, -1, 14, false),
				"byte 200 of 255 padding wrong":   build(255, -1, 200, false),
				"byte 0 of 255 padding wrong":     build(255, -1, 0, false),
				"empty":                           {},
				"IV only":                         bytes.Clone(iv),
				"one byte short":                  good[:len(good)-1],
				"one byte long":                   append(bytes.Clone(good), 0),
				"one block short":                 good[:len(good)-16],
				"shorter than IV + MAC + 1":       bytes.Clone(good[:16+((macLen+1+15)/16-1)*16]),
				"not a multiple of the block":     append(bytes.Clone(good), make([]byte, 5)...),
				"padding claims the whole record": short,
			}
			if c.etm {
				tampered := bytes.Clone(good)
				tampered[3] ^= 1 // the IV is authenticated
				cases["IV changed"] = tampered
			} else {
				// A padding_length byte that is wrong, in front of which a
				// valid MAC sits as if there were no padding: the MAC alone
				// would pass, so the padding check must not be skipped.
				body := rpKey(6, 16*((macLen+1+15)/16+2)-macLen-1)
				inner := append(bytes.Clone(body), c.tlsMAC(0, 23, 0x0303, body)...)
				inner = append(inner, 9)
				block, _ := aes.NewCipher(c.cipherKey())
				ct := make([]byte, len(inner))
				cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, inner)
				cases["bad padding, MAC valid for zero padding"] = append(bytes.Clone(iv), ct...)
			}
			for name, frag := range cases {
				if _, ok := c.refOpen(0, 23, 0x0303, bytes.Clone(frag)); ok {
					t.Fatalf("%s: test case is not malformed", name)
				}
				o := c.new(t, &rpCounterRand{})
				if pt, err := o.Open(23, 0x0303, bytes.Clone(frag)); err != ErrBadRecordMAC || o.Sequence() != 0 {
					t.Errorf("%s: Open = %x, %v, seq %d", name, pt, err, o.Sequence())
				}
			}
			for name, frag := range map[string][]byte{"padding 0": good, "padding 255": long} {
				content := contentFor(0)
				if name == "padding 255" {
					content = contentFor(255)
				}
				if pt, err := c.new(t, &rpCounterRand{}).Open(23, 0x0303, frag); err != nil || !bytes.Equal(pt, content) {
					t.Errorf("%s: Open = %x, %v", name, pt, err)
				}
			}
		})
	}
}

func TestCBCConstructorErrors(t *testing.T) {
	key, mac := make([]byte, 16), make([]byte, 32)
	r := &rpCounterRand{}
	for _, c := range []struct {
		name string
		err  error
		f    func() (RecordProtection, error)
	}{
		{"AES-192 key", ErrInvalidKeyLength, func() (RecordProtection, error) { return NewCBC(make([]byte, 24), mac, crypto.SHA256, false, r) }},
		{"short MAC key", ErrInvalidKeyLength, func() (RecordProtection, error) { return NewCBC(key, mac[:20], crypto.SHA256, false, r) }},
		{"long MAC key", ErrInvalidKeyLength, func() (RecordProtection, error) { return NewCBC(key, mac, crypto.SHA1, true, r) }},
		{"MD5", ErrUnsupportedHash, func() (RecordProtection, error) { return NewCBC(key, mac[:16], crypto.MD5, false, r) }},
		{"SHA-512", ErrUnsupportedHash, func() (RecordProtection, error) { return NewCBC(key, make([]byte, 64), crypto.SHA512, false, r) }},
		{"no hash", ErrUnsupportedHash, func() (RecordProtection, error) { return NewCBC(key, mac, 0, false, r) }},
		{"nil rand", errNilRand, func() (RecordProtection, error) { return NewCBC(key, mac, crypto.SHA256, false, nil) }},
	} {
		if p, err := c.f(); err != c.err || p != nil {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
}

func TestCBCStateLayoutCheckCanFail(t *testing.T) {
	p := rpCBCConfig{16, crypto.SHA256, false}.new(t, &rpCounterRand{}).(*cbc)
	if !p.stateLayoutOK(crypto.SHA256) {
		t.Fatal("layout check fails for SHA-256")
	}
	// Against the wrong reference hash the check must fail.
	if p.stateLayoutOK(crypto.SHA224) {
		t.Error("layout check passes against SHA-224")
	}
	_ = sha256.New224 // links crypto.SHA224
}

func TestCBCRandFailure(t *testing.T) {
	for _, c := range rpCBCConfigs()[:1] {
		p := c.new(t, &rpReplayReader{make([]byte, 10)}) // 10 bytes, then an error
		out, err := p.Seal([]byte("dst"), 23, 0x0303, []byte("hello"))
		if err == nil || string(out) != "dst" || p.Sequence() != 0 {
			t.Errorf("Seal with a failing rand: %q, %v, seq %d", out, err, p.Sequence())
		}
		if errors.Is(err, ErrBadRecordMAC) || err == ErrSequenceExhausted {
			t.Errorf("wrong error %v", err)
		}
	}
}

// rpCBCStructured builds, for the fuzzer, a MAC-then-encrypt record whose
// encrypted bytes are data[:k] + a valid MAC over data[:k] + data[k:], or
// an EtM record with a valid MAC over the encryption of data; in both
// cases zero-filled to whole blocks. The padding is whatever the fuzzer
// chose, so the constant-time padding and MAC code is reached with
// authentic MACs.
func (c rpCBCConfig) structured(seq uint64, typ uint8, version uint16, data []byte, k int) []byte {
	inner := bytes.Clone(data)
	if !c.etm {
		k %= len(data) + 1
		inner = append(bytes.Clone(data[:k]), c.tlsMAC(seq, typ, version, data[:k])...)
		inner = append(inner, data[k:]...)
	}
	for len(inner) == 0 || len(inner)%16 != 0 {
		inner = append(inner, 0)
	}
	iv := rpKey(byte(k), 16)
	block, _ := aes.NewCipher(c.cipherKey())
	ct := make([]byte, len(inner))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, inner)
	frag := append(iv, ct...)
	if c.etm {
		frag = append(frag, c.tlsMAC(seq, typ, version, frag)...)
	}
	return frag
}

func FuzzOpenCBCMtE(f *testing.F) {
	c := rpCBCConfig{16, crypto.SHA256, false}
	rpFuzzOpen(f, c.newForFuzz, c.refOpen, c.structured)
}

func FuzzOpenCBCEtM(f *testing.F) {
	c := rpCBCConfig{16, crypto.SHA1, true}
	rpFuzzOpen(f, c.newForFuzz, c.refOpen, c.structured)
}
