package machine_test

import (
	"slices"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// TestP521 checks P-521 as an ECDHE group and as an ECDSA-P521-SHA512
// certificate on both sides, once both are configured.
func TestP521(t *testing.T) {
	p := getPKI(t)
	optIn := func(cfg *machine.Config) {
		cfg.Groups = []machine.Group{machine.CurveP521}
		cfg.SignatureSchemes = []machine.SignatureScheme{messages.SignatureECDSAP521SHA512}
	}
	ccfg := clientConfig(t, "p521")
	ccfg.Certificates = []machine.Certificate{p521Leaf(t, true)}
	optIn(ccfg)
	scfg := serverConfig(t, "p521", p521Leaf(t, false))
	scfg.ClientAuth = machine.RequireAndVerifyClientCert
	scfg.ClientCAs = p.roots
	optIn(scfg)
	pr := newPair(t, ccfg, scfg)
	pr.handshake()
	cs, ss := pr.client.conn.State(), pr.server.conn.State()
	if cs.Group != machine.CurveP521 || ss.Group != machine.CurveP521 {
		t.Errorf("group: client %v, server %v; want P-521", cs.Group, ss.Group)
	}
	if cs.SignatureScheme != messages.SignatureECDSAP521SHA512 || ss.SignatureScheme != messages.SignatureECDSAP521SHA512 {
		t.Errorf("peer signature: client saw %v, server saw %v; want ECDSA-P521-SHA512", cs.SignatureScheme, ss.SignatureScheme)
	}
}

// TestP521OptIn checks the default policy: P-521 is neither offered nor
// accepted, as a group or as a signature, until configured; a P-521 key of
// our own still signs when the peer offered P-521 and asks for it.
func TestP521OptIn(t *testing.T) {
	if slices.Contains(machine.DefaultSignatureSchemes(), messages.SignatureECDSAP521SHA512) {
		t.Error("DefaultSignatureSchemes accepts ECDSA-P521-SHA512 while P-521 is not a default group")
	}

	// A default client offers no P-521 and refuses a P-521 server.
	var hello []byte
	ccfg := clientConfig(t, "p521-default")
	ccfg.Trace = func(sent bool, typ machine.ContentType, body []byte) {
		if sent && typ == messages.ContentTypeHandshake && body[0] == byte(messages.HandshakeTypeClientHello) {
			hello = append([]byte(nil), body...)
		}
	}
	scfg := serverConfig(t, "p521-default", p521Leaf(t, false))
	scfg.Groups = []machine.Group{machine.X25519, machine.CurveP521}
	pr := newPair(t, ccfg, scfg)
	pr.run()
	msg, err := messages.Parse(hello)
	if err != nil {
		t.Fatal(err)
	}
	ch := msg.(*messages.ClientHello)
	if slices.Contains(ch.SupportedGroups, machine.CurveP521) || slices.Contains(ch.SignatureAlgorithms, messages.SignatureECDSAP521SHA512) {
		t.Errorf("default ClientHello offers P-521: groups %v, schemes %v", ch.SupportedGroups, ch.SignatureAlgorithms)
	}
	if pr.server.err == nil || pr.client.conn.HandshakeComplete() {
		t.Errorf("a P-521-only server and a default client agreed: client %v, server %v", pr.client.err, pr.server.err)
	}

	// A server with default schemes but a P-521 key signs with
	// ECDSA-P521-SHA512 for a client that opted in; a default server does
	// not accept that scheme from a client certificate (TLS 1.2 does not
	// bind ECDSA hashes to curves, so the client signs with a scheme the
	// server listed).
	ccfg = clientConfig(t, "p521-sign")
	ccfg.Groups = []machine.Group{machine.X25519, machine.CurveP521}
	ccfg.SignatureSchemes = []machine.SignatureScheme{messages.SignatureECDSAP521SHA512}
	scfg = serverConfig(t, "p521-sign", p521Leaf(t, false))
	pr = newPair(t, ccfg, scfg)
	pr.handshake()
	if got := pr.client.conn.State().SignatureScheme; got != messages.SignatureECDSAP521SHA512 {
		t.Errorf("server signed with %v, want ECDSA-P521-SHA512", got)
	}

	ccfg = clientConfig(t, "p521-client")
	ccfg.Certificates = []machine.Certificate{p521Leaf(t, true)}
	scfg = serverConfig(t, "p521-client")
	scfg.ClientAuth = machine.RequireAnyClientCert
	pr = newPair(t, ccfg, scfg)
	pr.handshake()
	if got := pr.server.conn.State().SignatureScheme; got == messages.SignatureECDSAP521SHA512 || got == 0 {
		t.Errorf("client signed with %v, want a scheme of the server's default list", got)
	}
}
