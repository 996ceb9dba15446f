package bench

import (
	"bytes"
	"net"
	"sync"
	"time"
)

// memLink is an in-memory duplex byte stream for crypto/tls in the Direct
// rows. During the handshake (two goroutines) reads block on a condition
// variable; in direct mode one goroutine writes then reads, with no
// blocking, which is as close to "no I/O" as a net.Conn gets.
type memLink struct {
	mu     sync.Mutex
	cond   *sync.Cond
	ab, ba bytes.Buffer
	closed bool
	direct bool
	buf    []byte
}

func newMemLink() *memLink {
	l := &memLink{}
	l.cond = sync.NewCond(&l.mu)
	return l
}

func (l *memLink) setDirect() {
	l.mu.Lock()
	l.direct = true
	l.mu.Unlock()
}

// scratch is a reusable buffer of n bytes for the reading side.
func (l *memLink) scratch(n int) []byte {
	if cap(l.buf) < n {
		l.buf = make([]byte, n)
	}
	return l.buf[:n]
}

type memEnd struct {
	l   *memLink
	isA bool
}

func (l *memLink) a() net.Conn { return &memEnd{l, true} }
func (l *memLink) b() net.Conn { return &memEnd{l, false} }

func (e *memEnd) Read(p []byte) (int, error) {
	e.l.mu.Lock()
	defer e.l.mu.Unlock()
	src := &e.l.ba
	if !e.isA {
		src = &e.l.ab
	}
	for src.Len() == 0 {
		if e.l.closed {
			return 0, net.ErrClosed
		}
		e.l.cond.Wait()
	}
	return src.Read(p)
}

func (e *memEnd) Write(p []byte) (int, error) {
	e.l.mu.Lock()
	defer e.l.mu.Unlock()
	if e.l.closed {
		return 0, net.ErrClosed
	}
	dst := &e.l.ab
	if !e.isA {
		dst = &e.l.ba
	}
	dst.Write(p)
	e.l.cond.Broadcast()
	return len(p), nil
}

func (e *memEnd) Close() error {
	e.l.mu.Lock()
	e.l.closed = true
	e.l.cond.Broadcast()
	e.l.mu.Unlock()
	return nil
}

func (e *memEnd) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (e *memEnd) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (e *memEnd) SetDeadline(time.Time) error      { return nil }
func (e *memEnd) SetReadDeadline(time.Time) error  { return nil }
func (e *memEnd) SetWriteDeadline(time.Time) error { return nil }
