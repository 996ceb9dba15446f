package machine_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// pump gives c the bytes in, calling Receive until it has consumed them
// all, and returns what c wants to send back. Application data is printed.
func pump(name string, c *machine.Conn, in []byte) []byte {
	var out []byte
	for {
		var n int
		var err error
		out, n, err = c.Receive(out, in)
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		in = in[n:]
		events := 0
		for ev := c.NextEvent(); ev.Kind != machine.EventNone; ev = c.NextEvent() {
			events++
			switch ev.Kind {
			case machine.EventHandshakeDone:
				fmt.Printf("%s: handshake done, %s\n", name, machine.CipherSuiteName(c.State().CipherSuite))
			case machine.EventAppData:
				fmt.Printf("%s: received %q\n", name, ev.Data)
			case machine.EventPeerClosed:
				fmt.Printf("%s: peer closed\n", name)
			}
		}
		if n == 0 && events == 0 {
			return out
		}
	}
}

// Example runs a client and a server in memory: every byte one side emits
// is handed to the other, with no network and no goroutines.
func Example() {
	certPEM, err := os.ReadFile("testdata/golden-leaf.pem")
	if err != nil {
		log.Fatal(err)
	}
	keyPEM, err := os.ReadFile("testdata/golden-leaf.key")
	if err != nil {
		log.Fatal(err)
	}
	caPEM, err := os.ReadFile("testdata/golden-ca.pem")
	if err != nil {
		log.Fatal(err)
	}
	cert, err := machine.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	// The test certificates are valid from late 2026 on.
	now := func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }

	client, err := machine.Client(&machine.Config{Rand: rand.Reader, Time: now, RootCAs: roots, ServerName: "example.com"})
	if err != nil {
		log.Fatal(err)
	}
	server, err := machine.Server(&machine.Config{Rand: rand.Reader, Time: now, Certificates: []machine.Certificate{cert}})
	if err != nil {
		log.Fatal(err)
	}

	toServer, err := client.Start(nil)
	if err != nil {
		log.Fatal(err)
	}
	for len(toServer) > 0 {
		toClient := pump("server", server, toServer)
		toServer = pump("client", client, toClient)
	}

	request, err := client.Send(nil, []byte("GET / HTTP/1.1"))
	if err != nil {
		log.Fatal(err)
	}
	pump("server", server, request)
	response, err := server.Send(nil, []byte("HTTP/1.1 200 OK"))
	if err != nil {
		log.Fatal(err)
	}
	pump("client", client, response)
	pump("server", server, client.Close(nil))
	if err := server.ReceiveEOF(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// server: handshake done, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	// client: handshake done, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	// server: received "GET / HTTP/1.1"
	// client: received "HTTP/1.1 200 OK"
	// server: peer closed
}

// request drives a client Conn over a stream transport (the loop the
// README shows): it sends req once the handshake is done, prints the
// answer, then closes with a close_notify exchange. The rules of the loop:
// call Receive until it makes no progress (it stops at the first event);
// handle each event before the next call (EventAppData aliases in); keep
// out apart from unread input (Receive decrypts in place); and write out
// before anything else, in particular before closing the socket, or the
// close_notify (or a fatal alert) is lost.
func request(conn net.Conn, c *machine.Conn, req []byte) error {
	out, err := c.Start(nil) // the ClientHello
	if err != nil {
		return err
	}
	var in []byte // received bytes not yet consumed
	buf := make([]byte, 16<<10)
	for {
		if len(out) > 0 {
			if _, err := conn.Write(out); err != nil {
				return err
			}
			out = out[:0]
		}
		if err != nil {
			return err // a fatal error: its alert was in out
		}
		n, rerr := conn.Read(buf)
		if rerr == io.EOF {
			return c.ReceiveEOF() // nil only after close_notify
		} else if rerr != nil {
			return rerr
		}
		in = append(in, buf[:n]...)
		for {
			var used int
			out, used, err = c.Receive(out, in)
			in = in[used:]
			events := 0
			for ev := c.NextEvent(); ev.Kind != machine.EventNone && err == nil; ev = c.NextEvent() {
				events++
				switch ev.Kind {
				case machine.EventHandshakeDone:
					out, err = c.Send(out, req)
				case machine.EventAppData:
					fmt.Printf("client: received %q\n", ev.Data) // valid until the next call on c
					out = c.Close(out)
				case machine.EventPeerClosed:
					// Answer with close_notify (nothing if we sent ours),
					// and flush before returning: the caller closes conn.
					if out = c.Close(out); len(out) > 0 {
						_, err = conn.Write(out)
					}
					return err
				}
			}
			if err != nil || used == 0 && events == 0 {
				break // write out, then report err or read more
			}
		}
	}
}

// echo is the server side of Example_eventLoop: the same loop, answering
// each message with "echo: " and the message.
func echo(conn net.Conn, c *machine.Conn) error {
	defer conn.Close()
	var in, out []byte
	buf := make([]byte, 16<<10)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return err
		}
		in = append(in, buf[:n]...)
		for {
			var used int
			out, used, err = c.Receive(out, in)
			in = in[used:]
			events := 0
			for ev := c.NextEvent(); ev.Kind != machine.EventNone && err == nil; ev = c.NextEvent() {
				events++
				switch ev.Kind {
				case machine.EventAppData:
					out, err = c.Send(out, append([]byte("echo: "), ev.Data...))
				case machine.EventPeerClosed:
					if out = c.Close(out); len(out) > 0 {
						_, err = conn.Write(out)
					}
					return err
				}
			}
			if len(out) > 0 {
				if _, werr := conn.Write(out); werr != nil {
					return werr
				}
				out = out[:0]
			}
			if err != nil {
				return err
			}
			if used == 0 && events == 0 {
				break
			}
		}
	}
}

// Example_eventLoop drives a client over a socket-like transport
// (net.Pipe here, a TCP connection in practice) with the event loop of
// the README; the server runs the same loop in a goroutine.
func Example_eventLoop() {
	clientCfg, serverCfg := exampleConfigs()
	client, err := machine.Client(clientCfg)
	if err != nil {
		log.Fatal(err)
	}
	server, err := machine.Server(serverCfg)
	if err != nil {
		log.Fatal(err)
	}
	cconn, sconn := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- echo(sconn, server) }()
	if err := request(cconn, client, []byte("hello")); err != nil {
		log.Fatal(err)
	}
	cconn.Close()
	if err := <-done; err != nil {
		log.Fatal(err)
	}
	fmt.Println("client: closed cleanly after", machine.CipherSuiteName(client.State().CipherSuite))
	// Output:
	// client: received "echo: hello"
	// client: closed cleanly after TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
}

// exampleConfigs are a client and a server Config with the test PKI.
func exampleConfigs() (client, server *machine.Config) {
	certPEM, err := os.ReadFile("testdata/golden-leaf.pem")
	if err != nil {
		log.Fatal(err)
	}
	keyPEM, err := os.ReadFile("testdata/golden-leaf.key")
	if err != nil {
		log.Fatal(err)
	}
	caPEM, err := os.ReadFile("testdata/golden-ca.pem")
	if err != nil {
		log.Fatal(err)
	}
	cert, err := machine.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	// The test certificates are valid from late 2026 on.
	now := func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }
	return &machine.Config{Rand: rand.Reader, Time: now, RootCAs: roots, ServerName: "example.com"},
		&machine.Config{Rand: rand.Reader, Time: now, Certificates: []machine.Certificate{cert}}
}

// TestREADMEEventLoop keeps the README's event-loop snippet identical to
// request above, which Example_eventLoop runs.
func TestREADMEEventLoop(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(readme, []byte("```go\nfunc request("))
	if start < 0 {
		t.Fatal("README has no ```go block starting with func request(")
	}
	snippet := readme[start+len("```go\n"):]
	snippet = snippet[:bytes.Index(snippet, []byte("```"))]
	if !bytes.Contains(src, snippet) {
		t.Errorf("the README's request function differs from example_test.go's:\n%s", snippet)
	}
}
