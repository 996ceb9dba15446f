package wasm_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/sanstls/sanstls/adapters/wasm"
)

// lend copies b into a buffer lent by m, as a wasm host writes into linear
// memory, and returns its address and length.
func lend(m *wasm.Module, b []byte) (uintptr, int32) {
	p := m.Alloc(int32(len(b)))
	mem, err := m.Memory(p, int32(len(b)))
	if err != nil {
		log.Fatalf("%v: %s", err, m.Text())
	}
	copy(mem, b)
	return p, int32(len(b))
}

// open creates a connection from a HostConfig with create (m.Client or
// m.Server).
func open(m *wasm.Module, create func(uintptr, int32) int32, cfg wasm.HostConfig) int32 {
	doc, err := json.Marshal(cfg)
	if err != nil {
		log.Fatal(err)
	}
	p, n := lend(m, doc)
	defer m.Free(p)
	h := create(p, n)
	if h < 0 {
		log.Fatalf("%d: %s", h, m.Text())
	}
	return h
}

// feed hands the bytes in to connection h and returns what h sends back:
// the receive loop of the package documentation. Whole flights arrive here,
// so no partial record is left over to keep for the next call.
func feed(m *wasm.Module, name string, h int32, in []byte) []byte {
	if len(in) == 0 {
		return nil
	}
	p, n := lend(m, in)
	defer m.Free(p)
	var out []byte
	for off := int32(0); ; {
		rc := m.Receive(h, p+uintptr(off), n-off)
		out = append(out, m.Out(h)...) // send this even on failure
		if rc < 0 {
			log.Fatalf("%s: %d: %s", name, rc, m.Text())
		}
		off += rc
		events := 0
		for k := m.NextEvent(h); k != wasm.EventNone; k = m.NextEvent(h) {
			events++
			switch k {
			case wasm.EventHandshakeDone:
				m.State(h)
				var st wasm.ConnState
				if err := json.Unmarshal(m.Text(), &st); err != nil {
					log.Fatal(err)
				}
				fmt.Printf("%s: handshake done, %s, ALPN %q\n", name, st.CipherSuite, st.ALPN)
			case wasm.EventAppData:
				fmt.Printf("%s: received %q\n", name, m.EventData(h))
			case wasm.EventPeerClosed:
				fmt.Printf("%s: peer closed\n", name)
			}
		}
		if rc == 0 && events == 0 {
			if off != n {
				log.Fatalf("%s: %d bytes of a partial record left", name, n-off)
			}
			return out
		}
	}
}

// Example makes the calls a wasm host makes, natively: a client and a
// server handle of one Module complete a handshake, exchange a message each
// way and close.
func Example() {
	read := func(name string) string {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			log.Fatal(err)
		}
		return string(b)
	}
	m := wasm.NewModule(rand.Reader, time.Now)
	client := open(m, m.Client, wasm.HostConfig{
		ServerName: "a.test",
		ALPN:       []string{"h2", "http/1.1"},
		RootsPEM:   read("ca.pem"),
	})
	server := open(m, m.Server, wasm.HostConfig{
		ALPN:    []string{"http/1.1"},
		CertPEM: read("leaf.pem"),
		KeyPEM:  read("leaf.key"),
	})

	if rc := m.Start(client); rc != wasm.CodeOK {
		log.Fatalf("start: %d: %s", rc, m.Text())
	}
	toServer := append([]byte(nil), m.Out(client)...)
	for len(toServer) > 0 {
		toServer = feed(m, "client", client, feed(m, "server", server, toServer))
	}

	send := func(h int32, msg string) []byte {
		p, n := lend(m, []byte(msg))
		defer m.Free(p)
		if rc := m.Send(h, p, n); rc != wasm.CodeOK {
			log.Fatalf("send: %d: %s", rc, m.Text())
		}
		return append([]byte(nil), m.Out(h)...)
	}
	feed(m, "server", server, send(client, "GET / HTTP/1.1"))
	feed(m, "client", client, send(server, "HTTP/1.1 200 OK"))

	m.Close(client)
	feed(m, "server", server, m.Out(client))
	fmt.Println("server EOF:", m.ReceiveEOF(server) == wasm.CodeOK)
	m.Destroy(client)
	m.Destroy(server)
	// Output:
	// server: handshake done, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ALPN "http/1.1"
	// client: handshake done, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ALPN "http/1.1"
	// server: received "GET / HTTP/1.1"
	// client: received "HTTP/1.1 200 OK"
	// server: peer closed
	// server EOF: true
}
