package chanpipe_test

import (
	"errors"
	"fmt"

	"github.com/sanstls/sanstls/adapters/chanpipe"
	"github.com/sanstls/sanstls/machine"
)

// ExamplePair runs a handshake with the server's bytes delivered one at a
// time, exchanges data, then flips a bit of the next record the client
// sends. configs (in helpers_test.go) gives both machines seeded randomness
// and a fixed clock.
func ExamplePair() {
	clientCfg, serverCfg := configs(1)
	p, err := chanpipe.NewPair(clientCfg, serverCfg,
		chanpipe.WithSeed(7),
		chanpipe.WithChunks(chanpipe.SideServer, 1, 1))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := p.Run(100_000); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("handshake:", p.Client.HandshakeDone, p.Server.HandshakeDone)

	p.Send(chanpipe.SideClient, []byte("ping"))
	p.Send(chanpipe.SideServer, []byte("pong"))
	p.Run(100_000)
	fmt.Printf("server got %q, client got %q\n", p.Server.Received, p.Client.Received)

	// Flip a bit in the ciphertext of the client's next record.
	p.Inject(chanpipe.WithCorrupt(chanpipe.SideClient, p.Client.BytesSent+13, 0))
	p.Send(chanpipe.SideClient, []byte("tampered"))
	p.Run(100_000)
	var ae *machine.AlertError
	if errors.As(p.Server.Err, &ae) {
		fmt.Println("server:", ae.Alert, "remote:", ae.Remote)
	}
	if errors.As(p.Client.Err, &ae) {
		fmt.Println("client:", ae.Alert, "remote:", ae.Remote)
	}
	// Output:
	// handshake: true true
	// server got "ping", client got "pong"
	// server: bad_record_mac remote: false
	// client: bad_record_mac remote: true
}

// ExamplePipe runs the same machines in goroutines joined by channels.
func ExamplePipe() {
	clientCfg, serverCfg := configs(2)
	p, err := chanpipe.NewPipe(clientCfg, serverCfg, chanpipe.WithChunks(chanpipe.SideClient, 1, 10))
	if err != nil {
		fmt.Println(err)
		return
	}
	p.Client.Send([]byte("hello over channels"))
	p.Client.Close()
	p.Server.Close()
	got, err := p.Server.Wait()
	fmt.Printf("%q %v\n", got, err)
	_, err = p.Client.Wait()
	fmt.Println(err)
	// Output:
	// "hello over channels" <nil>
	// <nil>
}
