package netconn_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
)

// echoOnce serves one connection of ln: it reads a line of up to 64 bytes
// and writes it back, then closes.
func echoOnce(t *testing.T, ln net.Listener) <-chan error {
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		c.SetDeadline(deadline(t))
		buf := make([]byte, 64)
		n, err := c.Read(buf)
		if err != nil {
			done <- err
			return
		}
		_, err = c.Write(buf[:n])
		done <- err
	}()
	return done
}

func TestListenAndDial(t *testing.T) {
	ln, err := netconn.Listen("tcp", "127.0.0.1:0", ourServerConfig(pki().ecdsaA))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := echoOnce(t, ln)
	// No ServerName: Dial takes it from the address; the certificate holds
	// the IP address 127.0.0.1.
	c, err := netconn.Dial("tcp", ln.Addr().String(), &netconn.Config{RootCAs: pki().roots})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(deadline(t))
	if _, err := c.Write([]byte("echo")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "echo" {
		t.Fatalf("echo: %q, %v", buf, err)
	}
	if err := <-served; err != nil {
		t.Fatalf("server: %v", err)
	}
}

func TestDialChecksServerName(t *testing.T) {
	ln, err := netconn.Listen("tcp", "127.0.0.1:0", ourServerConfig(pki().ecdsaA))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := echoOnce(t, ln)
	d := &net.Dialer{Deadline: deadline(t)}
	_, err = netconn.DialWithDialer(d, "tcp", ln.Addr().String(), &netconn.Config{RootCAs: pki().roots, ServerName: "wrong.test"})
	var ae *machine.AlertError
	if !errors.As(err, &ae) || ae.Remote || ae.Alert != alertBadCertificate {
		t.Fatalf("Dial with the wrong name: %v, want a local bad_certificate", err)
	}
	if err := <-served; err == nil {
		t.Error("server accepted the aborted handshake")
	}
}

// silentListener accepts connections and never answers.
func silentListener(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			go silentPeer(c)
		}
	}()
	return ln
}

func TestDialWithDialerTimeout(t *testing.T) {
	ln := silentListener(t)
	start := time.Now()
	_, err := netconn.DialWithDialer(&net.Dialer{Timeout: 200 * time.Millisecond}, "tcp", ln.Addr().String(), ourClientConfig())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("DialWithDialer: %v, want a deadline error", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("timeout took %v", time.Since(start))
	}
}

func TestDialContextCancel(t *testing.T) {
	ln := silentListener(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := netconn.DialContext(ctx, "tcp", ln.Addr().String(), ourClientConfig())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("DialContext: %v, want context.Canceled", err)
	}
}

// TestNewListenerWithCryptoTLSClient serves crypto/tls's Dial through a
// wrapped listener, and dials with our Dialer type.
func TestNewListenerWithCryptoTLSClient(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := netconn.NewListener(inner, ourServerConfig(pki().ecdsaA))
	defer ln.Close()
	for _, useOurs := range []bool{false, true} {
		served := echoOnce(t, ln)
		var c net.Conn
		if useOurs {
			d := &netconn.Dialer{NetDialer: &net.Dialer{Deadline: deadline(t)}, Config: ourClientConfig()}
			c, err = d.DialContext(context.Background(), "tcp", ln.Addr().String())
			if _, ok := c.(*netconn.Conn); err == nil && !ok {
				t.Fatalf("Dialer returned %T", c)
			}
		} else {
			c, err = tls.DialWithDialer(&net.Dialer{Deadline: deadline(t)}, "tcp", ln.Addr().String(), theirClientConfig())
		}
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(deadline(t))
		if _, err := c.Write([]byte("hi")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hi" {
			t.Fatalf("echo: %q, %v", buf, err)
		}
		c.Close()
		if err := <-served; err != nil {
			t.Fatalf("server: %v", err)
		}
	}
}

func TestListenNeedsCertificates(t *testing.T) {
	if _, err := netconn.Listen("tcp", "127.0.0.1:0", &netconn.Config{}); err == nil {
		t.Fatal("Listen without certificates succeeded")
	}
	if _, err := netconn.Listen("tcp", "127.0.0.1:0", nil); err == nil {
		t.Fatal("Listen with a nil config succeeded")
	}
}
