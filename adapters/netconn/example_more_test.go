package netconn_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/sanstls/sanstls/adapters/netconn"
)

// Mutual TLS: the server requires a client certificate from its CA; the
// client presents one.
func Example_mutualTLS() {
	caPEM, err := os.ReadFile("ca.pem")
	if err != nil {
		log.Fatal(err)
	}
	cas := x509.NewCertPool()
	cas.AppendCertsFromPEM(caPEM)

	serverCert, err := netconn.LoadX509KeyPair("server.pem", "server-key.pem")
	if err != nil {
		log.Fatal(err)
	}
	ln, err := netconn.Listen("tcp", "127.0.0.1:8443", &netconn.Config{
		Certificates: []netconn.Certificate{serverCert},
		ClientAuth:   netconn.RequireAndVerifyClientCert,
		ClientCAs:    cas,
	})
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		tc := c.(*netconn.Conn)
		if err := tc.Handshake(); err != nil {
			return
		}
		fmt.Fprintf(c, "hello, %s\n", tc.ConnectionState().PeerCertificates[0].Subject.CommonName)
	}()

	clientCert, err := netconn.LoadX509KeyPair("client.pem", "client-key.pem")
	if err != nil {
		log.Fatal(err)
	}
	conn, err := netconn.Dial("tcp", ln.Addr().String(), &netconn.Config{
		Certificates: []netconn.Certificate{clientCert},
		RootCAs:      cas,
		ServerName:   "server.example",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	greeting, _ := io.ReadAll(conn)
	fmt.Print(string(greeting))
}

// Resumption: servers issue tickets by default; a client resumes when it
// has a session cache (opt-in, as in crypto/tls).
func Example_resumption() {
	cfg := &netconn.Config{ClientSessionCache: netconn.NewLRUClientSessionCache(64)}
	for range 2 {
		conn, err := netconn.Dial("tcp", "example.com:443", cfg)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("resumed:", conn.ConnectionState().DidResume)
		conn.Close()
	}
}

// Moving a crypto/tls configuration over: FromTLSConfig reports what it
// cannot honour and returns a usable Config.
func ExampleFromTLSConfig() {
	tlsCfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"},
		VerifyConnection: func(cs tls.ConnectionState) error {
			log.Printf("connected to %s", cs.ServerName)
			return nil
		},
	}
	cfg, err := netconn.FromTLSConfig(tlsCfg)
	if err != nil {
		log.Print(err) // a *netconn.ConversionError naming each field
	}
	conn, err := netconn.Dial("tcp", "example.com:443", cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
}
