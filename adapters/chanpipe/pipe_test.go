package chanpipe_test

import (
	"bytes"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/chanpipe"
	"github.com/sanstls/sanstls/machine"
)

// waitEnd waits for a pipe end, bounded by the test's deadline.
func waitEnd(t *testing.T, e *chanpipe.PipeEnd) ([]byte, error) {
	t.Helper()
	limit := 2 * time.Minute
	if d, ok := t.Deadline(); ok && time.Until(d)/2 < limit {
		limit = time.Until(d) / 2
	}
	select {
	case <-e.Done():
		return e.Wait()
	case <-time.After(limit):
		t.Fatal("pipe end did not stop")
		return nil, nil
	}
}

func TestPipeConversation(t *testing.T) {
	ccfg, scfg := configs(21)
	p, err := chanpipe.NewPipe(ccfg, scfg, chanpipe.WithSeed(5),
		chanpipe.WithChunks(chanpipe.SideClient, 1, 100), chanpipe.WithChunks(chanpipe.SideServer, 1, 1000),
		chanpipe.WithDelay(chanpipe.SideServer, 1))
	if err != nil {
		t.Fatal(err)
	}
	toServer, toClient := payload(30_000, 1), payload(20_000, 2)
	// Sends are queued until the handshake completes.
	if err := p.Client.Send(toServer[:10_000]); err != nil {
		t.Fatal(err)
	}
	if err := p.Client.Send(toServer[10_000:]); err != nil {
		t.Fatal(err)
	}
	if err := p.Server.Send(toClient); err != nil {
		t.Fatal(err)
	}
	p.Client.Close()
	p.Server.Close()
	gotServer, errServer := waitEnd(t, p.Server)
	gotClient, errClient := waitEnd(t, p.Client)
	if errServer != nil || errClient != nil {
		t.Fatalf("errors: server %v, client %v", errServer, errClient)
	}
	if !bytes.Equal(gotServer, toServer) || !bytes.Equal(gotClient, toClient) {
		t.Fatalf("received %d and %d bytes, want %d and %d", len(gotServer), len(gotClient), len(toServer), len(toClient))
	}
	if err := p.Client.Send([]byte("late")); !errors.Is(err, chanpipe.ErrPipeDone) {
		t.Errorf("Send after stop: %v, want ErrPipeDone", err)
	}
}

func TestPipeCorruptHandshake(t *testing.T) {
	ccfg, scfg := configs(22)
	// Byte 20 of the client's stream is in the ClientHello random, which the
	// server signs in its ServerKeyExchange (RFC 8422, Section 5.4): the
	// client finds the signature wrong and sends decrypt_error.
	p, err := chanpipe.NewPipe(ccfg, scfg, chanpipe.WithCorrupt(chanpipe.SideClient, 20, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, errServer := waitEnd(t, p.Server)
	_, errClient := waitEnd(t, p.Client)
	const alertDecryptError machine.Alert = 51
	var local, remote *machine.AlertError
	if !errors.As(errClient, &local) || local.Remote || local.Alert != alertDecryptError {
		t.Fatalf("client error %v, want a local decrypt_error", errClient)
	}
	if !errors.As(errServer, &remote) || !remote.Remote || remote.Alert != alertDecryptError {
		t.Fatalf("server error %v, want the remote decrypt_error", errServer)
	}
}

func TestPipeTruncation(t *testing.T) {
	ccfg, scfg := configs(23)
	p, err := chanpipe.NewPipe(ccfg, scfg, chanpipe.WithTruncate(chanpipe.SideServer, 100))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := waitEnd(t, p.Client); !errors.Is(err, machine.ErrTruncated) {
		t.Fatalf("client error %v, want ErrTruncated", err)
	}
	p.Server.Close() // the server waits for a handshake that cannot finish
	p.Client.Close()
}

func TestPipeDeferVerify(t *testing.T) {
	ccfg, scfg := configs(24)
	ccfg.DeferVerify = true
	var calls atomic.Int32
	ccfg.VerifyPeer = func(pc *machine.PeerCerts) error {
		calls.Add(1)
		return nil
	}
	p, err := chanpipe.NewPipe(ccfg, scfg)
	if err != nil {
		t.Fatal(err)
	}
	p.Client.Send([]byte("verified"))
	p.Client.Close()
	p.Server.Close()
	got, err := waitEnd(t, p.Server)
	if err != nil || string(got) != "verified" {
		t.Fatalf("server: %q, %v", got, err)
	}
	if _, err := waitEnd(t, p.Client); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Fatalf("VerifyPeer called %d times, want 1", calls.Load())
	}
}
