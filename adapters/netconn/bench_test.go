package netconn_test

import (
	"crypto/tls"
	"flag"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
)

// Benchmarks comparing netconn with crypto/tls (TLS 1.2 both) in one run.
// Each reports both libraries' figures and their ratio (ours/theirs) so
// that machine load affects both sides alike.
//
//	go test -run x -bench 'Memory|Handshake' -benchtime 20x ./adapters/netconn/

var idlePairs = flag.Int("netconn.pairs", 10000, "idle connection pairs held by BenchmarkIdleMemory")

// endpoint is what both libraries' connections offer.
type endpoint interface {
	net.Conn
	Handshake() error
}

type lib struct {
	name string
	pair func(a, b net.Conn) (client, server endpoint)
}

func ourLib(resume bool) lib {
	ccfg := ourClientConfig()
	// The leaf is parsed once, as theirLib's tls.Certificate carries it.
	cert := pki().ecdsaA.ours()
	cert.Leaf = pki().ecdsaA.cert
	scfg := &netconn.Config{Certificates: []netconn.Certificate{cert}}
	if resume {
		ccfg.ClientSessionCache = netconn.NewLRUClientSessionCache(1)
	}
	return lib{"sanstls", func(a, b net.Conn) (endpoint, endpoint) {
		return netconn.Client(a, ccfg), netconn.Server(b, scfg)
	}}
}

func theirLib(resume bool) lib {
	ccfg := theirClientConfig()
	scfg := theirServerConfig(pki().ecdsaA)
	if resume {
		ccfg.ClientSessionCache = tls.NewLRUClientSessionCache(1)
	} else {
		scfg.SessionTicketsDisabled = true
	}
	return lib{"crypto/tls", func(a, b net.Conn) (endpoint, endpoint) {
		return tls.Client(a, ccfg), tls.Server(b, scfg)
	}}
}

func handshakePair(tb testing.TB, l lib, a, b net.Conn) (endpoint, endpoint) {
	c, s := l.pair(a, b)
	if errC, errS := handshakeBoth(c, s); errC != nil || errS != nil {
		tb.Fatalf("%s handshake: %v, %v", l.name, errC, errS)
	}
	return c, s
}

// heapInUse returns the live heap after two collections.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// idleMemory returns the heap retained per endpoint by n idle pairs over
// net.Pipe, after the handshake and after 16 KiB each way.
func idleMemory(tb testing.TB, l lib, n int) (afterHandshake, afterData float64) {
	base := heapInUse()
	conns := make([]endpoint, 0, 2*n)
	for range n {
		a, b := net.Pipe()
		c, s := handshakePair(tb, l, a, b)
		conns = append(conns, c, s)
	}
	hs := heapInUse()
	msg := make([]byte, 16<<10)
	buf := make([]byte, 16<<10)
	for i := 0; i < len(conns); i += 2 {
		c, s := conns[i], conns[i+1]
		done := make(chan error, 2)
		go func() {
			_, err := c.Write(msg)
			if err == nil {
				_, err = io.ReadFull(c, make([]byte, len(msg)))
			}
			done <- err
		}()
		if _, err := io.ReadFull(s, buf); err != nil {
			tb.Fatal(err)
		}
		if _, err := s.Write(msg); err != nil {
			tb.Fatal(err)
		}
		if err := <-done; err != nil {
			tb.Fatal(err)
		}
	}
	data := heapInUse()
	runtime.KeepAlive(conns)
	for _, c := range conns {
		// Closing the transport: a TLS Close would wait for the
		// (unread) close_notify to be taken by the net.Pipe peer.
		c.(interface{ NetConn() net.Conn }).NetConn().Close()
	}
	return float64(hs-base) / float64(2*n), float64(int64(data)-int64(base)) / float64(2*n)
}

// BenchmarkIdleMemory reports the heap each endpoint of -netconn.pairs idle
// pairs retains, for both libraries, and the ratios. One iteration is
// enough: run with -benchtime 1x.
func BenchmarkIdleMemory(b *testing.B) {
	n := *idlePairs
	for b.Loop() {
		theirsHS, theirsData := idleMemory(b, theirLib(false), n)
		oursHS, oursData := idleMemory(b, ourLib(false), n)
		b.ReportMetric(oursHS, "B/endpoint-handshake")
		b.ReportMetric(theirsHS, "tls-B/endpoint-handshake")
		b.ReportMetric(oursHS/theirsHS, "ratio-handshake")
		b.ReportMetric(oursData, "B/endpoint-16KiB")
		b.ReportMetric(theirsData, "tls-B/endpoint-16KiB")
		b.ReportMetric(oursData/theirsData, "ratio-16KiB")
	}
}

// BenchmarkHandshake times full and resumed handshake pairs of both
// libraries, interleaved, over net.Pipe and loopback TCP, and reports the
// ratio of the process CPU time per pair (ours/crypto/tls): both
// endpoints run in this process, so that is what a pair costs.
func BenchmarkHandshake(b *testing.B) {
	for _, tr := range []struct {
		name string
		pair func() (net.Conn, net.Conn)
	}{
		{"pipe", func() (net.Conn, net.Conn) { return net.Pipe() }},
		{"tcp", func() (net.Conn, net.Conn) { return loopbackPair(b) }},
	} {
		for _, resume := range []bool{false, true} {
			name := tr.name + "/full"
			if resume {
				name = tr.name + "/resumed"
			}
			b.Run(name, func(b *testing.B) {
				libs := []lib{ourLib(resume), theirLib(resume)}
				var spent [2]time.Duration
				filled := false
				run := func(i int) {
					a, c := tr.pair()
					start := cpuTime()
					x, y := handshakePair(b, libs[i], a, c)
					spent[i] += cpuTime() - start
					if resume && filled && !x.(interface{ ConnectionState() tls.ConnectionState }).ConnectionState().DidResume {
						b.Fatalf("%s did not resume", libs[i].name)
					}
					x.(interface{ NetConn() net.Conn }).NetConn().Close()
					y.(interface{ NetConn() net.Conn }).NetConn().Close()
				}
				if resume { // fill the session caches
					run(0)
					run(1)
					filled = true
					spent = [2]time.Duration{}
				}
				n := 0
				for b.Loop() {
					run(0)
					run(1)
					n++
				}
				b.ReportMetric(float64(spent[0].Nanoseconds())/float64(n), "cpu-ns/pair")
				b.ReportMetric(float64(spent[1].Nanoseconds())/float64(n), "tls-cpu-ns/pair")
				b.ReportMetric(float64(spent[0])/float64(spent[1]), "ratio")
			})
		}
	}
}

// loopbackPair returns a connected TCP pair on 127.0.0.1.
func loopbackPair(tb testing.TB) (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	acc := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		acc <- c
	}()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	s := <-acc
	if s == nil {
		tb.Fatal("accept failed")
	}
	return a, s
}
