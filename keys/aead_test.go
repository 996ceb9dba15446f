package keys

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"math"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// rpAD builds the TLS 1.2 AEAD additional data independently of
// putMACHeader: seq_num + type + version + length (RFC 5246, 6.2.3.3).
func rpAD(seq uint64, typ uint8, version uint16, n int) []byte {
	ad := binary.BigEndian.AppendUint64(nil, seq)
	ad = append(ad, typ)
	ad = binary.BigEndian.AppendUint16(ad, version)
	return binary.BigEndian.AppendUint16(ad, uint16(n))
}

// rpChaChaNonce computes the RFC 7905 nonce independently: the sequence
// number, big-endian, left-padded to 12 bytes and XORed into the IV.
func rpChaChaNonce(iv []byte, seq uint64) []byte {
	n := bytes.Clone(iv)
	for i := range 8 {
		n[11-i] ^= byte(seq >> (8 * i))
	}
	return n
}

func TestChaCha20Poly1305RFC8439(t *testing.T) {
	for _, v := range rpParseVectors(t, "testdata/aead_rfc8439.txt") {
		key, nonce, aad := rpHex(t, v["key"]), rpHex(t, v["nonce"]), rpHex(t, v["aad"])
		want := append(rpHex(t, v["ciphertext"]), rpHex(t, v["tag"])...)
		// The vector's nonce is our IV at sequence number 0.
		p, err := NewChaCha20Poly1305(key, nonce)
		if err != nil {
			t.Fatal(err)
		}
		c := p.(*chacha)
		got := c.sealAD(nil, []byte(v["plaintext"]), aad)
		if !bytes.Equal(got, want) {
			t.Errorf("RFC 8439 2.8.2: got %x, want %x", got, want)
		}
		// At other sequence numbers the nonce is IV XOR seq.
		for _, seq := range []uint64{1, 0x0102030405060708, math.MaxUint64 - 1} {
			c.setNonce(seq)
			if want := rpChaChaNonce(nonce, seq); !bytes.Equal(c.nonce[:], want) {
				t.Errorf("seq %#x: nonce %x, want %x", seq, c.nonce, want)
			}
		}
	}
}

func TestAESGCMAgainstCryptoCipher(t *testing.T) {
	for _, keyLen := range []int{16, 32} {
		key, salt := rpKey(1, keyLen), rpKey(2, 4)
		block, _ := aes.NewCipher(key)
		ref, _ := cipher.NewGCM(block)
		for _, seq := range []uint64{0, 1, 2, 0xdeadbeef, math.MaxUint64 - 1} {
			for _, n := range []int{0, 1, 16, 1000} {
				msg := bytes.Repeat([]byte{0x5a}, n)
				// Seal with ours, open independently.
				p, _ := NewAESGCM(key, salt)
				p.SetSequence(seq)
				rec, err := p.Seal(nil, 23, 0x0303, msg)
				if err != nil {
					t.Fatal(err)
				}
				_, _, frag := rpSplitRecord(t, rec)
				if got := binary.BigEndian.Uint64(frag[:8]); got != seq {
					t.Errorf("nonce_explicit %#x, want the sequence number %#x", got, seq)
				}
				nonce := append(bytes.Clone(salt), frag[:8]...)
				pt, err := ref.Open(nil, nonce, frag[8:], rpAD(seq, 23, 0x0303, n))
				if err != nil || !bytes.Equal(pt, msg) {
					t.Errorf("AES-%d seq %#x n %d: crypto/cipher cannot open our record: %v", keyLen*8, seq, n, err)
				}
				// Seal independently with an arbitrary explicit nonce, open
				// with ours.
				explicit := []byte{9, 8, 7, 6, 5, 4, 3, 2}
				frag2 := append(bytes.Clone(explicit), ref.Seal(nil, append(bytes.Clone(salt), explicit...), msg, rpAD(seq, 21, 0x0303, n))...)
				o, _ := NewAESGCM(key, salt)
				o.SetSequence(seq)
				if pt, err := o.Open(21, 0x0303, frag2); err != nil || !bytes.Equal(pt, msg) {
					t.Errorf("AES-%d seq %#x n %d: Open of an independent record: %v", keyLen*8, seq, n, err)
				}
			}
		}
	}
}

func TestChaCha20Poly1305AgainstXCrypto(t *testing.T) {
	key, iv := rpKey(1, 32), rpKey(2, 12)
	ref, _ := chacha20poly1305.New(key)
	for _, seq := range []uint64{0, 1, 0x0102030405060708, math.MaxUint64 - 1} {
		for _, n := range []int{0, 1, 64, 1000} {
			msg := bytes.Repeat([]byte{0xa5}, n)
			p, _ := NewChaCha20Poly1305(key, iv)
			p.SetSequence(seq)
			rec, err := p.Seal(nil, 23, 0x0303, msg)
			if err != nil {
				t.Fatal(err)
			}
			_, _, frag := rpSplitRecord(t, rec)
			nonce := rpChaChaNonce(iv, seq)
			if want := ref.Seal(nil, nonce, msg, rpAD(seq, 23, 0x0303, n)); !bytes.Equal(frag, want) {
				t.Errorf("seq %#x n %d: fragment %x, want %x", seq, n, frag, want)
			}
			o, _ := NewChaCha20Poly1305(key, iv)
			o.SetSequence(seq)
			if pt, err := o.Open(23, 0x0303, ref.Seal(nil, nonce, msg, rpAD(seq, 23, 0x0303, n))); err != nil || !bytes.Equal(pt, msg) {
				t.Errorf("seq %#x n %d: Open of an independent record: %v", seq, n, err)
			}
		}
	}
}

// TestAEADEdgeCases runs Wycheproof-style negative cases against both AEADs.
func TestAEADEdgeCases(t *testing.T) {
	for _, k := range rpKinds()[:3] {
		t.Run(k.name, func(t *testing.T) {
			explicit := 0
			if k.name != "ChaCha20-Poly1305" {
				explicit = 8
			}
			rec, err := k.make(t).Seal(nil, 23, 0x0303, []byte("sixteen byte msg"))
			if err != nil {
				t.Fatal(err)
			}
			good := rec[5:]
			empty, _ := k.make(t).Seal(nil, 23, 0x0303, nil)
			if pt, err := k.make(t).Open(23, 0x0303, bytes.Clone(empty[5:])); err != nil || len(pt) != 0 {
				t.Errorf("genuine empty record: %x, %v", pt, err)
			}
			mod := func(f func([]byte) []byte) []byte { return f(bytes.Clone(good)) }
			cases := []struct {
				name    string
				frag    []byte
				typ     uint8
				version uint16
				seq     uint64
			}{
				{"tag last byte", mod(func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b }), 23, 0x0303, 0},
				{"tag first byte", mod(func(b []byte) []byte { b[len(b)-16] ^= 1; return b }), 23, 0x0303, 0},
				{"tag all zero", mod(func(b []byte) []byte { clear(b[len(b)-16:]); return b }), 23, 0x0303, 0},
				{"ciphertext", mod(func(b []byte) []byte { b[explicit] ^= 1; return b }), 23, 0x0303, 0},
				{"type in AD", bytes.Clone(good), 24, 0x0303, 0},
				{"version in AD", bytes.Clone(good), 23, 0x0301, 0},
				{"sequence in AD", bytes.Clone(good), 23, 0x0303, 1},
				{"sequence high bit", bytes.Clone(good), 23, 0x0303, 1 << 63},
				{"one byte short", good[:len(good)-1], 23, 0x0303, 0},
				{"one byte long", append(bytes.Clone(good), 0), 23, 0x0303, 0},
				{"tag only", bytes.Clone(good[len(good)-16:]), 23, 0x0303, 0},
				{"shorter than nonce and tag", make([]byte, explicit+15), 23, 0x0303, 0},
				{"empty", nil, 23, 0x0303, 0},
				{"one byte", []byte{0}, 23, 0x0303, 0},
			}
			if explicit > 0 {
				cases = append(cases, struct {
					name    string
					frag    []byte
					typ     uint8
					version uint16
					seq     uint64
				}{"nonce_explicit", mod(func(b []byte) []byte { b[0] ^= 1; return b }), 23, 0x0303, 0})
			}
			for _, c := range cases {
				o := k.make(t)
				o.SetSequence(c.seq)
				if pt, err := o.Open(c.typ, c.version, c.frag); err != ErrBadRecordMAC || o.Sequence() != c.seq {
					t.Errorf("%s: Open = %x, %v, seq %d", c.name, pt, err, o.Sequence())
				}
			}
		})
	}
}

func TestAEADConstructorErrors(t *testing.T) {
	for _, c := range []struct{ key, iv int }{{15, 4}, {24, 4}, {33, 4}, {16, 3}, {16, 12}, {0, 0}} {
		if p, err := NewAESGCM(make([]byte, c.key), make([]byte, c.iv)); err != ErrInvalidKeyLength || p != nil {
			t.Errorf("NewAESGCM(%d, %d): %v", c.key, c.iv, err)
		}
	}
	for _, c := range []struct{ key, iv int }{{16, 12}, {31, 12}, {32, 8}, {32, 4}, {32, 13}} {
		if p, err := NewChaCha20Poly1305(make([]byte, c.key), make([]byte, c.iv)); err != ErrInvalidKeyLength || p != nil {
			t.Errorf("NewChaCha20Poly1305(%d, %d): %v", c.key, c.iv, err)
		}
	}
}

func FuzzOpenAESGCM(f *testing.F) {
	key, salt := rpKey(1, 16), rpKey(2, 4)
	block, _ := aes.NewCipher(key)
	ref, _ := cipher.NewGCM(block)
	rpFuzzOpen(f, func() RecordProtection {
		p, _ := NewAESGCM(key, salt)
		return p
	}, func(seq uint64, typ uint8, version uint16, frag []byte) ([]byte, bool) {
		if len(frag) < 24 {
			return nil, false
		}
		nonce := append(bytes.Clone(salt), frag[:8]...)
		pt, err := ref.Open(nil, nonce, frag[8:], rpAD(seq, typ, version, len(frag)-24))
		return pt, err == nil
	}, nil)
}

func FuzzOpenChaCha20Poly1305(f *testing.F) {
	key, iv := rpKey(1, 32), rpKey(2, 12)
	ref, _ := chacha20poly1305.New(key)
	rpFuzzOpen(f, func() RecordProtection {
		p, _ := NewChaCha20Poly1305(key, iv)
		return p
	}, func(seq uint64, typ uint8, version uint16, frag []byte) ([]byte, bool) {
		if len(frag) < 16 {
			return nil, false
		}
		pt, err := ref.Open(nil, rpChaChaNonce(iv, seq), frag, rpAD(seq, typ, version, len(frag)-16))
		return pt, err == nil
	}, nil)
}
