package machine_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/sanstls/sanstls/machine"
)

// falseStartPair runs a handshake up to the client's second flight and
// reports whether the client entered False Start.
func falseStartPair(t *testing.T, mod func(c, s *machine.Config)) (*pair, bool) {
	t.Helper()
	ccfg := clientConfig(t, "false-start")
	ccfg.FalseStart = true
	ccfg.NextProtos = []string{"h2"}
	scfg := serverConfig(t, "false-start")
	scfg.NextProtos = []string{"h2"}
	if mod != nil {
		mod(ccfg, scfg)
	}
	pr := newPair(t, ccfg, scfg)
	pr.deliver(pr.server) // ClientHello -> server's first flight
	pr.deliver(pr.client) // -> client's second flight
	if pr.client.err != nil || pr.server.err != nil {
		t.Fatalf("handshake failed: %v / %v", pr.client.err, pr.server.err)
	}
	return pr, slices.Contains(pr.client.events, machine.EventFalseStart)
}

// TestFalseStart: with ECDHE, AEAD and ALPN the client may send (and
// export) before the server's Finished; the data arrives after the
// server's handshake completes.
func TestFalseStart(t *testing.T) {
	pr, started := falseStartPair(t, nil)
	if !started || pr.client.conn.HandshakeComplete() {
		t.Fatalf("no False Start: events %v", pr.client.events)
	}
	early, err := pr.client.conn.ExportKeyingMaterial("label", nil, 32)
	if err != nil {
		t.Fatalf("export during False Start: %v", err)
	}
	pr.write(pr.client, []byte("early data"))
	pr.run()
	if string(pr.server.received) != "early data" {
		t.Fatalf("server received %q", pr.server.received)
	}
	if !pr.client.conn.HandshakeComplete() || !slices.Contains(pr.client.events, machine.EventHandshakeDone) {
		t.Fatal("handshake did not complete after False Start")
	}
	late, err := pr.server.conn.ExportKeyingMaterial("label", nil, 32)
	if err != nil || !bytes.Equal(early, late) {
		t.Errorf("exporter during False Start %x, server's %x (%v)", early, late, err)
	}
}

// TestNoFalseStart: no False Start without the option, without ALPN
// (unless allowed), with a CBC suite, or with RSA key exchange; Send then
// waits for the server's Finished.
func TestNoFalseStart(t *testing.T) {
	for name, mod := range map[string]func(c, s *machine.Config){
		"disabled": func(c, s *machine.Config) { c.FalseStart = false },
		"no-alpn":  func(c, s *machine.Config) { s.NextProtos = nil },
		"cbc": func(c, s *machine.Config) {
			c.CipherSuites = []uint16{machine.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}
			s.CipherSuites = c.CipherSuites
		},
		"rsa-kex": func(c, s *machine.Config) {
			c.CipherSuites = []uint16{machine.TLS_RSA_WITH_AES_128_GCM_SHA256}
			s.CipherSuites = c.CipherSuites
		},
	} {
		t.Run(name, func(t *testing.T) {
			pr, started := falseStartPair(t, mod)
			if started {
				t.Fatal("False Start entered")
			}
			if _, err := pr.client.conn.Send(nil, []byte("x")); !errors.Is(err, machine.ErrNotReady) {
				t.Errorf("Send before the server's Finished: %v, want ErrNotReady", err)
			}
			pr.run()
			if !pr.client.conn.HandshakeComplete() {
				t.Error("handshake did not complete")
			}
		})
	}
	pr, started := falseStartPair(t, func(c, s *machine.Config) {
		s.NextProtos = nil
		c.FalseStartWithoutALPN = true
	})
	if !started {
		t.Error("FalseStartWithoutALPN: no False Start")
	}
	pr.run()
}
