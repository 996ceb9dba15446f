package machine_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/sanstls/sanstls/machine"
)

// TestSignedCertificateTimestamps: a server sends its certificate's SCTs
// (RFC 6962, Section 3.3.1) only to a client that asked, the client
// exposes them, and a resumed session reports the original ones.
func TestSignedCertificateTimestamps(t *testing.T) {
	p := getPKI(t)
	cert := p.ecdsa
	scts := [][]byte{[]byte("sct one"), []byte("sct two")}
	cert.SignedCertificateTimestamps = scts
	cache := mapClientCache{}
	for round, ask := range []bool{true, true, false} {
		ccfg := clientConfig(t, "sct")
		ccfg.RequestSCTs = ask
		ccfg.ClientSessionCache = cache
		scfg := serverConfig(t, "sct", cert)
		scfg.TicketKeys = [][32]byte{{5}}
		pr := newPair(t, ccfg, scfg)
		pr.handshake()
		st := pr.client.conn.State()
		if st.DidResume != (round == 1) {
			t.Fatalf("round %d: DidResume %v", round, st.DidResume)
		}
		want := scts
		if !ask {
			want = nil
		}
		if !slices.EqualFunc(st.SignedCertificateTimestamps, want, bytes.Equal) {
			t.Errorf("round %d: client SCTs %q, want %q", round, st.SignedCertificateTimestamps, want)
		}
		// The SCTs travel in the clear in ServerHello: present on the
		// wire only in the full handshake that asked for them.
		onWire := bytes.Contains(pr.server.wire, []byte("sct one"))
		if onWire != (round == 0) {
			t.Errorf("round %d: SCTs on the wire: %v", round, onWire)
		}
		if round == 1 {
			cache = mapClientCache{} // the last round is a full handshake
		}
	}

	for _, bad := range [][][]byte{{{}}, {make([]byte, 1<<16)}, {make([]byte, 40000), make([]byte, 40000)}} {
		c := p.ecdsa
		c.SignedCertificateTimestamps = bad
		cfg := serverConfig(t, "sct-bad", c)
		if _, err := machine.Server(cfg); err == nil || machine.ReasonOf(err) != "invalid_sct_list" {
			t.Errorf("SCTs of lengths %d: err %v, want invalid_sct_list", len(bad[0]), err)
		}
	}
}
