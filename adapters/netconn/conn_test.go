package netconn_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
)

// memBuf is one direction of an in-memory connection: a byte queue with
// room reserved up front, so that moving bytes never allocates.
type memBuf struct {
	mu     sync.Mutex
	cond   sync.Cond
	data   []byte
	closed bool
}

func newMemBuf() *memBuf {
	b := &memBuf{data: make([]byte, 0, 1<<20)}
	b.cond.L = &b.mu
	return b
}

func (b *memBuf) close() {
	b.mu.Lock()
	b.closed = true
	b.cond.Broadcast()
	b.mu.Unlock()
}

// memConn is a buffered, allocation-free net.Conn for tests; deadlines are
// accepted and ignored.
type memConn struct {
	in, out *memBuf
	flip    atomic.Bool // flip a bit in the next Write
}

type memAddr struct{}

func (memAddr) Network() string { return "mem" }
func (memAddr) String() string  { return "mem" }

// memPair returns connected memConns. memConn has no deadlines, so in tests
// a watchdog closes both at the test deadline to bound blocked Reads.
func memPair(t testing.TB) (*memConn, *memConn) {
	ab, ba := newMemBuf(), newMemBuf()
	a, b := &memConn{in: ba, out: ab}, &memConn{in: ab, out: ba}
	if _, isTest := t.(*testing.T); !isTest {
		return a, b // benchmarks run as long as they are told to
	}
	watchdog := time.AfterFunc(time.Until(deadline(t)), func() {
		a.Close()
		b.Close()
	})
	t.Cleanup(func() { watchdog.Stop() })
	return a, b
}

func (c *memConn) Read(p []byte) (int, error) {
	b := c.in
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.data) == 0 && !b.closed {
		b.cond.Wait()
	}
	if len(b.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, b.data)
	b.data = b.data[:copy(b.data, b.data[n:])]
	return n, nil
}

func (c *memConn) Write(p []byte) (int, error) {
	b := c.out
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, io.ErrClosedPipe
	}
	start := len(b.data)
	b.data = append(b.data, p...)
	if len(p) > 20 && c.flip.CompareAndSwap(true, false) {
		b.data[start+20] ^= 0x01 // inside the ciphertext of the first record
	}
	b.cond.Broadcast()
	return len(p), nil
}

func (c *memConn) Close() error {
	c.in.close()
	c.out.close()
	return nil
}

func (c *memConn) LocalAddr() net.Addr                { return memAddr{} }
func (c *memConn) RemoteAddr() net.Addr               { return memAddr{} }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

// ourPair returns a handshaken client and server, both ours, over a and b.
func ourPair(t *testing.T, a, b net.Conn) (*netconn.Conn, *netconn.Conn) {
	t.Helper()
	client := netconn.Client(a, ourClientConfig())
	server := netconn.Server(b, ourServerConfig(pki().ecdsaA))
	if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
		t.Fatalf("handshake: client %v, server %v", errA, errB)
	}
	return client, server
}

// TestSteadyStateAllocations checks that Read and Write do not allocate
// once the connection is established, including Reads that take a record
// in several pieces.
func TestSteadyStateAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops sync.Pool items at random")
	}
	a, b := memPair(t)
	client, server := ourPair(t, a, b)
	small := bytes.Repeat([]byte("s"), 1000)
	large := bytes.Repeat([]byte("L"), 40_000) // three records
	buf := make([]byte, 1000)
	var failure error
	roundTrip := func() {
		for _, dir := range [][2]*netconn.Conn{{client, server}, {server, client}} {
			for _, msg := range [][]byte{small, large} {
				if _, err := dir[0].Write(msg); err != nil {
					failure = err
					return
				}
				for got := 0; got < len(msg); {
					n, err := dir[1].Read(buf)
					if err != nil {
						failure = err
						return
					}
					if !bytes.Equal(buf[:n], msg[got:got+n]) {
						failure = errors.New("received data differs")
						return
					}
					got += n
				}
			}
		}
	}
	roundTrip() // warm up
	allocs := testing.AllocsPerRun(50, roundTrip)
	if failure != nil {
		t.Fatal(failure)
	}
	if allocs != 0 {
		t.Fatalf("%v allocations per round trip, want 0", allocs)
	}
}

// TestFatalAlertMidStream corrupts one record after the handshake: the
// receiver fails with bad_record_mac and the sender learns it from the alert.
func TestFatalAlertMidStream(t *testing.T) {
	a, b := memPair(t)
	client, server := ourPair(t, a, b)
	a.flip.Store(true)
	if _, err := client.Write([]byte("this record will be corrupted in transit")); err != nil {
		t.Fatal(err)
	}
	_, errServer := server.Read(make([]byte, 100))
	var ae *machine.AlertError
	if !errors.As(errServer, &ae) || ae.Remote || ae.Alert != alertBadRecordMAC {
		t.Fatalf("server Read: %v, want a local bad_record_mac AlertError", errServer)
	}
	_, errClient := client.Read(make([]byte, 100))
	if !errors.As(errClient, &ae) || !ae.Remote || ae.Alert != alertBadRecordMAC {
		t.Fatalf("client Read: %v, want a remote bad_record_mac AlertError", errClient)
	}
	if !strings.Contains(errClient.Error(), "bad_record_mac") {
		t.Errorf("error %q does not name the alert", errClient)
	}
	// Fatal errors are sticky on both halves of the connection.
	if _, err := server.Write([]byte("x")); !errors.Is(err, errServer) {
		t.Errorf("server Write after failure: %v", err)
	}
	if _, err := server.Read(make([]byte, 1)); !errors.Is(err, errServer) {
		t.Errorf("server Read after failure: %v", err)
	}
}

func TestReadDeadline(t *testing.T) {
	ra, rb := pipePair(t)
	client, server := ourPair(t, ra, rb)
	client.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err := client.Read(make([]byte, 10))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Read past the deadline: %v, want a timeout", err)
	}
	// A read timeout is not fatal.
	client.SetReadDeadline(deadline(t))
	go server.Write([]byte("late"))
	buf := make([]byte, 10)
	n, err := client.Read(buf)
	if err != nil || string(buf[:n]) != "late" {
		t.Fatalf("Read after the timeout: %q, %v", buf[:n], err)
	}
}

func TestWriteDeadline(t *testing.T) {
	ra, rb := pipePair(t)
	client, _ := ourPair(t, ra, rb)
	client.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	_, err := client.Write([]byte("nobody reads this")) // net.Pipe: blocks without a reader
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Write past the deadline: %v, want a timeout", err)
	}
	// A write timeout leaves the record stream corrupt, so it is sticky.
	client.SetWriteDeadline(deadline(t))
	if _, err2 := client.Write([]byte("again")); !errors.Is(err2, os.ErrDeadlineExceeded) {
		t.Fatalf("second Write: %v, want the sticky timeout", err2)
	}
}

// deadlineRecorder remembers the last deadlines set on a connection.
type deadlineRecorder struct {
	net.Conn
	mu          sync.Mutex
	read, write time.Time
}

func (d *deadlineRecorder) SetDeadline(t time.Time) error {
	d.mu.Lock()
	d.read, d.write = t, t
	d.mu.Unlock()
	return d.Conn.SetDeadline(t)
}

func (d *deadlineRecorder) SetReadDeadline(t time.Time) error {
	d.mu.Lock()
	d.read = t
	d.mu.Unlock()
	return d.Conn.SetReadDeadline(t)
}

func (d *deadlineRecorder) SetWriteDeadline(t time.Time) error {
	d.mu.Lock()
	d.write = t
	d.mu.Unlock()
	return d.Conn.SetWriteDeadline(t)
}

// silentPeer reads and discards everything, never answering.
func silentPeer(c net.Conn) { io.Copy(io.Discard, c) }

func TestHandshakeContext(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		ra, rb := pipePair(t)
		go silentPeer(rb)
		rec := &deadlineRecorder{Conn: ra}
		client := netconn.Client(rec, ourClientConfig())
		userDeadline := deadline(t)
		client.SetDeadline(userDeadline)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := client.HandshakeContext(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("HandshakeContext: %v, want context.DeadlineExceeded", err)
		}
		if time.Since(start) > 10*time.Second {
			t.Errorf("cancellation took %v", time.Since(start))
		}
		rec.mu.Lock()
		if !rec.read.Equal(userDeadline) || !rec.write.Equal(userDeadline) {
			t.Errorf("deadlines after cancellation: %v, %v; want %v restored", rec.read, rec.write, userDeadline)
		}
		rec.mu.Unlock()
		if err := client.Handshake(); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("later Handshake: %v, want the sticky failure", err)
		}
	})
	t.Run("already-cancelled", func(t *testing.T) {
		ra, rb := pipePair(t)
		client := netconn.Client(ra, ourClientConfig())
		server := netconn.Server(rb, ourServerConfig(pki().ecdsaA))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := client.HandshakeContext(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("HandshakeContext: %v, want context.Canceled", err)
		}
		// Nothing was sent, so a later handshake can still succeed.
		if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
			t.Fatalf("handshake: client %v, server %v", errA, errB)
		}
		exchange(t, client, server, []byte("a"), []byte("b"))
	})
}

func TestCloseAbortsBlockedWrite(t *testing.T) {
	ra, rb := pipePair(t)
	client, _ := ourPair(t, ra, rb)
	werr := make(chan error, 1)
	go func() {
		_, err := client.Write([]byte("nobody reads this"))
		werr <- err
	}()
	// Give the Write time to block on the pipe (nobody reads).
	select {
	case err := <-werr:
		t.Fatalf("Write returned before Close: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := client.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-werr; err == nil {
		t.Fatal("Write succeeded on a closed connection")
	}
	if _, err := client.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close: %v, want net.ErrClosed", err)
	}
}

func TestCloseBeforeHandshakeSendsNothing(t *testing.T) {
	ra, rb := pipePair(t)
	client := netconn.Client(ra, ourClientConfig())
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(rb)
		got <- b
	}()
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if b := <-got; len(b) != 0 {
		t.Fatalf("peer received %d bytes", len(b))
	}
	if err := client.CloseWrite(); err == nil {
		t.Error("CloseWrite before the handshake succeeded")
	}
}

func TestClientNeedsServerName(t *testing.T) {
	ra, _ := pipePair(t)
	client := netconn.Client(ra, &netconn.Config{RootCAs: pki().roots})
	err := client.Handshake()
	if err == nil || !strings.Contains(err.Error(), "ServerName") {
		t.Fatalf("Handshake: %v, want a ServerName error", err)
	}
	if _, err := client.Read(make([]byte, 1)); err == nil {
		t.Error("Read succeeded")
	}
	if st := client.ConnectionState(); st.HandshakeComplete {
		t.Error("handshake reported complete")
	}
}

// TestConfigNotModified checks that defaults and parsed leaves go to a copy.
func TestConfigNotModified(t *testing.T) {
	ra, rb := pipePair(t)
	scfg := ourServerConfig(pki().ecdsaA)
	ccfg := ourClientConfig()
	client, server := netconn.Client(ra, ccfg), netconn.Server(rb, scfg)
	if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
		t.Fatalf("handshake: client %v, server %v", errA, errB)
	}
	if scfg.Rand != nil || scfg.Time != nil || ccfg.Rand != nil || ccfg.Time != nil {
		t.Error("Rand or Time written into the caller's Config")
	}
	if scfg.Certificates[0].Leaf != nil {
		t.Error("Leaf written into the caller's Config")
	}
}

func TestOursToOursOverTCP(t *testing.T) {
	ra, rb := tcpPair(t)
	client, server := ourPair(t, ra, rb)
	exchange(t, client, server, []byte("hello server"), []byte("hello client"))
	if client.NetConn() != ra || server.LocalAddr() != rb.LocalAddr() || client.RemoteAddr() != ra.RemoteAddr() {
		t.Error("NetConn or addresses do not come from the underlying connection")
	}
	a, errA := client.ExportKeyingMaterial("EXPERIMENTAL x", nil, 32)
	b, errB := server.ExportKeyingMaterial("EXPERIMENTAL x", nil, 32)
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		t.Errorf("exporters differ: %x %v, %x %v", a, errA, b, errB)
	}
	done := make(chan error, 1)
	go func() { done <- expectEOF(server, "bye") }()
	client.Write([]byte("bye"))
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestPeerCloseNotifyDuringHandshake: a close_notify instead of a
// ServerHello ends the handshake with an error instead of waiting.
func TestPeerCloseNotifyDuringHandshake(t *testing.T) {
	ra, rb := pipePair(t)
	go func() {
		buf := make([]byte, 5000)
		rb.Read(buf) // the ClientHello
		// A plaintext warning close_notify record (RFC 5246, Sections 6.2.1, 7.2).
		rb.Write([]byte{21, 3, 3, 0, 2, 1, 0})
		silentPeer(rb)
	}()
	client := netconn.Client(ra, ourClientConfig())
	err := client.Handshake()
	if err == nil || !strings.Contains(err.Error(), "close_notify") {
		t.Fatalf("Handshake: %v, want a close_notify error", err)
	}
}

// BenchmarkRoundTrip16K writes 16 KiB from the client and reads it at the
// server over an in-memory transport.
func BenchmarkRoundTrip16K(b *testing.B) {
	ca, cb := memPair(b)
	client, server := netconn.Client(ca, ourClientConfig()), netconn.Server(cb, ourServerConfig(pki().ecdsaA))
	if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
		b.Fatalf("handshake: %v, %v", errA, errB)
	}
	msg := make([]byte, 16<<10)
	buf := make([]byte, len(msg))
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(server, buf); err != nil {
			b.Fatal(err)
		}
	}
}
