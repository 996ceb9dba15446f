package bench

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
)

// The load test: servers on loopback under many concurrent clients, each
// doing a handshake, an echo of 64 KiB and a close_notify exchange, in
// rounds repeated for a fixed time. It runs only with -load:
//
//	go test ./bench/ -run Load -load -v                      # 1,000 clients, 20 s per server
//	go test ./bench/ -run Load -load -load.clients 100 -load.duration 3s -v
//
// The servers are separate processes, so that their peak RSS is their own:
// a netconn echo server and a crypto/tls echo server (this test binary,
// re-executed), and the `sanstls server -echo` binary, built by the test.
// The clients are crypto/tls clients in the test process, the same for every
// server. After each round the test checks that the server is back to its
// idle state (the helpers report their goroutines and live heap; for the
// binary, its open file descriptors) and that memory did not grow from the
// first round to the last. It reports, per server, the handshake latency
// seen by the clients (p50, p99), connections per second and peak RSS.
var (
	loadFlag     = flag.Bool("load", false, "run the loopback load test")
	loadClients  = flag.Int("load.clients", 1000, "concurrent clients of the load test")
	loadDuration = flag.Duration("load.duration", 20*time.Second, "how long the load test runs rounds against each server")
	loadEcho     = flag.Int("load.echo", 64<<10, "bytes each load-test client sends and reads back")
)

// loadServerEnv names the server a re-executed test binary runs.
const loadServerEnv = "SANSTLS_BENCH_LOAD_SERVER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(loadServerEnv); mode != "" {
		os.Exit(loadServerMain(mode))
	}
	os.Exit(m.Run())
}

// progressConn refreshes its deadline before every read and write: a
// connection fails only if it makes no progress for a minute.
type progressConn struct{ net.Conn }

func (c progressConn) Read(p []byte) (int, error) {
	_ = c.Conn.SetDeadline(time.Now().Add(time.Minute))
	return c.Conn.Read(p)
}

func (c progressConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetDeadline(time.Now().Add(time.Minute))
	return c.Conn.Write(p)
}

// loadServerMain is an echo server in a child process: it prints its
// address, serves until its stdin ends, and answers "stats" on stdin with its
// goroutine count and live heap.
func loadServerMain(mode string) int {
	p := getPKI()
	var ln net.Listener
	var err error
	switch mode {
	case "netconn":
		_, scfg := machineConfigs(Handshake{Key: ECDSA, Group: 0})
		scfg.CipherSuites, scfg.Groups, scfg.Rand, scfg.Time = nil, nil, nil, nil // defaults, as a real server
		ln, err = netconn.Listen("tcp", "127.0.0.1:0", scfg)
	case "crypto-tls":
		ln, err = tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{p.leaves[ECDSA].tcert},
			MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12})
	default:
		err = fmt.Errorf("unknown server %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Keys are not reproducible across processes: the parent learns the CA.
	fmt.Printf("ca %s\n", base64.StdEncoding.EncodeToString(p.caCert.Raw))
	fmt.Printf("listening on %s\n", ln.Addr())
	var failures atomic.Int64
	var firstErr atomic.Pointer[error]
	fail := func(err error) {
		failures.Add(1)
		firstErr.CompareAndSwap(nil, &err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				type tlsConn interface {
					net.Conn
					Handshake() error
					CloseWrite() error
				}
				tc := c.(tlsConn)
				_ = tc.SetDeadline(time.Now().Add(time.Minute))
				if err := tc.Handshake(); err != nil {
					fail(fmt.Errorf("handshake: %w", err))
					return
				}
				if _, err := io.Copy(progressConn{tc}, progressConn{tc}); err != nil {
					fail(fmt.Errorf("echo: %w", err))
					return
				}
				if err := tc.CloseWrite(); err != nil {
					fail(fmt.Errorf("close_notify: %w", err))
				}
			}()
		}
	}()
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "stats" {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			fmt.Printf("goroutines=%d heap=%d failures=%d\n", runtime.NumGoroutine(), ms.HeapAlloc, failures.Load())
			if e := firstErr.Load(); e != nil {
				fmt.Fprintf(os.Stderr, "first failure: %v\n", *e)
			}
		}
	}
	ln.Close()
	return 0
}

// loadServer is a server process under test.
type loadServer struct {
	name   string
	cmd    *exec.Cmd
	addr   string
	stdin  io.WriteCloser
	stdout *bufio.Reader
	roots  *x509.CertPool
	sni    string
	clock  func() time.Time // the clients' clock (the helpers' certificates are valid around now)
	errOut *lockedBuffer    // a helper's stderr
	helper bool             // answers "stats"
}

func startLoadServer(t *testing.T, name string, cmd *exec.Cmd, helper bool) *loadServer {
	t.Helper()
	s := &loadServer{name: name, cmd: cmd, helper: helper}
	var err error
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	var out io.Reader
	s.errOut = &lockedBuffer{}
	cmd.Stderr = s.errOut
	if helper {
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		out = pipe
	} else {
		// `sanstls server` reports "listening on ADDR" on stderr.
		pr, pw := io.Pipe()
		cmd.Stderr = pw
		out = pr
		t.Cleanup(func() { pw.Close() })
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	s.stdout = bufio.NewReader(out)
	for {
		line, err := s.stdout.ReadString('\n')
		if err != nil {
			t.Fatalf("%s did not start: %v\n%s", name, err, s.errOut.String())
		}
		if ca, ok := strings.CutPrefix(strings.TrimSpace(line), "ca "); ok {
			der, err := base64.StdEncoding.DecodeString(ca)
			if err != nil {
				t.Fatal(err)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			s.roots = x509.NewCertPool()
			s.roots.AddCert(cert)
		}
		if a, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on "); ok {
			s.addr = a
			break
		}
	}
	if !helper {
		go io.Copy(io.Discard, s.stdout) // keep its stderr flowing
	}
	return s
}

// lockedBuffer is a strings.Builder safe for a writer and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// stats asks a helper server for its goroutines, live heap and failures.
func (s *loadServer) stats(t *testing.T) (goroutines int, heap int64, failures int) {
	t.Helper()
	if _, err := io.WriteString(s.stdin, "stats\n"); err != nil {
		t.Fatal(err)
	}
	line, err := s.stdout.ReadString('\n')
	if err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	if _, err := fmt.Sscanf(line, "goroutines=%d heap=%d failures=%d", &goroutines, &heap, &failures); err != nil {
		t.Fatalf("%s: %q: %v", s.name, line, err)
	}
	return
}

// procStatus reads a field of /proc/PID/status in KiB (VmRSS, VmHWM).
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return -1
}

func openFDs(pid int) int {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return -1
	}
	return len(ents)
}

// client runs one connection: handshake, echo, close_notify exchange. It
// returns the handshake latency.
func loadClient(addr string, cfg *tls.Config, payload []byte) (time.Duration, error) {
	start := time.Now()
	raw, err := net.DialTimeout("tcp", addr, time.Minute)
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	c := tls.Client(progressConn{raw}, cfg)
	_ = raw.SetDeadline(time.Now().Add(time.Minute))
	if err := c.Handshake(); err != nil {
		return 0, fmt.Errorf("handshake: %w", err)
	}
	hs := time.Since(start)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(payload)
		errc <- err
	}()
	got := make([]byte, len(payload))
	if _, err := io.ReadFull(c, got); err != nil {
		return hs, fmt.Errorf("reading the echo: %w", err)
	}
	if err := <-errc; err != nil {
		return hs, fmt.Errorf("writing: %w", err)
	}
	if !slices.Equal(got, payload) {
		return hs, errors.New("the echo differs")
	}
	if err := c.CloseWrite(); err != nil {
		return hs, fmt.Errorf("close_notify: %w", err)
	}
	if n, err := io.Copy(io.Discard, c); err != nil || n != 0 {
		return hs, fmt.Errorf("waiting for the server's close_notify: %d bytes, %v", n, err)
	}
	// Let the server close the TCP connection first, so that TIME_WAIT
	// stays on its side and thousands of clients do not use up the
	// ephemeral ports.
	if n, err := raw.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return hs, fmt.Errorf("waiting for the server to close: %d bytes, %v", n, err)
	}
	return hs, nil
}

type loadResult struct {
	name           string
	conns          int
	rounds         int
	took           time.Duration
	p50, p99, pmax time.Duration
	peakRSS        int64 // KiB
}

// runLoad runs rounds of clients against s for the flag's duration (at
// least three rounds) and checks the server after each.
func runLoad(t *testing.T, s *loadServer) loadResult {
	t.Helper()
	cfg := &tls.Config{RootCAs: s.roots, ServerName: s.sni, Time: s.clock, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}
	payload := make([]byte, *loadEcho)
	_, _ = (&detRand{}).Read(payload)
	pid := s.cmd.Process.Pid
	var baseG int
	if s.helper {
		baseG, _, _ = s.stats(t)
	}
	baseFDs := openFDs(pid)
	var lat []time.Duration
	var heaps, rss, hwm []int64
	res := loadResult{name: s.name}
	began := time.Now()
	for round := 0; round < 3 || time.Since(began) < *loadDuration; round++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		for range *loadClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				hs, err := loadClient(s.addr, cfg, payload)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else {
					lat = append(lat, hs)
				}
			}()
		}
		wg.Wait()
		res.rounds++
		res.conns += *loadClients
		if len(errs) > 0 {
			t.Fatalf("%s, round %d: %d of %d clients failed; first: %v", s.name, round+1, len(errs), *loadClients, errs[0])
		}
		// The server is back to idle once its connections are gone;
		// wait while the count still falls.
		settle := func(cur func() int, base int, what string) {
			last, lastAt := cur(), time.Now()
			for last > base {
				time.Sleep(20 * time.Millisecond)
				if n := cur(); n < last {
					last, lastAt = n, time.Now()
				} else if time.Since(lastAt) > 10*time.Second {
					t.Fatalf("%s, round %d: %d %s, %d before the first round", s.name, round+1, n, what, base)
				}
			}
		}
		if s.helper {
			var failures int
			settle(func() int { g, _, f := s.stats(t); failures = f; return g }, baseG, "goroutines")
			if failures > 0 {
				t.Fatalf("%s, round %d: the server saw %d failed connections\n%s", s.name, round+1, failures, s.errOut.String())
			}
			_, h, _ := s.stats(t)
			heaps = append(heaps, h)
		}
		settle(func() int { return openFDs(pid) }, baseFDs, "open file descriptors")
		rss = append(rss, procStatus(pid, "VmRSS"))
		hwm = append(hwm, procStatus(pid, "VmHWM"))
	}
	res.took = time.Since(began)
	// No growth across rounds. The helpers' live heap after a collection
	// at idle must stay within 25 % + 1 MiB of the first round's. The RSS
	// is a ratchet (the runtime keeps what a burst made it map, and the
	// heap goal depends on when collections fall), so for it the bound is
	// the peak of the first two rounds plus 50 %: a process that keeps
	// growing round after round crosses it, one that has settled does not.
	if len(heaps) > 0 {
		if first, last := heaps[0], heaps[len(heaps)-1]; last > first+first/4+1<<20 {
			t.Errorf("%s: live heap grew from %d to %d bytes over %d rounds: %v", s.name, first, last, res.rounds, heaps)
		}
	}
	if bound, last := hwm[1]+hwm[1]/2, rss[len(rss)-1]; last > bound {
		t.Errorf("%s: RSS grew to %d KiB over %d rounds, more than 1.5 × the peak of the first two rounds (%d KiB): %v",
			s.name, last, res.rounds, hwm[1], rss)
	}
	slices.Sort(lat)
	res.p50, res.p99, res.pmax = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	res.peakRSS = procStatus(pid, "VmHWM")
	t.Logf("%s: %d rounds; live heap at idle %v B; RSS at idle %v KiB; peak RSS %v KiB", s.name, res.rounds, heaps, rss, hwm)
	return res
}

// TestLoad is the load test; it runs only with -load.
func TestLoad(t *testing.T) {
	if !*loadFlag {
		t.Skip("the load test runs only with -load (see load_test.go)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the load test reads /proc")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The sanstls binary.
	dir := t.TempDir()
	bin := filepath.Join(dir, "sanstls")
	build := exec.Command("go", "build", "-o", bin, "github.com/sanstls/sanstls/cmd/sanstls")
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building cmd/sanstls: %v\n%s", err, out)
	}
	helper := func(mode string) *loadServer {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), loadServerEnv+"="+mode)
		s := startLoadServer(t, mode+" echo server", cmd, true)
		s.sni, s.clock = serverName, clock
		return s
	}
	var results []loadResult
	results = append(results, runLoad(t, helper("netconn")))
	results = append(results, runLoad(t, helper("crypto-tls")))

	certFile := filepath.Join(dir, "cert.pem")
	cmd := exec.Command(bin, "server", "-listen", "127.0.0.1:0", "-echo", "-quiet", "-write-cert", certFile)
	s := startLoadServer(t, "sanstls server -echo", cmd, false)
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	s.roots = x509.NewCertPool()
	if !s.roots.AppendCertsFromPEM(pemBytes) {
		t.Fatal("sanstls server wrote no certificate")
	}
	s.sni = "localhost"
	results = append(results, runLoad(t, s))

	var b strings.Builder
	fmt.Fprintf(&b, "\n%d concurrent crypto/tls clients, handshake + %d-byte echo + close_notify, rounds for %v per server (GOMAXPROCS %d, load %s):\n",
		*loadClients, *loadEcho, *loadDuration, runtime.GOMAXPROCS(0), loadAvg())
	fmt.Fprintf(&b, "| server | rounds | connections | conns/s | handshake p50 | p99 | max | peak RSS |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %d | %d | %.0f | %v | %v | %v | %.1f MiB |\n", r.name, r.rounds, r.conns,
			float64(r.conns)/r.took.Seconds(), r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond),
			r.pmax.Round(time.Microsecond), float64(r.peakRSS)/1024)
	}
	t.Log(b.String())
}
