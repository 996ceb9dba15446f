package machine

// The lifecycle states: before and after a handshake the connection is in a
// state like the handshake ones, so the legality table (accepts) covers it
// too, and renegotiation starts from the connected state rather than from
// the dispatcher.

import "github.com/sanstls/sanstls/messages"

// helloRequestReceiver is implemented by the state that acts on a
// HelloRequest. The message is no part of any handshake (RFC 5246, Section
// 7.4.1.1): the client's handshake states accept it only to drop it.
type helloRequestReceiver interface {
	handleHelloRequest(c *Conn) error
}

var (
	clientAcceptsConnected = hts(messages.HandshakeTypeHelloRequest)
	serverAcceptsConnected = hts(messages.HandshakeTypeClientHello)
)

// clientConnected is a client between handshakes: application data flows,
// and a server's HelloRequest may start a renegotiation.
type clientConnected struct{}

func (clientConnected) accepts() []messages.HandshakeType { return clientAcceptsConnected }

// handle is never reached: a HelloRequest goes to handleHelloRequest.
func (clientConnected) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	return nil, wrapf(errUnexpectedMessage, "%v after the handshake", msg.Type())
}

// handleHelloRequest answers a HelloRequest that screenHandshake let
// through: a new ClientHello under the current keys, or a refusal.
func (clientConnected) handleHelloRequest(c *Conn) error {
	if c.closeSent {
		// After our close_notify we send nothing more (RFC 5246, Section
		// 7.2.1), so no handshake can start.
		return nil
	}
	if !c.cfg.acceptsHelloRequest(c.renegotiations) {
		return c.refuseRenegotiation()
	}
	if err := c.startClientRenegotiation(); err != nil {
		return err
	}
	return c.flush()
}

// serverConnected is a server between handshakes: application data flows,
// and a client's ClientHello may start a renegotiation.
type serverConnected struct{}

func (serverConnected) accepts() []messages.HandshakeType { return serverAcceptsConnected }

// handle starts a client-initiated renegotiation with the ClientHello that
// screenHandshake let through (it refuses the others before parsing).
func (st serverConnected) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	if c.closeSent || !c.cfg.AllowClientRenegotiation {
		c.handshakeRun = nil // the hello starts nothing
		if c.closeSent {
			return st, nil // nothing more goes out after our close_notify
		}
		return st, c.refuseRenegotiation()
	}
	c.beginRenegotiation()
	return (&serverExpectClientHello{}).handle(c, msg)
}

// closedState is terminal: the connection failed (either side's fatal
// alert, a truncated transport, a local abort). Every call returns the
// sticky error; no message is accepted.
type closedState struct{}

func (closedState) accepts() []messages.HandshakeType { return nil }

func (closedState) handle(c *Conn, msg messages.Message) (handshakeState, error) {
	return nil, c.err
}

// terminate stores the sticky error and enters closedState; it returns err.
func (c *Conn) terminate(err error) error {
	c.err = err
	c.enter(closedState{})
	return err
}

// connectedState is the state of a connection between handshakes.
func (c *Conn) connectedState() handshakeState {
	if c.isClient {
		return clientConnected{}
	}
	return serverConnected{}
}

// connected reports whether a handshake has completed and none runs.
func (c *Conn) connected() bool {
	switch c.state.(type) {
	case clientConnected, serverConnected:
		return true
	}
	return false
}

// handshaking reports whether st is a state of a running handshake, as
// opposed to a lifecycle state (nil before a client starts).
func handshaking(st handshakeState) bool {
	switch st.(type) {
	case nil, clientConnected, serverConnected, closedState:
		return false
	}
	return true
}

// declinable is implemented by the states that wait for the peer's answer
// to a renegotiation we asked for; a no_renegotiation warning there
// returns the connection to the connected state (RFC 5246, Sections 7.2.2
// and 7.4.1.1).
type declinable interface {
	awaitsAnswer() bool
}

// awaitsAnswer: our ClientHello is out.
func (clientExpectServerHello) awaitsAnswer() bool { return true }

// awaitsAnswer: our HelloRequest is out (not a client's own ClientHello).
func (st *serverExpectClientHello) awaitsAnswer() bool { return st.requested }

var (
	_ helloRequestReceiver = clientConnected{}
	_ declinable           = clientExpectServerHello{}
	_ declinable           = (*serverExpectClientHello)(nil)
)
