//go:build unix

package interop

import (
	"errors"
	"flag"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
)

// long selects the long runs: 10 MiB bulk transfers instead of 256 KiB.
// `.ci/run` sets it; SANSTLS_LONG=1 in the environment does the same.
var long = flag.Bool("long", os.Getenv("SANSTLS_LONG") == "1", "run the long interop transfers (10 MiB each way)")

// bulkSize is the size of the bulk transfers: small enough by default to
// finish in a few seconds at 100 KB/s (gnutls-cli reads at ~170 KB/s on a
// busy 2-core machine), 10 MiB under -long.
func bulkSize() int64 {
	if *long {
		return 10 << 20
	}
	return 256 << 10
}

// stall is how long a connection or a peer process may go without moving a
// byte (or printing one) before the test calls it stuck. No test has a
// wall-clock limit on a whole exchange: a slow machine or a slow peer only
// makes it longer, as long as bytes keep moving. (A variable only so that
// TestStallDetected can shorten it.)
var stall = 60 * time.Second

// chunk is the most a watched connection writes under one write deadline.
const chunk = 16 << 10

// watched is one of our connections whose deadlines follow its progress:
// each Read, each chunk of a Write, the handshake and the close get a fresh
// deadline of stall from when they start. A Read that times out is retried
// while peer (if set) reports progress: the peer process is still consuming
// what we sent earlier, such as the megabytes a loopback socket buffers.
// moved counts the application bytes read and written.
type watched struct {
	*netconn.Conn
	peer  func() int64
	moved atomic.Int64
}

func watch(c *netconn.Conn, peer func() int64) *watched { return &watched{Conn: c, peer: peer} }

func (w *watched) peerProgress() int64 {
	if w.peer == nil {
		return 0
	}
	return w.peer()
}

func (w *watched) Handshake() error {
	_ = w.Conn.SetDeadline(time.Now().Add(stall))
	return w.Conn.Handshake()
}

func (w *watched) Read(p []byte) (int, error) {
	for {
		before := w.peerProgress()
		_ = w.Conn.SetReadDeadline(time.Now().Add(stall))
		n, err := w.Conn.Read(p)
		w.moved.Add(int64(n))
		var ne net.Error
		if n == 0 && errors.As(err, &ne) && ne.Timeout() && w.peerProgress() != before {
			continue // netconn read timeouts are retryable
		}
		return n, err
	}
}

func (w *watched) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		end := min(len(p), written+chunk)
		_ = w.Conn.SetWriteDeadline(time.Now().Add(stall))
		n, err := w.Conn.Write(p[written:end])
		written += n
		w.moved.Add(int64(n))
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

func (w *watched) CloseWrite() error {
	_ = w.Conn.SetWriteDeadline(time.Now().Add(stall))
	return w.Conn.CloseWrite()
}

// counter is an io.Writer that counts what it is given, safe to read while
// another goroutine writes.
type counter struct{ n atomic.Int64 }

func (c *counter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return len(p), nil
}
