package machine_test

import (
	"bytes"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// finishedTracer records the verify_data of every Finished a side sends.
func finishedTracer(out *[][]byte) func(bool, machine.ContentType, []byte) {
	return func(sent bool, typ machine.ContentType, body []byte) {
		if sent && typ == messages.ContentTypeHandshake && body[0] == byte(messages.HandshakeTypeFinished) {
			*out = append(*out, bytes.Clone(body[messages.HandshakeHeaderLen:]))
		}
	}
}

// TestTLSUnique checks RFC 5929's tls-unique: the client's Finished after a
// full handshake, the server's after a resumption, the same on both sides,
// and updated by a renegotiation.
func TestTLSUnique(t *testing.T) {
	cache := mapClientCache{}
	keys := [][32]byte{{7}}
	for round, wantResume := range []bool{false, true} {
		var cfin, sfin [][]byte
		ccfg := clientConfig(t, "unique")
		ccfg.ClientSessionCache = cache
		ccfg.Trace = finishedTracer(&cfin)
		ccfg.Renegotiation = machine.RenegotiateFreelyAsClient
		scfg := serverConfig(t, "unique")
		scfg.TicketKeys = keys
		scfg.Trace = finishedTracer(&sfin)
		pr := newPair(t, ccfg, scfg)
		pr.handshake()
		cs, ss := pr.client.conn.State(), pr.server.conn.State()
		if cs.DidResume != wantResume {
			t.Fatalf("round %d: DidResume %v", round, cs.DidResume)
		}
		want := cfin[0]
		if wantResume {
			want = sfin[0]
		}
		if len(want) != 12 || !bytes.Equal(cs.TLSUnique, want) || !bytes.Equal(ss.TLSUnique, want) {
			t.Errorf("round %d: tls-unique client %x server %x, want %x", round, cs.TLSUnique, ss.TLSUnique, want)
		}
		if round == 1 {
			continue
		}
		// A renegotiation is a new full handshake: its client Finished.
		out, err := pr.server.conn.Renegotiate(nil)
		if err != nil {
			t.Fatal(err)
		}
		pr.send(pr.server, out)
		pr.run()
		cs, ss = pr.client.conn.State(), pr.server.conn.State()
		if cs.Renegotiations != 1 || len(cfin) != 2 {
			t.Fatalf("renegotiation did not complete: %d, %d Finished", cs.Renegotiations, len(cfin))
		}
		if !bytes.Equal(cs.TLSUnique, cfin[1]) || !bytes.Equal(ss.TLSUnique, cfin[1]) {
			t.Errorf("after renegotiation: tls-unique client %x server %x, want %x", cs.TLSUnique, ss.TLSUnique, cfin[1])
		}
	}
}
