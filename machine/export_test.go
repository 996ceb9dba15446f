package machine

// Internals the external tests read (the legality table of docs/states.md).

import (
	"fmt"
	"strings"

	"github.com/sanstls/sanstls/messages"
)

// StateName names c's current state (its type), "idle" for a client before
// Start.
func StateName(c *Conn) string {
	if c.state == nil {
		return "idle"
	}
	return stateName(c.state)
}

func stateName(st handshakeState) string {
	n := fmt.Sprintf("%T", st)
	return strings.TrimPrefix(strings.TrimPrefix(n, "*"), "machine.")
}

// LegalityRow is one state of the legality table: which handshake message
// types the dispatcher lets through to it, and whether it takes the peer's
// ChangeCipherSpec.
type LegalityRow struct {
	Client  bool
	State   string
	Accepts []messages.HandshakeType
	CCS     bool
}

// allHandshakeTypes are the types the table is asked about.
var allHandshakeTypes = []messages.HandshakeType{
	messages.HandshakeTypeHelloRequest, messages.HandshakeTypeClientHello, messages.HandshakeTypeServerHello,
	messages.HandshakeTypeNewSessionTicket, messages.HandshakeTypeCertificate, messages.HandshakeTypeServerKeyExchange,
	messages.HandshakeTypeCertificateRequest, messages.HandshakeTypeServerHelloDone, messages.HandshakeTypeCertificateVerify,
	messages.HandshakeTypeClientKeyExchange, messages.HandshakeTypeFinished, messages.HandshakeTypeCertificateStatus,
}

// LegalityTable asks the dispatcher (acceptsHandshakeType, handleCCS's
// test) about every state of both sides, so the table shows what the code
// does, not a copy of it.
func LegalityTable() []LegalityRow {
	states := []struct {
		client bool
		st     handshakeState
	}{
		{true, &clientExpectServerHello{}},
		{true, &clientExpectCertificate{}},
		{true, &clientExpectServerKeyExchange{}},
		{true, &clientExpectServerHelloDone{}},
		{true, &clientExpectCCS{}},
		{true, &clientExpectFinished{}},
		{true, clientConnected{}},
		{true, &awaitVerify{}},
		{false, &serverExpectClientHello{}},
		{false, &serverExpectClientCertificate{}},
		{false, &serverExpectClientKeyExchange{}},
		{false, &serverExpectCertificateVerify{}},
		{false, &serverExpectCCS{}},
		{false, &serverExpectFinished{}},
		{false, serverConnected{}},
		{false, &awaitVerify{}},
		{true, closedState{}},
		{false, closedState{}},
	}
	var rows []LegalityRow
	for _, s := range states {
		c := &Conn{isClient: s.client, state: s.st}
		row := LegalityRow{Client: s.client, State: StateName(c)}
		for _, t := range allHandshakeTypes {
			if c.acceptsHandshakeType(t) {
				row.Accepts = append(row.Accepts, t)
			}
		}
		_, row.CCS = s.st.(ccsReceiver)
		rows = append(rows, row)
	}
	return rows
}
