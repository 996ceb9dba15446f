package netconn_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
)

// TestOversizedHelloAlertIsRead: a server that refuses a message for its
// size fails on the header, with most of the message still unread on the
// socket. Closing then made the kernel answer with a reset, and the peer
// often lost the alert (tlsfuzzer test-client-hello-max-size saw a reset).
// The server now shuts its write side after the alert and drains what the
// peer still sends, within bounds, so the peer reads the alert.
func TestOversizedHelloAlertIsRead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		s := netconn.Server(c, ourServerConfig(pki().ecdsaA))
		herr := s.Handshake()
		s.Close()
		done <- herr
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A ClientHello header claiming 1 MiB, then 512 KiB of its body in
	// 16 KiB records.
	claim := 1 << 20
	var in []byte
	body := append([]byte{1, byte(claim >> 16), byte(claim >> 8), byte(claim)}, make([]byte, 512<<10)...)
	for len(body) > 0 {
		n := min(len(body), 1<<14)
		in = append(in, 22, 3, 1, byte(n>>8), byte(n))
		in = append(in, body[:n]...)
		body = body[n:]
	}
	go func() { _, _ = c.Write(in) }()
	if err := <-done; err == nil {
		t.Fatal("server accepted a 1 MiB ClientHello")
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Minute))
	got, err := io.ReadAll(c)
	want := []byte{21, 3, 3, 0, 2, 2, 47} // fatal illegal_parameter
	if !bytes.Equal(got, want) {
		t.Fatalf("client read %x (%v), want the alert %x", got, err, want)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("read error after the alert: %v", err)
	}
}
