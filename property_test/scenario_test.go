package property_test

import (
	"fmt"
	"slices"
	"strings"

	"pgregory.net/rapid"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// A scenario is one random configuration of a client and a server, and what
// the model predicts of it.
type scenario struct {
	suite machine.CipherSuiteInfo
	kx    string // "ECDHE", "DHE" or "RSA", from the IANA name
	ecdsa bool   // the suite authenticates with ECDSA

	group machine.Group // the only group either side enables; 0 for RSA key exchange
	// omitCurve leaves P-256, the curve of the ECDSA server certificate,
	// out of the client's groups (RFC 8422, Section 5.1: the server then has
	// no certificate it may use).
	omitCurve bool
	bothCerts bool // the server holds an ECDSA and an RSA certificate

	clientALPN, serverALPN []string

	clientAuth machine.ClientAuthType
	clientCert string // "", "ecdsa" or "rsa"

	clientCache, tickets, sessionCache bool // resumption

	renegotiation    machine.RenegotiationSupport // the client's policy
	allowClientReneg bool                         // the server's

	seed uint64 // Config.Rand of both sides
}

func (sc scenario) String() string {
	return fmt.Sprintf("%s group=%v omitCurve=%v bothCerts=%v alpn=%q/%q clientAuth=%d clientCert=%q cache=%v tickets=%v ids=%v reneg=%d/%v",
		sc.suite.Name, sc.group, sc.omitCurve, sc.bothCerts, sc.clientALPN, sc.serverALPN, sc.clientAuth, sc.clientCert,
		sc.clientCache, sc.tickets, sc.sessionCache, sc.renegotiation, sc.allowClientReneg)
}

var alpnProtocols = []string{"h2", "http/1.1", "x-a", "x-b"}

// drawScenario draws a configuration. With valid set it is one whose
// handshake the model predicts to succeed.
func drawScenario(t *rapid.T, valid bool) scenario {
	var sc scenario
	sc.suite = rapid.SampledFrom(machine.SupportedCipherSuites()).Draw(t, "suite")
	name := sc.suite.Name
	switch {
	case strings.HasPrefix(name, "TLS_ECDHE_"):
		sc.kx = "ECDHE"
	case strings.HasPrefix(name, "TLS_DHE_"):
		sc.kx = "DHE"
	default:
		sc.kx = "RSA"
	}
	sc.ecdsa = strings.Contains(name, "_ECDSA_")
	switch sc.kx {
	case "ECDHE":
		sc.group = rapid.SampledFrom([]machine.Group{machine.X25519, machine.CurveP256, machine.CurveP384}).Draw(t, "group")
		if sc.ecdsa && sc.group != machine.CurveP256 && !valid {
			sc.omitCurve = rapid.IntRange(0, 9).Draw(t, "omitCurve") == 9 // rarely: it ends the run
		}
	case "DHE":
		// The larger groups cost tens of milliseconds per handshake.
		sc.group = rapid.SampledFrom([]machine.Group{messages.GroupFFDHE2048, messages.GroupFFDHE2048,
			messages.GroupFFDHE2048, messages.GroupFFDHE3072, messages.GroupFFDHE4096}).Draw(t, "group")
	}
	sc.bothCerts = rapid.Bool().Draw(t, "bothCerts")

	alpn := rapid.SliceOfNDistinct(rapid.SampledFrom(alpnProtocols), 0, 3, rapid.ID[string])
	sc.clientALPN = alpn.Draw(t, "clientALPN")
	sc.serverALPN = alpn.Draw(t, "serverALPN")
	if valid && len(sc.clientALPN) > 0 && len(sc.serverALPN) > 0 && sc.alpn() == "" {
		sc.serverALPN = append(sc.serverALPN, sc.clientALPN[0])
	}

	sc.clientAuth = machine.ClientAuthType(rapid.IntRange(int(machine.NoClientCert), int(machine.RequireAndVerifyClientCert)).Draw(t, "clientAuth"))
	sc.clientCert = rapid.SampledFrom([]string{"", "ecdsa", "rsa"}).Draw(t, "clientCert")
	if valid && sc.clientCert == "" && sc.requiresCert() {
		sc.clientCert = "ecdsa"
	}

	sc.clientCache = rapid.Bool().Draw(t, "clientCache")
	sc.tickets = rapid.Bool().Draw(t, "tickets")
	sc.sessionCache = rapid.Bool().Draw(t, "sessionCache")

	sc.renegotiation = machine.RenegotiationSupport(rapid.IntRange(int(machine.RenegotiateNever), int(machine.RenegotiateFreelyAsClient)).Draw(t, "renegotiation"))
	sc.allowClientReneg = rapid.Bool().Draw(t, "allowClientReneg")
	sc.seed = rapid.Uint64().Draw(t, "seed")
	return sc
}

func (sc scenario) requiresCert() bool {
	return sc.clientAuth == machine.RequireAnyClientCert || sc.clientAuth == machine.RequireAndVerifyClientCert
}

// alpn is the protocol the server must choose (RFC 7301, Section 3.2: its
// own preference among the client's), or "".
func (sc scenario) alpn() string {
	if len(sc.clientALPN) == 0 || len(sc.serverALPN) == 0 {
		return ""
	}
	for _, p := range sc.serverALPN {
		if slices.Contains(sc.clientALPN, p) {
			return p
		}
	}
	return ""
}

// wantFailure is the alert the server must fail the first handshake with,
// if the configurations cannot agree, checked in the order the server
// meets the problems: no usable certificate, no common ALPN protocol, a
// required client certificate that is missing.
func (sc scenario) wantFailure() (machine.Alert, bool) {
	switch {
	case sc.omitCurve:
		return machine.AlertHandshakeFailure, true
	case len(sc.clientALPN) > 0 && len(sc.serverALPN) > 0 && sc.alpn() == "":
		return machine.AlertNoApplicationProtocol, true
	case sc.requiresCert() && sc.clientCert == "":
		return machine.AlertHandshakeFailure, true
	}
	return 0, false
}

// acceptsHelloRequest is the client's renegotiation policy after done
// completed renegotiations.
func (sc scenario) acceptsHelloRequest(done int) bool {
	switch sc.renegotiation {
	case machine.RenegotiateOnceAsClient:
		return done == 0
	case machine.RenegotiateFreelyAsClient:
		return true
	}
	return false
}

// configs builds fresh client and server configurations: seeded Rand, the
// fixed clock, and new caches.
func (sc scenario) configs() (client, server *machine.Config) {
	p := pki()
	client = &machine.Config{
		Rand:          seededRand(sc.seed, 1),
		Time:          fixedTime,
		RootCAs:       p.roots,
		ServerName:    serverName,
		CipherSuites:  []uint16{sc.suite.ID},
		NextProtos:    sc.clientALPN,
		Renegotiation: sc.renegotiation,
	}
	server = &machine.Config{
		Rand:                     seededRand(sc.seed, 2),
		Time:                     fixedTime,
		ClientAuth:               sc.clientAuth,
		ClientCAs:                p.roots,
		NextProtos:               sc.serverALPN,
		AllowClientRenegotiation: sc.allowClientReneg,
	}
	for _, s := range machine.SupportedCipherSuites() {
		server.CipherSuites = append(server.CipherSuites, s.ID)
	}
	switch sc.kx {
	case "ECDHE":
		client.Groups = []machine.Group{sc.group}
		if sc.ecdsa && sc.group != machine.CurveP256 && !sc.omitCurve {
			client.Groups = append(client.Groups, machine.CurveP256)
		}
		server.Groups = []machine.Group{sc.group}
	case "DHE":
		client.Groups = []machine.Group{sc.group}
		server.Groups = []machine.Group{sc.group}
	}
	switch {
	case sc.bothCerts:
		server.Certificates = []machine.Certificate{p.serverRSA, p.serverECDSA}
	case sc.ecdsa:
		server.Certificates = []machine.Certificate{p.serverECDSA}
	default:
		server.Certificates = []machine.Certificate{p.serverRSA}
	}
	switch sc.clientCert {
	case "ecdsa":
		client.Certificates = []machine.Certificate{p.clientECDSA}
	case "rsa":
		client.Certificates = []machine.Certificate{p.clientRSA}
	}
	if sc.clientCache {
		client.ClientSessionCache = clientCache{}
	}
	if sc.tickets {
		var k [32]byte
		copy(k[:], payload(32, sc.seed))
		server.TicketKeys = [][32]byte{k}
	}
	if sc.sessionCache {
		server.SessionCache = serverCache{}
	}
	return client, server
}

// serverLeaf is the certificate the server must present.
func (sc scenario) serverLeaf() []byte {
	if sc.ecdsa {
		return pki().ecdsaLeafRaw
	}
	return pki().rsaLeafRaw
}

// clientLeaf is the certificate the client presents when asked, or nil.
func (sc scenario) clientLeaf() []byte {
	switch sc.clientCert {
	case "ecdsa":
		return pki().clientECDSA.Chain[0]
	case "rsa":
		return pki().clientRSA.Chain[0]
	}
	return nil
}
