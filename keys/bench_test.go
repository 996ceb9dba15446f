package keys

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"fmt"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// rpRawAEAD returns the bare cipher.AEAD behind an AEAD kind of rpKinds, for
// side-by-side benchmarks, or nil.
func rpRawAEAD(name string) cipher.AEAD {
	switch name {
	case "AES-128-GCM", "AES-256-GCM":
		n := 16
		if name == "AES-256-GCM" {
			n = 32
		}
		block, _ := aes.NewCipher(rpKey(1, n))
		a, _ := cipher.NewGCM(block)
		return a
	case "ChaCha20-Poly1305":
		a, _ := chacha20poly1305.New(rpKey(1, 32))
		return a
	}
	return nil
}

var rpBenchSizes = []int{1 << 10, 1 << 14}

// BenchmarkSeal compares Seal with the bare cipher.AEAD.Seal on the same
// plaintext (sanstls vs raw), so the cost of the record layer can be read
// off as a ratio.
func BenchmarkSeal(b *testing.B) {
	for _, k := range rpKinds() {
		for _, size := range rpBenchSizes {
			msg := make([]byte, size)
			b.Run(fmt.Sprintf("%s/%dKiB/sanstls", k.name, size>>10), func(b *testing.B) {
				p := k.make(b)
				dst := make([]byte, 0, size+p.MaxOverhead())
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := p.Seal(dst, 23, 0x0303, msg); err != nil {
						b.Fatal(err)
					}
				}
			})
			raw := rpRawAEAD(k.name)
			if raw == nil {
				continue
			}
			b.Run(fmt.Sprintf("%s/%dKiB/raw", k.name, size>>10), func(b *testing.B) {
				nonce := make([]byte, raw.NonceSize())
				ad := make([]byte, 13)
				dst := make([]byte, 0, size+raw.Overhead())
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					raw.Seal(dst, nonce, msg, ad)
				}
			})
		}
	}
}

// BenchmarkOpen compares Open with the bare cipher.AEAD.Open. Both copy the
// ciphertext into a work buffer first, since both decrypt in place.
func BenchmarkOpen(b *testing.B) {
	for _, k := range rpKinds() {
		for _, size := range rpBenchSizes {
			msg := make([]byte, size)
			b.Run(fmt.Sprintf("%s/%dKiB/sanstls", k.name, size>>10), func(b *testing.B) {
				rec, err := k.make(b).Seal(nil, 23, 0x0303, msg)
				if err != nil {
					b.Fatal(err)
				}
				p := k.make(b)
				work := make([]byte, len(rec)-5)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					copy(work, rec[5:])
					p.SetSequence(0)
					if _, err := p.Open(23, 0x0303, work); err != nil {
						b.Fatal(err)
					}
				}
			})
			raw := rpRawAEAD(k.name)
			if raw == nil {
				continue
			}
			b.Run(fmt.Sprintf("%s/%dKiB/raw", k.name, size>>10), func(b *testing.B) {
				nonce := make([]byte, raw.NonceSize())
				ad := make([]byte, 13)
				ct := raw.Seal(nil, nonce, msg, ad)
				work := make([]byte, len(ct))
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					copy(work, ct)
					if _, err := raw.Open(work[:0], nonce, work, ad); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkCBCOpenPadding opens MAC-then-encrypt records of the same length
// with the smallest and the largest padding: the times should agree.
// "naive" is the obvious, timing-leaky composition of crypto/cipher and
// crypto/hmac, for the cost of the constant-time code.
func BenchmarkCBCOpenPadding(b *testing.B) {
	for _, c := range []rpCBCConfig{{16, crypto.SHA1, false}, {16, crypto.SHA256, false}, {32, crypto.SHA384, false}} {
		for _, size := range []int{1 << 10, 1 << 14} {
			for _, padLen := range []int{c.minPad(size - 256), c.minPad(size-256) + 240} {
				// Same record length for both paddings.
				content := make([]byte, size-256+c.minPad(size-256)+240-padLen)
				frag := c.refBuild(b, 0, 23, 0x0303, rpCBCSpec{content, padLen, -1, -1, false}, rpKey(7, 16))
				work := make([]byte, len(frag))
				b.Run(fmt.Sprintf("%v/%dKiB/pad%d/sanstls", c.h, size>>10, padLen), func(b *testing.B) {
					p := c.new(b, &rpCounterRand{})
					b.SetBytes(int64(len(frag)))
					for b.Loop() {
						copy(work, frag)
						p.SetSequence(0)
						if _, err := p.Open(23, 0x0303, work); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(fmt.Sprintf("%v/%dKiB/pad%d/naive", c.h, size>>10, padLen), func(b *testing.B) {
					block, _ := aes.NewCipher(c.cipherKey())
					mac := hmac.New(c.h.New, c.macKey())
					dec := cipher.NewCBCDecrypter(block, frag[:16]).(cbcMode)
					b.SetBytes(int64(len(frag)))
					for b.Loop() {
						copy(work, frag)
						p := work[16:]
						dec.SetIV(work[:16])
						dec.CryptBlocks(p, p)
						pad := int(p[len(p)-1])
						n := len(p) - 1 - pad - c.h.Size()
						mac.Reset()
						mac.Write(rpAD(0, 23, 0x0303, n))
						mac.Write(p[:n])
						if !hmac.Equal(mac.Sum(nil), p[n:n+c.h.Size()]) {
							b.Fatal("naive open failed")
						}
					}
				})
			}
		}
	}
}
