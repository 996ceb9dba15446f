package machine_test

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"log"
	"os"
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
