package interop

import (
	"bufio"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
)

// lastSessionCache is a client session cache that remembers the last
// session put in it.
type lastSessionCache struct {
	machine.ClientSessionCache
	last *machine.ClientSession
}

func (c *lastSessionCache) Put(key string, s *machine.ClientSession) {
	c.last = s
	c.ClientSessionCache.Put(key, s)
}

// TestRenegotiationTicketWithGnuTLS: gnutls-serv 3.7.9, tickets on (its
// default), issues a NewSessionTicket in every full handshake of a
// connection that negotiated tickets, renegotiations included. Our
// renegotiation ClientHello used to offer no session_ticket, so that ticket
// was unsolicited (RFC 5077, Section 3.2) and our client failed with
// unexpected_message. It now asks for one, as crypto/tls and OpenSSL do,
// keeps the renegotiated session, and the next connection resumes it.
func TestRenegotiationTicketWithGnuTLS(t *testing.T) {
	p := testPKI(t)
	f := p.writeFiles(t)
	port, srv := startGnuTLSServer(t, "-a", "--x509certfile", f.ecdsaCert, "--x509keyfile", f.ecdsaKey)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cache := &lastSessionCache{ClientSessionCache: netconn.NewLRUClientSessionCache(2)}
	cfg := clientConfig(p)
	cfg.ClientSessionCache = cache
	c, err := dial(t, addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	first := cache.last
	if first == nil {
		t.Fatal("no session from the first handshake")
	}
	// The renegotiation runs inside Read; the line is written only after
	// it completed (gnutls-serv refuses data in the middle of it).
	lines, failed := make(chan string, 1), make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			failed <- err
			return
		}
		lines <- line
	}()
	if err := c.Renegotiate(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(stall); c.MachineState().Renegotiations == 0; time.Sleep(5 * time.Millisecond) {
		select {
		case err := <-failed:
			t.Fatalf("renegotiation: %v\n%s", err, tail(srv.out.String()))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no renegotiation after %v\n%s", stall, tail(srv.out.String()))
		}
	}
	if _, err := io.WriteString(c, "hello\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case line := <-lines:
		if line != "hello\n" {
			t.Fatalf("echo %q", line)
		}
	case err := <-failed:
		t.Fatalf("echo: %v\n%s", err, tail(srv.out.String()))
	}
	if cache.last == first || cache.last == nil {
		t.Fatal("the renegotiation's ticket was not kept")
	}
	if err := closeAndDrain(c); err != nil {
		t.Fatalf("close: %v", err)
	}
	st, err := echo(t, port, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !st.DidResume {
		t.Fatal("the next connection did not resume the renegotiated session")
	}
}
