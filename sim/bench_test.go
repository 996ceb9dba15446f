//go:build linux

package sim

import (
	"crypto/tls"
	"io"
	"net"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// The benchmarks compare the simulator with the machine driven directly
// and with crypto/tls. Run them once each:
//
//	go test -run x -bench . -benchtime 1x ./sim/      (idle connections)
//	go test -run x -bench Handshake -count 5 ./sim/  (handshake rate)

const benchSuite = machine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// idleConns is the figure: this many established connections,
// idle, in one goroutine.
const idleConns = 10000

// BenchmarkIdleConns reports the live heap each endpoint of 10,000 idle
// established AES-GCM connections retains, in the simulator (one goroutine,
// machines only) and with crypto/tls over in-memory pipes, after the
// handshake and after one 400-byte request and 16 KiB response.
func BenchmarkIdleConns(b *testing.B) {
	for _, traffic := range []bool{false, true} {
		name := "handshake"
		if traffic {
			name = "after-traffic"
		}
		b.Run("sanstls/"+name, func(b *testing.B) {
			sc := Scenario{Conns: idleConns, Seed: 1, Arrival: Arrival{Kind: AllAtOnce}, Requests: NoRequests,
				CipherSuites: []uint16{benchSuite}, HeapInUse: liveHeap}
			if traffic {
				sc.Requests, sc.RequestSize, sc.ResponseSize = 1, 400, 16<<10
			}
			var per float64
			for b.Loop() {
				r, err := Run(sc)
				if err != nil {
					b.Fatal(err)
				}
				if r.IdleEndpoints != 2*idleConns {
					b.Fatalf("%d idle endpoints, want %d: %v", r.IdleEndpoints, 2*idleConns, r.Outcomes)
				}
				per = r.HeapPerEndpoint
			}
			b.ReportMetric(per, "B/endpoint")
		})
		b.Run("crypto-tls/"+name, func(b *testing.B) {
			var per float64
			for b.Loop() {
				per = cryptoTLSIdle(b, idleConns, traffic)
			}
			b.ReportMetric(per, "B/endpoint")
		})
	}
}

// cryptoTLSIdle establishes n crypto/tls connection pairs over net.Pipe
// (the handshakes need a goroutine per side) and returns the heap each
// tls.Conn retains once every goroutine has ended.
func cryptoTLSIdle(b *testing.B, n int, traffic bool) float64 {
	p, err := newPKI()
	if err != nil {
		b.Fatal(err)
	}
	cert := tls.Certificate{Certificate: p.server.Chain, PrivateKey: p.server.PrivateKey, Leaf: p.server.Leaf}
	now := func() time.Time { return Epoch }
	ccfg := &tls.Config{RootCAs: p.roots, ServerName: ServerName, Time: now, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{benchSuite}, SessionTicketsDisabled: true}
	scfg := &tls.Config{Certificates: []tls.Certificate{cert}, Time: now, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{benchSuite}, SessionTicketsDisabled: true}
	type pair struct{ c, s *tls.Conn }
	pairs := make([]pair, n)
	raw := make([][2]net.Conn, n)
	for i := range raw {
		raw[i][0], raw[i][1] = net.Pipe()
	}
	before := liveHeap()
	req, resp := make([]byte, 400), make([]byte, 16<<10)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range pairs {
		c, s := tls.Client(raw[i][0], ccfg), tls.Server(raw[i][1], scfg)
		pairs[i] = pair{c, s}
		wg.Add(2)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			if err := s.Handshake(); err != nil {
				b.Error(err)
				return
			}
			if traffic {
				buf := make([]byte, len(req))
				if _, err := io.ReadFull(s, buf); err != nil {
					b.Error(err)
				}
				if _, err := s.Write(resp); err != nil {
					b.Error(err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := c.Handshake(); err != nil {
				b.Error(err)
				return
			}
			if traffic {
				if _, err := c.Write(req); err != nil {
					b.Error(err)
				}
				buf := make([]byte, len(resp))
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	after := liveHeap()
	runtime.KeepAlive(pairs)
	runtime.KeepAlive(raw)
	for _, r := range raw {
		// Not tls.Conn.Close: its close_notify would wait 5 s for a
		// reader on the synchronous pipe.
		r[0].Close()
		r[1].Close()
	}
	return float64(after-before) / float64(2*n)
}

// BenchmarkHandshakeRate compares full handshakes (ECDHE X25519, ECDSA
// P-256 certificate verified, AES-128-GCM) driven directly, as the
// machine's own benchmark does, with the same handshakes in the simulator
// (network model, scheduling, traces, transcript hashing and close_notify
// included). Both report handshakes per CPU-second of the thread that runs
// them; the simulator also reports the share of that CPU time spent outside
// the machines (%sim-overhead), which the load of a shared machine
// disturbs far less than the comparison of two runs.
func BenchmarkHandshakeRate(b *testing.B) {
	p, err := newPKI()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("machine", func(b *testing.B) {
		rnd := newPCG(1, 1)
		r := &pcgReader{&rnd}
		ccfg := &machine.Config{Rand: r, Time: func() time.Time { return Epoch }, RootCAs: p.roots, ServerName: ServerName,
			CipherSuites: []uint16{benchSuite}}
		scfg := &machine.Config{Rand: r, Time: func() time.Time { return Epoch }, Certificates: []machine.Certificate{p.server}}
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		start := threadCPU()
		for b.Loop() {
			directHandshake(b, ccfg, scfg)
		}
		b.ReportMetric(float64(b.N)/(threadCPU()-start).Seconds(), "handshakes/CPU-s")
	})
	b.Run("sim", func(b *testing.B) {
		sc := Scenario{Seed: 1, Arrival: Arrival{Kind: AllAtOnce}, Requests: NoRequests, CipherSuites: []uint16{benchSuite},
			NoCertCache: true} // as the machine's own benchmark
		// The simulator reads CPUTime exactly twice around every machine
		// call (enter, leave): the time between is the machines', the
		// rest the simulator's (less the cost of the readings).
		var inside, mark time.Duration
		var reads int
		sc.CPUTime = func() time.Duration {
			t := threadCPU()
			if reads++; reads%2 == 1 {
				mark = t
			} else {
				inside += t - mark
			}
			return t
		}
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		probe := probeCost()
		b.ResetTimer()
		start := threadCPU()
		sc.Conns = b.N
		r, err := run(sc.withDefaults(), p, nil, nil, 0)
		if err != nil {
			b.Fatal(err)
		}
		total := threadCPU() - start
		b.StopTimer()
		if r.Kinds[Full].Count != b.N {
			b.Fatalf("%d of %d handshakes completed: %v", r.Kinds[Full].Count, b.N, r.Outcomes)
		}
		own := total - inside - time.Duration(reads)*probe
		b.ReportMetric(float64(b.N)/(total-time.Duration(reads)*probe).Seconds(), "handshakes/CPU-s")
		b.ReportMetric(100*float64(own)/float64(total-time.Duration(reads)*probe), "%sim-overhead")
	})
}

// probeCost is the CPU time of one threadCPU call.
func probeCost() time.Duration {
	const n = 20000
	start := threadCPU()
	for range n {
		threadCPU()
	}
	return (threadCPU() - start) / n
}

// threadCPU is the CPU time of the calling thread (getrusage
// RUSAGE_THREAD); callers lock their goroutine to its thread. On a shared
// machine it is much steadier than the wall clock.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type pcgReader struct{ g interface{ Uint64() uint64 } }

func (r *pcgReader) Read(p []byte) (int, error) {
	for i := range p {
		if i%8 == 0 {
			v := r.g.Uint64()
			for j := i; j < len(p) && j < i+8; j++ {
				p[j] = byte(v)
				v >>= 8
			}
		}
	}
	return len(p), nil
}

// directHandshake runs one handshake between two machines, handing each
// side's whole output to the other.
func directHandshake(b *testing.B, ccfg, scfg *machine.Config) {
	c, err := machine.Client(ccfg)
	if err != nil {
		b.Fatal(err)
	}
	s, err := machine.Server(scfg)
	if err != nil {
		b.Fatal(err)
	}
	toServer, err := c.Start(nil)
	if err != nil {
		b.Fatal(err)
	}
	var toClient []byte
	for i := 0; i < 8 && !(c.HandshakeComplete() && s.HandshakeComplete()); i++ {
		for len(toServer) > 0 {
			out, n, err := s.Receive(toClient, toServer)
			if err != nil {
				b.Fatal(err)
			}
			toClient, toServer = out, toServer[n:]
			for s.NextEvent().Kind != machine.EventNone {
			}
		}
		for len(toClient) > 0 {
			out, n, err := c.Receive(toServer, toClient)
			if err != nil {
				b.Fatal(err)
			}
			toServer, toClient = out, toClient[n:]
			for c.NextEvent().Kind != machine.EventNone {
			}
		}
	}
	if !c.HandshakeComplete() || !s.HandshakeComplete() {
		b.Fatal("handshake did not complete")
	}
}
