package chanpipe_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/sanstls/sanstls/adapters/chanpipe"
	"github.com/sanstls/sanstls/machine"
)

const maxSteps = 1 << 20

// handshake creates a pair and runs it to quiescence, expecting a
// completed handshake.
func handshake(t *testing.T, seed uint64, opts ...chanpipe.Option) *chanpipe.Pair {
	t.Helper()
	ccfg, scfg := configs(seed)
	p, err := chanpipe.NewPair(ccfg, scfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(maxSteps); err != nil {
		t.Fatal(err)
	}
	if !p.Client.HandshakeDone || !p.Server.HandshakeDone {
		t.Fatalf("handshake incomplete: client %v (%v), server %v (%v)",
			p.Client.HandshakeDone, p.Client.Err, p.Server.HandshakeDone, p.Server.Err)
	}
	return p
}

// conversation runs a handshake, data both ways and a clean close.
func conversation(t *testing.T, seed uint64, toServer, toClient []byte, opts ...chanpipe.Option) *chanpipe.Pair {
	t.Helper()
	p := handshake(t, seed, opts...)
	if err := p.Send(chanpipe.SideClient, toServer); err != nil {
		t.Fatal(err)
	}
	if err := p.Send(chanpipe.SideServer, toClient); err != nil {
		t.Fatal(err)
	}
	p.Close(chanpipe.SideClient)
	p.Close(chanpipe.SideServer)
	if err := p.Run(maxSteps); err != nil {
		t.Fatal(err)
	}
	for _, e := range []*chanpipe.Endpoint{p.Client, p.Server} {
		if e.Err != nil || !e.PeerClosed || !e.EOF {
			t.Fatalf("%v: err %v, peer closed %v, EOF %v; want a clean close", e.Side, e.Err, e.PeerClosed, e.EOF)
		}
		if e.AlertsSent != 1 {
			t.Errorf("%v sent %d alert records, want 1 (close_notify)", e.Side, e.AlertsSent)
		}
	}
	return p
}

func TestPairChunkingKeepsData(t *testing.T) {
	toServer, toClient := payload(40_000, 1), payload(23_456, 2)
	variants := []struct {
		name string
		opts []chanpipe.Option
	}{
		{"whole", nil},
		{"single-bytes", []chanpipe.Option{chanpipe.WithChunks(chanpipe.SideClient, 1, 1), chanpipe.WithChunks(chanpipe.SideServer, 1, 1)}},
		{"random", []chanpipe.Option{chanpipe.WithSeed(42),
			chanpipe.WithChunks(chanpipe.SideClient, 1, 700), chanpipe.WithChunks(chanpipe.SideServer, 1, 3000),
			chanpipe.WithDelay(chanpipe.SideServer, 3)}},
	}
	var first *chanpipe.Pair
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			p := conversation(t, 1, toServer, toClient, v.opts...)
			if !bytes.Equal(p.Server.Received, toServer) || !bytes.Equal(p.Client.Received, toClient) {
				t.Fatalf("received %d and %d bytes, not the %d and %d sent",
					len(p.Server.Received), len(p.Client.Received), len(toServer), len(toClient))
			}
			if first == nil {
				first = p
			} else if !bytes.Equal(p.Server.Received, first.Server.Received) || !bytes.Equal(p.Client.Received, first.Client.Received) {
				t.Fatal("received data differs between chunkings")
			}
			if v.name == "single-bytes" && p.Steps() < len(toServer) {
				t.Errorf("%d steps for %d single-byte chunks", p.Steps(), len(toServer))
			}
		})
	}
}

func TestPairCorruptionAfterHandshake(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			p := handshake(t, seed, chanpipe.WithSeed(seed))
			off := p.Client.BytesSent
			const n = 100
			// Any bit after the 5-byte header of the next record: explicit
			// nonce, ciphertext or tag.
			opt := chanpipe.WithCorruptRandom(chanpipe.SideClient, off+5, off+5+n)
			if seed == 0 {
				opt = chanpipe.WithCorrupt(chanpipe.SideClient, off+5+8, 3)
			}
			p.Inject(opt)
			if err := p.Send(chanpipe.SideClient, payload(n, seed)); err != nil {
				t.Fatal(err)
			}
			if err := p.Run(maxSteps); err != nil {
				t.Fatal(err)
			}
			var local, remote *machine.AlertError
			if !errors.As(p.Server.Err, &local) || local.Remote || local.Alert != alertBadRecordMAC {
				t.Fatalf("server error %v, want a local bad_record_mac", p.Server.Err)
			}
			if !errors.As(p.Client.Err, &remote) || !remote.Remote || remote.Alert != alertBadRecordMAC {
				t.Fatalf("client error %v, want the remote bad_record_mac", p.Client.Err)
			}
			if p.Server.AlertsSent != 1 || p.Client.AlertsSent != 0 {
				t.Errorf("alerts sent: server %d, client %d; want 1 and 0", p.Server.AlertsSent, p.Client.AlertsSent)
			}
			if len(p.Server.Received) != 0 {
				t.Error("server delivered data from a corrupted record")
			}
		})
	}
}

func TestPairTruncation(t *testing.T) {
	t.Run("before-close-notify", func(t *testing.T) {
		p := handshake(t, 3)
		data := payload(5000, 3)
		if err := p.Send(chanpipe.SideServer, data); err != nil {
			t.Fatal(err)
		}
		p.Inject(chanpipe.WithTruncate(chanpipe.SideServer, p.Server.BytesSent))
		p.Close(chanpipe.SideServer) // its close_notify is cut off
		if err := p.Run(maxSteps); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p.Client.Received, data) {
			t.Error("data before the truncation point was not delivered")
		}
		if !p.Client.EOF || p.Client.PeerClosed || !errors.Is(p.Client.Err, machine.ErrTruncated) {
			t.Fatalf("client: EOF %v, peer closed %v, err %v; want ErrTruncated", p.Client.EOF, p.Client.PeerClosed, p.Client.Err)
		}
	})
	t.Run("mid-record", func(t *testing.T) {
		p := handshake(t, 4)
		p.Inject(chanpipe.WithTruncate(chanpipe.SideClient, p.Client.BytesSent+10))
		if err := p.Send(chanpipe.SideClient, []byte("never complete")); err != nil {
			t.Fatal(err)
		}
		if err := p.Run(maxSteps); err != nil {
			t.Fatal(err)
		}
		if len(p.Server.Received) != 0 || !errors.Is(p.Server.Err, machine.ErrTruncated) {
			t.Fatalf("server: received %q, err %v; want nothing and ErrTruncated", p.Server.Received, p.Server.Err)
		}
	})
	t.Run("mid-handshake", func(t *testing.T) {
		ccfg, scfg := configs(5)
		p, err := chanpipe.NewPair(ccfg, scfg, chanpipe.WithTruncate(chanpipe.SideServer, 200))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Run(maxSteps); err != nil {
			t.Fatal(err)
		}
		if p.Client.HandshakeDone || !errors.Is(p.Client.Err, machine.ErrTruncated) {
			t.Fatalf("client: handshake %v, err %v; want ErrTruncated", p.Client.HandshakeDone, p.Client.Err)
		}
	})
}

// TestPairReplayAndDrop: a duplicated record is a replay, and a dropped
// byte shifts the record boundaries; both fail authentication. Faults act
// on bytes as they are sent, so they are injected before the record they
// hit; records of equal payload size have equal length.
func TestPairReplayAndDrop(t *testing.T) {
	for _, name := range []string{"duplicate", "drop"} {
		t.Run(name, func(t *testing.T) {
			p := handshake(t, 6)
			off := p.Client.BytesSent
			if err := p.Send(chanpipe.SideClient, []byte("record one")); err != nil {
				t.Fatal(err)
			}
			recLen := p.Client.BytesSent - off
			if name == "duplicate" {
				p.Inject(chanpipe.WithDuplicate(chanpipe.SideClient, off+recLen, recLen))
			} else {
				p.Inject(chanpipe.WithDrop(chanpipe.SideClient, off+recLen+20, 1))
			}
			for _, msg := range []string{"record two", "record 3.."} {
				if err := p.Send(chanpipe.SideClient, []byte(msg)); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Run(maxSteps); err != nil {
				t.Fatal(err)
			}
			var ae *machine.AlertError
			if !errors.As(p.Server.Err, &ae) || ae.Alert != alertBadRecordMAC {
				t.Fatalf("server error %v, want bad_record_mac", p.Server.Err)
			}
			want := "record one"
			if name == "duplicate" {
				want = "record onerecord two" // the replayed copy is rejected
			}
			if string(p.Server.Received) != want {
				t.Errorf("server received %q, want %q", p.Server.Received, want)
			}
		})
	}
}

func TestPairDeterminism(t *testing.T) {
	run := func(machineSeed, faultSeed uint64) []byte {
		opts := []chanpipe.Option{chanpipe.WithSeed(faultSeed),
			chanpipe.WithChunks(chanpipe.SideClient, 1, 64), chanpipe.WithChunks(chanpipe.SideServer, 1, 512),
			chanpipe.WithDelay(chanpipe.SideClient, 2)}
		p := conversation(t, machineSeed, payload(3000, 7), payload(2000, 8), opts...)
		return p.Transcript()
	}
	a, b := run(1, 9), run(1, 9)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("two runs with the same seeds differ (%d and %d bytes)", len(a), len(b))
	}
	if bytes.Equal(a, run(1, 10)) {
		t.Error("a different fault seed gave the same transcript")
	}
	if bytes.Equal(a, run(2, 9)) {
		t.Error("a different machine seed gave the same transcript")
	}
}

func TestPairDeferVerify(t *testing.T) {
	t.Run("accept", func(t *testing.T) {
		ccfg, scfg := configs(11)
		ccfg.DeferVerify = true
		calls := 0
		ccfg.VerifyPeer = func(pc *machine.PeerCerts) error {
			calls++
			return nil
		}
		p, err := chanpipe.NewPair(ccfg, scfg, chanpipe.WithChunks(chanpipe.SideServer, 1, 1))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Run(maxSteps); err != nil {
			t.Fatal(err)
		}
		if !p.Client.HandshakeDone || !p.Server.HandshakeDone || calls != 1 {
			t.Fatalf("handshake %v/%v, hook calls %d", p.Client.HandshakeDone, p.Server.HandshakeDone, calls)
		}
		if !slices.Contains(p.Client.Events, machine.EventVerifyPeer) {
			t.Error("no EventVerifyPeer recorded")
		}
	})
	t.Run("unknown-ca", func(t *testing.T) {
		ccfg, scfg := configs(12)
		ccfg.DeferVerify = true
		ccfg.RootCAs = pki().otherRoots
		p, err := chanpipe.NewPair(ccfg, scfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Run(maxSteps); err != nil {
			t.Fatal(err)
		}
		var local, remote *machine.AlertError
		if !errors.As(p.Client.Err, &local) || local.Remote || local.Alert != alertUnknownCA {
			t.Fatalf("client error %v, want a local unknown_ca", p.Client.Err)
		}
		if !errors.As(p.Server.Err, &remote) || !remote.Remote || remote.Alert != alertUnknownCA {
			t.Fatalf("server error %v, want the remote unknown_ca", p.Server.Err)
		}
	})
}

func TestPairSendBeforeHandshake(t *testing.T) {
	ccfg, scfg := configs(13)
	p, err := chanpipe.NewPair(ccfg, scfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Send(chanpipe.SideClient, []byte("early")); !errors.Is(err, machine.ErrNotReady) {
		t.Fatalf("Send before the handshake: %v, want ErrNotReady", err)
	}
	if err := p.Run(3); !errors.Is(err, chanpipe.ErrNotQuiescent) {
		t.Fatalf("Run(3): %v, want ErrNotQuiescent for an unfinished handshake", err)
	}
}

func TestNewPairRejectsBadConfig(t *testing.T) {
	_, scfg := configs(14)
	if _, err := chanpipe.NewPair(&machine.Config{}, scfg); err == nil {
		t.Fatal("NewPair accepted a client config without Rand and Time")
	}
}
