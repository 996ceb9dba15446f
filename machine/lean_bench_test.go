package machine_test

// Benchmarks of what one connection costs: allocations and CPU per full and
// per resumed handshake pair, and heap retained by idle connections, for the
// machine driven directly and for crypto/tls over net.Pipe, in one run.
//
//	go test ./machine/ -run '^$' -bench 'Lean' -benchmem
//	go test ./machine/ -run '^$' -bench 'LeanIdle' -benchtime 1x   # 10,000 pairs
//
// The idle benchmark reports B/endpoint: the growth of the live heap (after
// runtime.GC) divided by the number of endpoints (two per pair), once after
// the handshakes and once after 16 KiB moved each way on every pair.

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"io"
	"net"
	"runtime"
	"testing"

	"github.com/sanstls/sanstls/machine"
)

var leanIdlePairs = flag.Int("lean.pairs", 10000, "pairs kept alive by BenchmarkLeanIdle")

const leanSuite = machine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256

// leanConfigs returns a client and a server Config for an ECDHE-ECDSA-P256
// AES-128-GCM handshake with the server's leaf (sent alone, as bench/ does)
// verified against the test CA. With resume set, the server issues tickets
// and the client caches them.
func leanConfigs(tb testing.TB, resume bool) (ccfg, scfg *machine.Config) {
	return leanConfigsCache(tb, resume, true)
}

// leanConfigsCache is leanConfigs with or without a CertCache on the client.
func leanConfigsCache(tb testing.TB, resume, cache bool) (ccfg, scfg *machine.Config) {
	p := getPKI(tb)
	leaf := p.ecdsa
	leaf.Chain = leaf.Chain[:1]
	ccfg = &machine.Config{Rand: newRand("lean-client"), Time: fixedTime, RootCAs: p.roots, ServerName: "example.com",
		CipherSuites: []uint16{leanSuite}, Groups: []machine.Group{machine.CurveP256}}
	scfg = &machine.Config{Rand: newRand("lean-server"), Time: fixedTime, Certificates: []machine.Certificate{leaf},
		CipherSuites: []uint16{leanSuite}, Groups: []machine.Group{machine.CurveP256}}
	if cache {
		ccfg.CertCache = machine.NewCertCache(16)
	}
	if resume {
		ccfg.ClientSessionCache = mapClientCache{}
		scfg.TicketKeys = [][32]byte{{1, 2, 3}}
	}
	return ccfg, scfg
}

// leanWire holds the driver's buffers, reused across pairs so that the
// allocations counted are the machine's.
type leanWire struct{ c2s, s2c, out []byte }

func newLeanWire() *leanWire {
	return &leanWire{c2s: make([]byte, 0, 1<<15), s2c: make([]byte, 0, 1<<15), out: make([]byte, 0, 1<<15)}
}

// deliver feeds *in to to, appending its output to *back.
func (w *leanWire) deliver(tb testing.TB, to *machine.Conn, in, back *[]byte) {
	for len(*in) > 0 {
		out, n, err := to.Receive(w.out[:0], *in)
		if err != nil {
			tb.Fatal(err)
		}
		for to.NextEvent().Kind != machine.EventNone {
		}
		*back = append(*back, out...)
		*in = append((*in)[:0], (*in)[n:]...)
		if n == 0 {
			return
		}
	}
}

// leanPair runs one handshake between fresh Conns.
func leanPair(tb testing.TB, ccfg, scfg *machine.Config, w *leanWire) (*machine.Conn, *machine.Conn) {
	c, err := machine.Client(ccfg)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := machine.Server(scfg)
	if err != nil {
		tb.Fatal(err)
	}
	w.c2s, err = c.Start(w.c2s[:0])
	if err != nil {
		tb.Fatal(err)
	}
	w.s2c = w.s2c[:0]
	for i := 0; i < 16 && !(c.HandshakeComplete() && s.HandshakeComplete()); i++ {
		w.deliver(tb, s, &w.c2s, &w.s2c)
		w.deliver(tb, c, &w.s2c, &w.c2s)
	}
	if !c.HandshakeComplete() || !s.HandshakeComplete() {
		tb.Fatal("handshake did not complete")
	}
	return c, s
}

// leanTraffic moves size bytes each way over a connected machine pair.
func leanTraffic(tb testing.TB, c, s *machine.Conn, msg []byte, w *leanWire) {
	for _, dir := range [2][2]*machine.Conn{{c, s}, {s, c}} {
		for rest := msg; len(rest) > 0; {
			chunk := rest[:min(len(rest), 1<<14)]
			rest = rest[len(chunk):]
			rec, err := dir[0].Send(w.c2s[:0], chunk)
			if err != nil {
				tb.Fatal(err)
			}
			w.c2s = rec
			for len(rec) > 0 {
				_, n, err := dir[1].Receive(nil, rec)
				if err != nil {
					tb.Fatal(err)
				}
				for dir[1].NextEvent().Kind != machine.EventNone {
				}
				rec = rec[n:]
			}
		}
	}
}

// leanTLSConfigs is crypto/tls configured like leanConfigs.
func leanTLSConfigs(tb testing.TB, resume bool) (ccfg, scfg *tls.Config) {
	p := getPKI(tb)
	leaf := p.tlsECDSA
	leaf.Certificate = leaf.Certificate[:1]
	ccfg = &tls.Config{RootCAs: p.roots, ServerName: "example.com", Time: fixedTime, Rand: newRand("tls-client"),
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{leanSuite}, CurvePreferences: []tls.CurveID{tls.CurveP256},
		SessionTicketsDisabled: !resume}
	scfg = &tls.Config{Certificates: []tls.Certificate{leaf}, Time: fixedTime, Rand: newRand("tls-server"),
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{leanSuite}, CurvePreferences: []tls.CurveID{tls.CurveP256},
		SessionTicketsDisabled: !resume}
	if resume {
		ccfg.ClientSessionCache = tls.NewLRUClientSessionCache(1)
	}
	return ccfg, scfg
}

func leanTLSPair(tb testing.TB, ccfg, scfg *tls.Config) (*tls.Conn, *tls.Conn) {
	a, b := net.Pipe()
	c, s := tls.Client(a, ccfg), tls.Server(b, scfg)
	errc := make(chan error, 1)
	go func() { errc <- s.Handshake() }()
	if err := c.Handshake(); err != nil {
		tb.Fatal(err)
	}
	if err := <-errc; err != nil {
		tb.Fatal(err)
	}
	return c, s
}

func leanTLSTraffic(tb testing.TB, c, s *tls.Conn, msg, buf []byte) {
	for _, dir := range [2][2]*tls.Conn{{c, s}, {s, c}} {
		errc := make(chan error, 1)
		go func() { _, err := dir[0].Write(msg); errc <- err }()
		if _, err := io.ReadFull(dir[1], buf[:len(msg)]); err != nil {
			tb.Fatal(err)
		}
		if err := <-errc; err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkLeanFullPair is one full ECDHE-ECDSA-P256 handshake (client and
// server, chain verified), and the public-key and x509 work it cannot avoid.
func BenchmarkLeanFullPair(b *testing.B) {
	b.Run("sanstls", func(b *testing.B) {
		ccfg, scfg := leanConfigs(b, false)
		w := newLeanWire()
		b.ReportAllocs()
		for b.Loop() {
			leanPair(b, ccfg, scfg, w)
		}
	})
	b.Run("sanstls-no-cert-cache", func(b *testing.B) {
		ccfg, scfg := leanConfigsCache(b, false, false)
		w := newLeanWire()
		b.ReportAllocs()
		for b.Loop() {
			leanPair(b, ccfg, scfg, w)
		}
	})
	b.Run("crypto-tls", func(b *testing.B) {
		ccfg, scfg := leanTLSConfigs(b, false)
		b.ReportAllocs()
		for b.Loop() {
			leanTLSPair(b, ccfg, scfg)
		}
	})
	b.Run("floor", func(b *testing.B) {
		// Two P-256 key shares and agreements, one ECDSA signature and its
		// verification, parsing and verifying the leaf.
		p := getPKI(b)
		key := p.ecdsa.PrivateKey.(*ecdsa.PrivateKey)
		digest := sha256.Sum256([]byte("signed params"))
		b.ReportAllocs()
		for b.Loop() {
			k1, _ := ecdh.P256().GenerateKey(rand.Reader)
			k2, _ := ecdh.P256().GenerateKey(rand.Reader)
			if _, err := k1.ECDH(k2.PublicKey()); err != nil {
				b.Fatal(err)
			}
			if _, err := k2.ECDH(k1.PublicKey()); err != nil {
				b.Fatal(err)
			}
			sig, err := ecdsa.SignASN1(nil, key, digest[:])
			if err != nil {
				b.Fatal(err)
			}
			if !ecdsa.VerifyASN1(&key.PublicKey, digest[:], sig) {
				b.Fatal("verify")
			}
			leaf, err := x509.ParseCertificate(p.ecdsa.Chain[0])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: p.roots, Intermediates: x509.NewCertPool(), DNSName: "example.com",
				CurrentTime: testNow, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLeanResumedPair is one abbreviated handshake with a session
// ticket (the server issues a fresh ticket each time, as crypto/tls does).
func BenchmarkLeanResumedPair(b *testing.B) {
	b.Run("sanstls", func(b *testing.B) {
		ccfg, scfg := leanConfigs(b, true)
		w := newLeanWire()
		leanPair(b, ccfg, scfg, w)
		b.ReportAllocs()
		for b.Loop() {
			c, _ := leanPair(b, ccfg, scfg, w)
			if !c.State().DidResume {
				b.Fatal("did not resume")
			}
		}
	})
	b.Run("sanstls-no-cert-cache", func(b *testing.B) {
		ccfg, scfg := leanConfigsCache(b, true, false)
		w := newLeanWire()
		leanPair(b, ccfg, scfg, w)
		b.ReportAllocs()
		for b.Loop() {
			leanPair(b, ccfg, scfg, w)
		}
	})
	b.Run("crypto-tls", func(b *testing.B) {
		ccfg, scfg := leanTLSConfigs(b, true)
		leanTLSPair(b, ccfg, scfg)
		b.ReportAllocs()
		for b.Loop() {
			c, _ := leanTLSPair(b, ccfg, scfg)
			if !c.ConnectionState().DidResume {
				b.Fatal("did not resume")
			}
		}
	})
}

// liveHeap returns the live heap after a full collection.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkLeanIdle keeps -lean.pairs connected pairs alive and reports the
// heap each endpoint retains: after the handshake ("B/endpoint-idle") and
// after 16 KiB each way ("B/endpoint-traffic"). Run with -benchtime 1x.
func BenchmarkLeanIdle(b *testing.B) {
	const traffic = 16 << 10
	msg := make([]byte, traffic)
	idle := func(b *testing.B, cache, drop bool) {
		ccfg, scfg := leanConfigsCache(b, false, cache)
		ccfg.DropPeerCertificates, scfg.DropPeerCertificates = drop, drop
		w := newLeanWire()
		for b.Loop() {
			pairs := make([][2]*machine.Conn, *leanIdlePairs)
			before := liveHeap()
			for i := range pairs {
				c, s := leanPair(b, ccfg, scfg, w)
				pairs[i] = [2]*machine.Conn{c, s}
			}
			idle := liveHeap()
			for _, p := range pairs {
				leanTraffic(b, p[0], p[1], msg, w)
			}
			after := liveHeap()
			runtime.KeepAlive(pairs)
			endpoints := float64(2 * len(pairs))
			b.ReportMetric(float64(idle-before)/endpoints, "B/endpoint-idle")
			b.ReportMetric(float64(after-before)/endpoints, "B/endpoint-traffic")
		}
	}
	// The client shares one CertCache (the default of adapters/netconn).
	b.Run("sanstls", func(b *testing.B) { idle(b, true, false) })
	// Each client keeps its own parse of the server's leaf...
	b.Run("sanstls-no-cert-cache", func(b *testing.B) { idle(b, false, false) })
	// ...unless it hands the chain out at the end of the handshake.
	b.Run("sanstls-no-cert-cache-drop-peer", func(b *testing.B) { idle(b, false, true) })
	b.Run("crypto-tls", func(b *testing.B) {
		ccfg, scfg := leanTLSConfigs(b, false)
		buf := make([]byte, traffic)
		for b.Loop() {
			pairs := make([][2]*tls.Conn, *leanIdlePairs)
			before := liveHeap()
			for i := range pairs {
				c, s := leanTLSPair(b, ccfg, scfg)
				pairs[i] = [2]*tls.Conn{c, s}
			}
			idle := liveHeap()
			for _, p := range pairs {
				leanTLSTraffic(b, p[0], p[1], msg, buf)
			}
			after := liveHeap()
			runtime.KeepAlive(pairs)
			endpoints := float64(2 * len(pairs))
			b.ReportMetric(float64(idle-before)/endpoints, "B/endpoint-idle")
			b.ReportMetric(float64(after-before)/endpoints, "B/endpoint-traffic")
		}
	})
}
