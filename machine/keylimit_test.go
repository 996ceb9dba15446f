package machine_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// TestAEADUsageLimit: an AES-GCM key must not protect more than about
// 2^24.5 records (RFC 9325, Section 4.4; RFC 8446, Section 5.5), and
// without a limit a long-lived TLS 1.2 connection sealed records until the
// sequence number ran out. Config.MaxRecordsPerKey (default 2^24 for
// AES-GCM) now stops Send cleanly at the limit: nothing is sealed, the
// connection is intact, Close still sends close_notify, and a renegotiation
// brings fresh keys. Tested with the limit lowered to 6.
func TestAEADUsageLimit(t *testing.T) {
	const limit = 6
	setup := func(t *testing.T) *pair {
		ccfg, scfg := clientConfig(t, "keylimit"), serverConfig(t, "keylimit")
		ccfg.CipherSuites = []uint16{machine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
		ccfg.MaxRecordsPerKey = limit
		scfg.AllowClientRenegotiation = true
		pr := newPair(t, ccfg, scfg)
		pr.handshake()
		return pr
	}
	// The Finished used sequence number 0: five more records fit.
	fill := func(t *testing.T, pr *pair) {
		for i := range limit - 1 {
			pr.write(pr.client, []byte{byte('a' + i)})
		}
		pr.run()
		out, err := pr.client.conn.Send(nil, []byte("over"))
		if !errors.Is(err, machine.ErrKeyLimit) || len(out) != 0 {
			t.Fatalf("Send past the limit: %d bytes, %v; want nothing and ErrKeyLimit", len(out), err)
		}
		if pr.client.conn.Err() != nil {
			t.Fatalf("the limit made the connection fail: %v", pr.client.conn.Err())
		}
	}
	t.Run("renegotiate", func(t *testing.T) {
		pr := setup(t)
		fill(t, pr)
		out, err := pr.client.conn.Renegotiate(nil)
		if err != nil {
			t.Fatal(err)
		}
		pr.send(pr.client, out)
		pr.run()
		if pr.client.err != nil || pr.server.err != nil || pr.client.conn.State().Renegotiations != 1 {
			t.Fatalf("renegotiation: client %v, server %v", pr.client.err, pr.server.err)
		}
		pr.write(pr.client, []byte("fresh"))
		pr.run()
		if string(pr.server.received) != "abcdefresh" {
			t.Fatalf("server received %q", pr.server.received)
		}
	})
	t.Run("close", func(t *testing.T) {
		pr := setup(t)
		fill(t, pr)
		pr.close(pr.client)
		pr.run()
		if !pr.server.closed || pr.server.err != nil {
			t.Fatalf("server closed %v, err %v", pr.server.closed, pr.server.err)
		}
	})
	// A Send that would cross the limit seals none of its records.
	t.Run("multi-record-send", func(t *testing.T) {
		pr := setup(t)
		out, err := pr.client.conn.Send(nil, bytes.Repeat([]byte("x"), limit*messages.MaxPlaintext))
		if !errors.Is(err, machine.ErrKeyLimit) || len(out) != 0 {
			t.Fatalf("Send of %d records: %d bytes, %v", limit, len(out), err)
		}
	})
}
