package machine

import (
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"

	"github.com/sanstls/sanstls/keys"
	"github.com/sanstls/sanstls/messages"
)

// handshakeState is one state of a handshake: it accepts exactly the
// message(s) that may come next and returns the state after it. States do no
// I/O: they queue messages with Conn.writeHandshake. The received message is
// already in c.transcript when handle runs; its length is c.lastMsgLen, so
// c.transcript[:len(c.transcript)-c.lastMsgLen] is what precedes it.
type handshakeState interface {
	// accepts lists the handshake message types the state takes (RFC
	// 5246, Section 7.3). The dispatcher refuses any other type with
	// unexpected_message on its header, before the body is buffered or
	// parsed, so handle only ever sees one of these. The lists are the
	// legality table; docs/states.md is generated from them.
	accepts() []messages.HandshakeType
	handle(c *Conn, msg messages.Message) (handshakeState, error)
}

// hts is shorthand for the accepts lists.
func hts(ts ...messages.HandshakeType) []messages.HandshakeType { return ts }

// ccsReceiver is implemented by the states in which the peer's
// ChangeCipherSpec is expected (RFC 5246, Section 7.1).
type ccsReceiver interface {
	handleCCS(c *Conn) (handshakeState, error)
}

// expect asserts that msg has the type the state waits for; any other
// message is unexpected_message (the SMACK/SKIP class of attacks).
func expect[T messages.Message](msg messages.Message) (T, error) {
	m, ok := msg.(T)
	if !ok {
		var zero T
		return zero, wrapf(errUnexpectedMessage, "got %v, want %v", msg.Type(), zero.Type())
	}
	return m, nil
}

// awaitVerify is the handshake paused on Config.DeferVerify: the peer's
// chain went out in EventVerifyPeer, and ResolveVerify brings the verdict.
// Receive feeds it no message.
type awaitVerify struct {
	then handshakeState   // the state that goes on once the chain is accepted
	msg  messages.Message // the message then handles first, or nil
}

func (*awaitVerify) accepts() []messages.HandshakeType { return nil }

func (*awaitVerify) handle(*Conn, messages.Message) (handshakeState, error) {
	return nil, errUnexpectedMessage
}

// deferVerify pauses the handshake for the caller's verdict on pc.
func (c *Conn) deferVerify(pc *PeerCerts, then handshakeState, msg messages.Message) handshakeState {
	c.events.push(Event{Kind: EventVerifyPeer, Peer: pc})
	return &awaitVerify{then: then, msg: msg}
}

// resolve applies the caller's verdict: a refusal is fatal, an acceptance
// goes on in the state that was waiting.
func (st *awaitVerify) resolve(c *Conn, verr error) (handshakeState, error) {
	if verr != nil {
		return nil, callerVerifyError(verr)
	}
	if st.msg == nil {
		return st.then, nil
	}
	return st.then.handle(c, st.msg)
}

// awaiting reports whether the handshake waits for ResolveVerify.
func (c *Conn) awaiting() bool {
	_, ok := c.state.(*awaitVerify)
	return ok
}

// transcriptHash hashes the handshake messages so far, minus the last
// `exclude` bytes (the message being handled, when it must not be covered),
// into dst.
func (c *Conn) transcriptHash(dst *[64]byte, h crypto.Hash, exclude int) []byte {
	data := c.transcript[:len(c.transcript)-exclude]
	// One-shot sums need no hash state on the heap.
	switch h {
	case crypto.SHA256:
		*(*[32]byte)(dst[:32]) = sha256.Sum256(data)
		return dst[:32]
	case crypto.SHA384:
		*(*[48]byte)(dst[:48]) = sha512.Sum384(data)
		return dst[:48]
	}
	d := h.New()
	d.Write(data)
	// Sum into a fresh slice, not dst: through the interface dst would
	// escape, and every caller's stack array with it.
	return dst[:copy(dst[:], d.Sum(nil))]
}

// finishedVerified is a proof token: only verifyFinished creates one, and
// the handshake can only complete with it (rustls's FinishedMessageVerified).
type finishedVerified struct{ _ byte }

// verifyFinished checks the peer's Finished (RFC 5246, Section 7.4.9) in
// constant time. The Finished message itself is the last transcript entry
// and is not covered.
func (c *Conn) verifyFinished(m *messages.Finished) (finishedVerified, error) {
	var th [64]byte
	var want [12]byte
	keys.FinishedVerifyDataTo(&want, c.suite.hash, c.masterSecret, !c.isClient, c.transcriptHash(&th, c.suite.hash, int(c.lastMsgLen)))
	if len(m.VerifyData) != len(want) {
		return finishedVerified{}, errBadFinishedLength
	}
	if subtle.ConstantTimeCompare(m.VerifyData, want[:]) != 1 {
		return finishedVerified{}, errFinishedMismatch
	}
	if c.isClient {
		c.serverFinished = want
	} else {
		c.clientFinished = want
	}
	return finishedVerified{}, nil
}

// writeFinished queues our Finished over the transcript so far.
func (c *Conn) writeFinished() error {
	var th [64]byte
	vd := &c.serverFinished
	if c.isClient {
		vd = &c.clientFinished
	}
	keys.FinishedVerifyDataTo(vd, c.suite.hash, c.masterSecret, c.isClient, c.transcriptHash(&th, c.suite.hash, 0))
	return c.writeFinishedMessage(messages.Finished{VerifyData: vd[:]})
}

// writeCCSAndFinished ends our flight: ChangeCipherSpec, then Finished
// under the new keys.
func (c *Conn) writeCCSAndFinished() error {
	if err := c.writeCCS(); err != nil {
		return err
	}
	return c.writeFinished()
}

// computeMasterSecret derives the master secret, extended (RFC 7627 Section
// 4: over the session hash up to and including ClientKeyExchange) when
// negotiated.
func (c *Conn) computeMasterSecret(preMaster []byte, ems bool) {
	if ems {
		var th [64]byte
		c.masterSecret = keys.ExtendedMasterSecret(c.suite.hash, preMaster, c.transcriptHash(&th, c.suite.hash, 0))
	} else {
		c.masterSecret = keys.MasterSecret(c.suite.hash, preMaster, c.clientRandom[:], c.serverRandom[:])
	}
	clear(preMaster)
	c.logKey()
}

// logKey writes the NSS key log line for this handshake, if asked to.
func (c *Conn) logKey() {
	w := c.cfg.KeyLogWriter
	if w == nil {
		return
	}
	line := make([]byte, 0, 13+64+1+96+1)
	line = append(line, "CLIENT_RANDOM "...)
	line = hex.AppendEncode(line, c.clientRandom[:])
	line = append(line, ' ')
	line = hex.AppendEncode(line, c.masterSecret)
	line = append(line, '\n')
	_, _ = w.Write(line)
}

// completeHandshake switches the connection to application data and
// returns the connected state.
func (c *Conn) completeHandshake(_ finishedVerified) handshakeState {
	if c.renegotiating {
		c.renegotiations++
		c.renegotiating = false
	}
	c.cs = *c.hcs // ConnectionState is built here, once per handshake
	c.done = c.secrets
	c.handshakeRun = nil
	c.handshakeDone = true
	c.cs.HandshakeComplete = true
	c.cs.Version = messages.VersionTLS12
	c.cs.CipherSuite = c.suite.id
	c.cs.Renegotiations = c.renegotiations
	c.cs.TLSUnique = c.tlsUnique()
	done := Event{Kind: EventHandshakeDone}
	if c.cfg.DropPeerCertificates {
		done.Peer = c.handOutPeerCertificates()
	}
	c.events.push(done)
	return c.connectedState()
}

// handOutPeerCertificates implements Config.DropPeerCertificates: the
// peer's chain leaves ConnectionState and is returned, for the
// EventHandshakeDone that reports it once. A client that may renegotiate
// keeps the leaf, which the next handshake must present again.
func (c *Conn) handOutPeerCertificates() *PeerCerts {
	certs := c.cs.PeerCertificates
	if len(certs) == 0 {
		return nil
	}
	pc := &PeerCerts{Certificates: certs, Chain: make([][]byte, len(certs)), ServerName: c.cs.ServerName,
		OCSP: c.cs.OCSPResponse, IsClient: c.isClient}
	for i, cert := range certs {
		pc.Chain[i] = cert.Raw
	}
	c.cs.PeerCertificates, c.cs.VerifiedChains = nil, nil
	if c.isClient && c.cfg.Renegotiation != RenegotiateNever {
		c.cs.PeerCertificates = certs[:1:1]
	}
	return pc
}

// ExportKeyingMaterial derives keying material per RFC 5705. It requires a
// completed handshake with extended master secret (RFC 7627 Section 5.4).
func (c *Conn) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	if (!c.handshakeDone && !c.falseStarted) || c.renegotiating {
		// Mid-renegotiation the randoms and master secret are no longer
		// those of one handshake.
		return nil, ErrNotReady
	}
	if !c.negotiated().ExtendedMasterSecret { // a false start's is in the running handshake
		return nil, errExporterNeedsEMS
	}
	s := &c.done
	if !c.handshakeDone { // a false start: the running handshake's
		s = &c.secrets
	}
	return keys.ExportKeyingMaterial(c.suite.hash, s.masterSecret, s.clientRandom[:], s.serverRandom[:], label, context, context != nil, length)
}
