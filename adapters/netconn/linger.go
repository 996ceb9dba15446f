package netconn

import (
	"errors"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// Lingering close after a fatal alert of ours. The machine may fail on a
// record header (a message refused for its size) with much of the peer's
// data still unread; closing a TCP socket with unread data makes the kernel
// send a reset, which can destroy the alert in flight or at least turn the
// peer's clean end of stream into "connection reset" (tlsfuzzer's
// test-client-hello-max-size saw that). So Close first shuts the write side,
// which sends the alert and a FIN, and discards what the peer still sends,
// within bounds, before closing.
const (
	lingerMaxBytes = 1 << 20                // at most this much is discarded
	lingerIdle     = 500 * time.Millisecond // stop after this long without data
)

// lingerAfterFatal runs the lingering close when we sent a fatal alert and
// the transport can shut its write side.
func (c *Conn) lingerAfterFatal() {
	c.mu.Lock()
	var err error
	if c.m != nil {
		err = c.m.Err()
	}
	c.mu.Unlock()
	var ae *machine.AlertError
	if !errors.As(err, &ae) || ae.Remote {
		return
	}
	cw, ok := c.conn.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	buf := make([]byte, 16<<10)
	for total := 0; total < lingerMaxBytes; {
		// The deadline follows progress: each read gets its own.
		if c.conn.SetReadDeadline(time.Now().Add(lingerIdle)) != nil {
			return
		}
		n, err := c.conn.Read(buf)
		total += n
		if err != nil {
			return
		}
	}
}
