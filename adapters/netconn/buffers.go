package netconn

import (
	"sync"

	"github.com/sanstls/sanstls/machine"
)

// Buffers are lent to a Conn only while bytes are in flight: an idle
// connection holds none, so ten thousand idle connections cost what their
// machines cost, not 100 KB each.
//
// The receive side starts every record in a small buffer inside the Conn
// (a blocked Read on an idle connection holds nothing else) and moves to a
// pooled buffer of one maximal record plus read-ahead when a record does
// not fit. The send side seals one record at a time into a pooled buffer
// of the size class that record needs.

const (
	// smallRecv is the Conn's own receive buffer: enough for a record
	// header and small records such as alerts.
	smallRecv = 64

	// recvBufLen is a lent receive buffer: one record of the largest size
	// always fits after compaction, and the rest lets one transport read
	// bring in more than one record.
	recvBufLen = machine.MaxRecordLen + 4096

	// sendOverhead bounds what sealing adds to a record's plaintext: the
	// header and the ciphertext expansion RFC 5246, Section 6.2.3 allows.
	sendOverhead = machine.MaxRecordLen - maxPlaintext

	// smallSend is the small send size class.
	smallSend = 4096
)

type (
	recvBuf      [recvBufLen]byte
	sendBufSmall [smallSend]byte
	sendBufLarge [machine.MaxRecordLen]byte
)

var (
	recvPool      = sync.Pool{New: func() any { return new(recvBuf) }}
	sendPoolSmall = sync.Pool{New: func() any { return new(sendBufSmall) }}
	sendPoolLarge = sync.Pool{New: func() any { return new(sendBufLarge) }}
)

// sendBuf is a send buffer of the class that fits a record sealing n
// plaintext bytes; release returns it.
type sendBuf struct {
	small *sendBufSmall
	large *sendBufLarge
}

func getSendBuf(n int) (sendBuf, []byte) {
	if n+sendOverhead <= smallSend {
		b := sendPoolSmall.Get().(*sendBufSmall)
		return sendBuf{small: b}, b[:0]
	}
	b := sendPoolLarge.Get().(*sendBufLarge)
	return sendBuf{large: b}, b[:0]
}

func (s sendBuf) release() {
	if s.small != nil {
		sendPoolSmall.Put(s.small)
	}
	if s.large != nil {
		sendPoolLarge.Put(s.large)
	}
}

// growRecv makes room for c.need more bytes after rbuf[rstart:rend]: it
// compacts, and moves to a lent buffer when the small one is too short. It
// runs with rdMu held and no decrypted data pending.
func (c *Conn) growRecv() {
	if c.rstart == c.rend {
		c.rstart, c.rend = 0, 0
	}
	want := max(c.need, 1)
	if c.rend+want <= len(c.rbuf) {
		return
	}
	// During a handshake flights arrive back to back: reading them through
	// the small buffer would cost a transport read per record header.
	if c.big == nil && (c.rend-c.rstart+want > smallRecv || !c.hsDone.Load()) {
		c.big = recvPool.Get().(*recvBuf)
		c.rend = copy(c.big[:], c.rbuf[c.rstart:c.rend])
		c.rstart = 0
		c.rbuf = c.big[:]
		return
	}
	c.rend = copy(c.rbuf, c.rbuf[c.rstart:c.rend])
	c.rstart = 0
}

// idleRecv returns the lent receive buffer when nothing in it is left to
// process. It runs with rdMu held.
func (c *Conn) idleRecv() {
	if c.big == nil || c.rstart != c.rend || len(c.pend) > 0 {
		return
	}
	recvPool.Put(c.big)
	c.big = nil
	c.rbuf = c.small[:]
	c.rstart, c.rend = 0, 0
}
