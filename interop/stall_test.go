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
	// Long enough that a loaded machine does not starve the talking
	// process of 2 s (twenty of its 100 ms beats), short enough to keep
	// the silent cases quick.
	stall = 2 * time.Second
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
		// Prints every 100 ms for about three seconds: longer than the
		// stall limit in all, but never silent for as long.
		pr := startProc(t, procOptions{}, "sh", "-c", "i=0; while [ $i -lt 30 ]; do echo $i; i=$((i+1)); sleep 0.1; done")
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
