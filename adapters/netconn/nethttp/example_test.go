package nethttp_test

import (
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/adapters/netconn/nethttp"
)

// An HTTPS server offering HTTP/2 and HTTP/1.1, handlers seeing r.TLS.
func ExampleListenAndServeTLS() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s over %s, suite %#04x\n", r.Proto, r.TLS.NegotiatedProtocol, r.TLS.CipherSuite)
	})
	log.Fatal(nethttp.ListenAndServeTLS(":8443", "cert.pem", "key.pem", nil))
}

// An HTTPS server with a full http.Server and a netconn configuration.
func ExampleServeTLS() {
	cert, err := netconn.LoadX509KeyPair("cert.pem", "key.pem")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: ":8443", ReadHeaderTimeout: 10e9}
	log.Fatal(nethttp.ListenAndServe(srv, &netconn.Config{Certificates: []netconn.Certificate{cert}}))
}

// An HTTPS client: HTTP/2 where the server agrees, resp.TLS filled.
func ExampleNewTransport() {
	// A nil RootCAs means the system roots, as in crypto/tls.
	client := &http.Client{Transport: nethttp.NewTransport(&netconn.Config{})}
	resp, err := client.Get("https://example.com/")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Proto, resp.TLS.NegotiatedProtocol, len(body))
}

// A client trusting a private CA.
func ExampleTransport_privateCA() {
	pemCA, err := os.ReadFile("ca.pem")
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemCA)
	client := &http.Client{Transport: nethttp.NewTransport(&netconn.Config{RootCAs: roots})}
	resp, err := client.Get("https://internal.example:8443/")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
}
