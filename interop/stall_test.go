//go:build unix

package interop

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
)

// TestStallDetected checks that the progress-based limits do fail: a peer
// process that prints nothing and a connection whose peer sends nothing are
// given up on after stall, while one that keeps moving bytes is not.
func TestStallDetected(t *testing.T) {
	old := stall
	stall = 300 * time.Millisecond
	defer func() { stall = old }()

	t.Run("silent process", func(t *testing.T) {
		pr := startProc(t, procOptions{}, "sleep", "30")
		began := time.Now()
		err := pr.wait()
		if err == nil || !strings.Contains(err.Error(), "made no progress") {
			t.Fatalf("wait on a silent process: %v", err)
		}
		if el := time.Since(began); el > 10*time.Second {
			t.Errorf("gave up after %v, stall is %v", el, stall)
		}
	})
	t.Run("talking process", func(t *testing.T) {
		// Prints every 100 ms for about a second: three times the stall
		// limit in all, but never silent for as long.
		pr := startProc(t, procOptions{}, "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo $i; sleep 0.1; done")
		if err := pr.wait(); err != nil {
			t.Fatalf("wait on a process that keeps printing: %v\n%s", err, pr.out.String())
		}
	})
	t.Run("silent connection", func(t *testing.T) {
		a, b := net.Pipe()
		defer b.Close()
		go io.Copy(io.Discard, b) // takes the ClientHello, never answers
		c := watch(netconn.Client(a, &machine.Config{ServerName: "localhost"}), nil)
		defer a.Close()
		_, err := c.Read(make([]byte, 10))
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("read from a silent peer: %v, want a timeout", err)
		}
	})
}
