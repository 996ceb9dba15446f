package bench

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// detRand is a deterministic reader (SHA-256 counter mode).
type detRand struct {
	ctr uint64
	buf []byte
}

func (r *detRand) Read(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(r.buf) == 0 {
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], r.ctr)
			r.ctr++
			s := sha256.Sum256(b[:])
			r.buf = s[:]
		}
		c := copy(p, r.buf)
		p, r.buf = p[c:], r.buf[c:]
	}
	return n, nil
}

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

type fixture struct {
	roots *x509.CertPool
	mcert machine.Certificate
	tcert tls.Certificate
}

var (
	fixOnce sync.Once
	fix     fixture
)

func getFixture(b *testing.B) fixture {
	fixOnce.Do(func() {
		caKey, _ := ecdsa.GenerateKey(elliptic.P256(), &detRand{})
		ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench CA"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true,
			BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
		caDER, err := x509.CreateCertificate(&detRand{}, ca, ca, caKey.Public(), caKey)
		if err != nil {
			panic(err)
		}
		caCert, _ := x509.ParseCertificate(caDER)
		key, _ := ecdsa.GenerateKey(elliptic.P256(), &detRand{ctr: 99})
		leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "bench.example"},
			DNSNames: []string{"bench.example"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		der, err := x509.CreateCertificate(&detRand{}, leaf, caCert, key.Public(), caKey)
		if err != nil {
			panic(err)
		}
		parsed, _ := x509.ParseCertificate(der)
		fix.roots = x509.NewCertPool()
		fix.roots.AddCert(caCert)
		fix.mcert = machine.Certificate{Chain: [][]byte{der}, PrivateKey: key, Leaf: parsed}
		fix.tcert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: parsed}
	})
	return fix
}

const suite = machine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256

func machinePair(b *testing.B, f fixture) (*machine.Conn, *machine.Conn) {
	rnd := &detRand{}
	ccfg := &machine.Config{Rand: rnd, Time: func() time.Time { return now }, RootCAs: f.roots,
		ServerName: "bench.example", CipherSuites: []uint16{suite}, Groups: []machine.Group{machine.CurveP256}}
	scfg := &machine.Config{Rand: rnd, Time: func() time.Time { return now }, Certificates: []machine.Certificate{f.mcert},
		CipherSuites: []uint16{suite}, Groups: []machine.Group{machine.CurveP256}}
	c, err := machine.Client(ccfg)
	if err != nil {
		b.Fatal(err)
	}
	s, err := machine.Server(scfg)
	if err != nil {
		b.Fatal(err)
	}
	c2s, err := c.Start(nil)
	if err != nil {
		b.Fatal(err)
	}
	var s2c []byte
	for i := 0; i < 20 && !(c.HandshakeComplete() && s.HandshakeComplete()); i++ {
		if len(c2s) > 0 {
			out, n, err := s.Receive(nil, c2s)
			if err != nil {
				b.Fatal(err)
			}
			for s.NextEvent().Kind != machine.EventNone {
			}
			c2s = c2s[n:]
			s2c = append(s2c, out...)
		}
		if len(s2c) > 0 {
			out, n, err := c.Receive(nil, s2c)
			if err != nil {
				b.Fatal(err)
			}
			for c.NextEvent().Kind != machine.EventNone {
			}
			s2c = s2c[n:]
			c2s = append(c2s, out...)
		}
	}
	if !c.HandshakeComplete() || !s.HandshakeComplete() {
		b.Fatal("handshake did not complete")
	}
	return c, s
}

func tlsPair(b *testing.B, f fixture) (*tls.Conn, *tls.Conn, *memLink) {
	link := newMemLink()
	ccfg := &tls.Config{RootCAs: f.roots, ServerName: "bench.example", Time: func() time.Time { return now },
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}, CurvePreferences: []tls.CurveID{tls.CurveP256},
		Rand: &detRand{}, SessionTicketsDisabled: true}
	scfg := &tls.Config{Certificates: []tls.Certificate{f.tcert}, Time: func() time.Time { return now },
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}, CurvePreferences: []tls.CurveID{tls.CurveP256},
		Rand: &detRand{}, SessionTicketsDisabled: true}
	c := tls.Client(link.a(), ccfg)
	s := tls.Server(link.b(), scfg)
	errc := make(chan error, 1)
	go func() { errc <- s.Handshake() }()
	if err := c.Handshake(); err != nil {
		b.Fatal(err)
	}
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	return c, s, link
}

// BenchmarkHandshake measures a full ECDHE-ECDSA-P256 handshake pair (client
// and server, certificate chain verified).
func BenchmarkHandshake(b *testing.B) {
	f := getFixture(b)
	b.Run("sanstls", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			machinePair(b, f)
		}
	})
	b.Run("crypto-tls", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tlsPair(b, f)
		}
	})
}

// BenchmarkRecord measures sealing a record on one side and opening it on
// the other, after the handshake.
func BenchmarkRecord(b *testing.B) {
	f := getFixture(b)
	for _, size := range []int{1024, 16384} {
		name := "1KiB"
		if size == 16384 {
			name = "16KiB"
		}
		msg := make([]byte, size)
		b.Run(name+"/sanstls", func(b *testing.B) {
			c, s := machinePair(b, f)
			wire := make([]byte, 0, machine.MaxRecordLen)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				out, err := c.Send(wire[:0], msg)
				if err != nil {
					b.Fatal(err)
				}
				_, n, err := s.Receive(nil, out)
				if err != nil || n != len(out) {
					b.Fatal(err)
				}
				if ev := s.NextEvent(); len(ev.Data) != size {
					b.Fatal("short record")
				}
			}
		})
		for _, off := range []int{0, 13} {
			// The floor: AES-128-GCM Seal then Open of the same plaintext
			// with crypto/cipher, no record layer at all. At offset 13 the
			// ciphertext sits where a TLS 1.2 GCM record puts it (after the
			// 5-byte header and 8-byte explicit nonce), which is the fair
			// comparison: the unaligned position costs the assembly a few
			// percent.
			b.Run(fmt.Sprintf("%s/raw-aead-at-%d", name, off), func(b *testing.B) {
				block, _ := aes.NewCipher(make([]byte, 16))
				aead, _ := cipher.NewGCM(block)
				nonce := make([]byte, 12)
				buf := make([]byte, off, off+size+aead.Overhead())
				aad := make([]byte, 13)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					ct := aead.Seal(buf[off:off], nonce, msg, aad)
					if _, err := aead.Open(ct[:0], nonce, ct, aad); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(name+"/crypto-tls", func(b *testing.B) {
			c, s, link := tlsPair(b, f)
			link.direct = true
			buf := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Write(msg); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(s, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// memLink is an in-memory duplex byte stream. During the handshake (two
// goroutines) reads block on a condition variable; in direct mode a single
// goroutine writes then reads, with no blocking.
type memLink struct {
	mu     sync.Mutex
	cond   *sync.Cond
	ab, ba bytes.Buffer
	direct bool
}

func newMemLink() *memLink {
	l := &memLink{}
	l.cond = sync.NewCond(&l.mu)
	return l
}

type memEnd struct {
	l   *memLink
	isA bool
}

func (l *memLink) a() net.Conn { return &memEnd{l, true} }
func (l *memLink) b() net.Conn { return &memEnd{l, false} }

func (e *memEnd) Read(p []byte) (int, error) {
	e.l.mu.Lock()
	defer e.l.mu.Unlock()
	src := &e.l.ba
	if !e.isA {
		src = &e.l.ab
	}
	for src.Len() == 0 {
		e.l.cond.Wait()
	}
	return src.Read(p)
}

func (e *memEnd) Write(p []byte) (int, error) {
	e.l.mu.Lock()
	defer e.l.mu.Unlock()
	dst := &e.l.ab
	if !e.isA {
		dst = &e.l.ba
	}
	dst.Write(p)
	e.l.cond.Broadcast()
	return len(p), nil
}

func (e *memEnd) Close() error                     { return nil }
func (e *memEnd) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (e *memEnd) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (e *memEnd) SetDeadline(time.Time) error      { return nil }
func (e *memEnd) SetReadDeadline(time.Time) error  { return nil }
func (e *memEnd) SetWriteDeadline(time.Time) error { return nil }
