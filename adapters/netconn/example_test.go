package netconn_test

import (
	"bytes"
	"fmt"
	"io"
	"net"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
)

// Example runs a client and a server over an in-memory net.Pipe. The
// certificates come from the test's own CA (see helpers_test.go); with real
// ones, load them with machine.X509KeyPair.
func Example() {
	clientEnd, serverEnd := net.Pipe()

	server := netconn.Server(serverEnd, &netconn.Config{
		Certificates: []machine.Certificate{pki().ecdsaA.ours()},
	})
	go func() {
		defer server.Close() // sends close_notify
		buf := make([]byte, 64)
		n, err := server.Read(buf) // runs the handshake first
		if err != nil {
			return
		}
		server.Write(bytes.ToUpper(buf[:n]))
	}()

	client := netconn.Client(clientEnd, &netconn.Config{
		RootCAs:    pki().roots,
		ServerName: "a.test",
	})
	defer client.Close()
	if _, err := client.Write([]byte("hello, tls 1.2")); err != nil {
		fmt.Println(err)
		return
	}
	reply, err := io.ReadAll(client) // until the server's close_notify
	if err != nil {
		fmt.Println(err)
		return
	}
	st := client.ConnectionState()
	fmt.Printf("%s\n%s\n", reply, machine.CipherSuiteName(st.CipherSuite))
	// Output:
	// HELLO, TLS 1.2
	// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
}
