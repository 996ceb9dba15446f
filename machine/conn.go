package machine

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sanstls/sanstls/keys"
	"github.com/sanstls/sanstls/messages"
)

// MaxRecordLen is the largest TLS 1.2 record on the wire: a 5-byte header
// and 2^14+2048 bytes of ciphertext (RFC 5246 Section 6.2.3). A caller's
// receive buffer of this size can always hold one complete record.
const MaxRecordLen = messages.RecordHeaderLen + messages.MaxCiphertext

// Limits on what a peer can make us do without progress (the BoringSSL and Go
// values; security.md row 14).
const (
	maxWarningAlerts = 4 // in a row; empty records count in guard.go
)

// minRSABits is the smallest RSA modulus keys signs or decrypts with (RFC
// 9325, Section 4.5).
const minRSABits = 2048

// A Conn is one side of a TLS 1.2 connection. See the package documentation
// for the calling convention. It is not safe for concurrent use.
type Conn struct {
	cfg *Config

	recordLayer   // protection, reassembly and flush buffers (record.go)
	*handshakeRun // what lives only while a handshake runs; nil between handshakes

	// state is the current state: a handshake state, or the connected
	// state between handshakes (lifecycle.go); nil for a client before Start.
	state handshakeState
	dst   []byte // output of the method call in progress

	// The connection: its side and lifecycle flags, the sticky error, the
	// negotiated session, and the renegotiation counters.
	isClient                bool
	started, handshakeDone  bool
	closeSent, peerClosed   bool
	falseStarted            bool  // our Finished is out, the server's not yet (RFC 7918)
	renegotiating           bool  // a handshake after the first is running
	hsMore                  bool  // hsBuf holds bytes after the message being handled
	lastMsgLen              int32 // length of the received message being handled (last in transcript)
	maxHandshake, maxCertHS int32 // handshake message size caps (guard.go)
	err                     error
	events                  eventQueue
	clientFinished          [12]byte // verify_data of the last handshake (RFC 5746)
	serverFinished          [12]byte
	renegotiations          int     // completed renegotiations
	done                    secrets // of the last completed handshake: the exporter's (RFC 5705)
	suite                   *cipherSuite
	cs                      ConnectionState
	certs                   []Certificate // cfg.Certificates with every Leaf parsed
	guard                                 // input screening (guard.go)
	session                 *sessionLink  // forgotten after a fatal alert (forget.go)
}

// handshakeRun is the part of a Conn that only a running handshake uses.
// startRun creates it with the handshake's first message (sent or
// received) or by beginRenegotiation; completeHandshake, a declined
// renegotiation and a refused ClientHello drop it (the per-handshake data
// the states share lives in clientHandshake / serverHandshake, dropped
// with the states).
type handshakeRun struct {
	transcript  []byte           // handshake messages as sent and received, this handshake
	hcs         *ConnectionState // what this handshake negotiates: always &next, copied to c.cs at completion
	inCCSWindow bool             // between the peer's ChangeCipherSpec and Finished
	next        ConnectionState  // what hcs points to
	secrets                      // this handshake's randoms and master secret
}

// secrets are a handshake's randoms and master secret. The running
// handshake's (promoted from handshakeRun: c.clientRandom, c.masterSecret)
// become the connection's (c.done) at completion, so a declined
// renegotiation has nothing to restore.
type secrets struct {
	masterSecret []byte // never modified in place: shared with session states (currentSession, resumption)
	clientRandom [32]byte
	serverRandom [32]byte
}

// runAndBuffers is what startRun allocates: the run with the starting
// transcript and flight buffer in the same object.
type runAndBuffers struct {
	handshakeRun
	buf [transcriptCap + flightCap]byte
}

// startRun creates the running handshake's state if there is none. The
// transcript and (when none is queued) the flight buffer start in the
// same allocation, each with its own capacity (three-index slices), so
// neither can grow into the other: one that outgrows its part moves to a
// new array.
func (c *Conn) startRun() {
	if c.handshakeRun != nil {
		return
	}
	r := new(runAndBuffers)
	c.handshakeRun = &r.handshakeRun
	c.transcript = r.buf[:0:transcriptCap]
	if c.hsOut == nil {
		c.hsOut = r.buf[transcriptCap:transcriptCap:len(r.buf)]
	}
	// Every handshake negotiates into its own ConnectionState, which
	// completeHandshake copies over the connection's: a renegotiation leaves
	// the connection's as it is until then, and a declined one just drops
	// it.
	c.hcs = &r.next
	if !c.handshakeDone {
		return
	}
	// ALPN was settled by the first handshake (a renegotiating client does
	// not offer it), so it carries over.
	r.next.NegotiatedProtocol = c.cs.NegotiatedProtocol
}

// ConnectionState describes a connection after its handshake.
// Its slices and certificates may be shared with other connections (that
// resumed the same session, or met the same chain through a CertCache): read
// them, never modify them.
type ConnectionState struct {
	Version              uint16
	HandshakeComplete    bool
	CipherSuite          uint16
	Group                Group
	SignatureScheme      SignatureScheme // used by the peer to sign its handshake
	NegotiatedProtocol   string          // ALPN; "" if none
	ServerName           string          // SNI the client sent
	PeerCertificates     []*x509.Certificate
	VerifiedChains       [][]*x509.Certificate
	OCSPResponse         []byte
	DidResume            bool
	ExtendedMasterSecret bool
	SecureRenegotiation  bool
	Renegotiations       int // completed renegotiations on this connection
	// TLSUnique is the tls-unique channel binding (RFC 5929, Section 3.1)
	// of the latest handshake; nil after a resumption without extended
	// master secret, where it does not identify the connection (RFC 7627,
	// Section 1: the "triple handshake" attack).
	TLSUnique []byte
	// RequestedCAs (client) are the DistinguishedNames the server's
	// CertificateRequest listed, DER-encoded; nil without one.
	RequestedCAs [][]byte
	// SignedCertificateTimestamps (client) are the SCTs the server sent
	// (RFC 6962, Section 3.3.1), those of the original handshake when
	// resuming; nil when none were asked for or sent.
	SignedCertificateTimestamps [][]byte
}

// Client returns a client Conn. Call Start to produce its ClientHello.
//
// Unless InsecureSkipVerify or DeferVerify is set, cfg.ServerName must name
// the server: it is what the certificate is checked against.
func Client(cfg *Config) (*Conn, error) {
	if cfg != nil && cfg.ServerName == "" && !cfg.InsecureSkipVerify && !cfg.DeferVerify {
		return nil, errNoServerName
	}
	return newConn(cfg, true)
}

// Server returns a server Conn, waiting for a ClientHello.
func Server(cfg *Config) (*Conn, error) {
	c, err := newConn(cfg, false)
	if err != nil {
		return nil, err
	}
	c.started = true
	c.enter(&serverExpectClientHello{})
	return c, nil
}

func newConn(cfg *Config, isClient bool) (*Conn, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := cfg.checkFeatures(); err != nil {
		return nil, err
	}
	c := &Conn{cfg: cfg, isClient: isClient, certs: cfg.Certificates}
	// The Config may be shared by concurrent Conns, so missing leaves are
	// parsed into a private copy (set Certificate.Leaf to avoid this cost).
	for i, cert := range cfg.Certificates {
		if cert.Leaf != nil {
			continue
		}
		if &c.certs[0] == &cfg.Certificates[0] { // still shared: copy once
			c.certs = slices.Clone(cfg.Certificates)
		}
		if len(cert.Chain) == 0 {
			return nil, errors.New("sanstls: Certificate with an empty chain")
		}
		leaf, err := x509.ParseCertificate(cert.Chain[0])
		if err != nil {
			return nil, err
		}
		c.certs[i].Leaf = leaf
	}
	for _, cert := range c.certs {
		// keys refuses RSA moduli under 2048 bits (RFC 9325, Section
		// 4.5): such a certificate would fail mid-handshake with
		// internal_error, after the peer has seen it.
		if k, ok := cert.Leaf.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("sanstls: certificate RSA key has %d bits, want at least %d", k.N.BitLen(), minRSABits)
		}
	}
	c.maxHandshake = int32(min(cfg.maxHandshake(), 1<<28)) // Certificate: 4 times this
	c.maxCertHS = c.maxHandshake
	if cfg.MaxHandshakeSize == 0 {
		c.maxCertHS = 4 * c.maxHandshake // certificate chains run large
	}
	return c, nil
}

// Start begins a client handshake, appending the ClientHello record to dst.
func (c *Conn) Start(dst []byte) ([]byte, error) {
	if c.err != nil {
		return dst, c.err
	}
	if !c.isClient || c.started {
		return dst, ErrWrongState
	}
	c.started = true
	c.dst = dst
	c.startRun()
	next, err := clientStart(c)
	return c.finish(next, err)
}

// finish ends a method call that advanced the handshake: it installs the
// next state, flushes queued handshake bytes, and returns the output.
func (c *Conn) finish(next handshakeState, err error) ([]byte, error) {
	if err == nil {
		c.enter(next)
		err = c.flush()
	}
	if err != nil {
		err = c.fail(err)
	}
	return c.takeOutput(), err
}

// enter makes next the current state. Every change of state goes through
// it.
func (c *Conn) enter(next handshakeState) { c.state = next }

// takeOutput ends a method call: it returns the output built in c.dst and
// forgets it.
func (c *Conn) takeOutput() []byte {
	out := c.dst
	c.dst = nil
	return out
}

// NextEvent pops the next queued event; Kind is EventNone when none is left.
func (c *Conn) NextEvent() Event { return c.events.pop() }

// NeedBytes returns how many more bytes the partial record left unconsumed by
// the last Receive needs before it can be processed (0 if unknown).
func (c *Conn) NeedBytes() int { return int(c.need) }

// HandshakeComplete reports whether a handshake has completed.
func (c *Conn) HandshakeComplete() bool { return c.handshakeDone }

// State returns the negotiated parameters (valid after EventHandshakeDone).
// During a renegotiation it reports the last completed handshake. Before
// the first handshake completes it reports what that handshake has
// negotiated so far (a client that false-started, or an error handler
// looking at the chain that failed verification, reads it there).
func (c *Conn) State() ConnectionState { return *c.negotiated() }

// negotiated is the ConnectionState State reports: the connection's once a
// handshake has completed, the running first handshake's before.
func (c *Conn) negotiated() *ConnectionState {
	if !c.handshakeDone && c.handshakeRun != nil {
		return c.hcs
	}
	return &c.cs
}

// Err returns the sticky fatal error, or nil.
func (c *Conn) Err() error { return c.err }

// Receive consumes complete records from the front of in, decrypting them in
// place, and appends any bytes to send to dst. It returns the number of bytes
// consumed; the caller keeps in[n:] and presents it again, with more bytes,
// on the next call. Receive stops as soon as an event is queued, so that
// EventAppData can alias in; drain NextEvent before calling it again.
func (c *Conn) Receive(dst, in []byte) (out []byte, n int, err error) {
	if c.err != nil {
		return dst, 0, c.err
	}
	if !c.started {
		return dst, 0, ErrWrongState
	}
	c.dst = dst
	c.need = 0
	for c.err == nil && c.events.size == 0 && !c.awaiting() {
		rest := in[n:]
		if len(rest) > 0 && c.peerClosed {
			err = ErrClosed
			break
		}
		hdr, ok := messages.ParseRecordHeader(rest)
		if !ok {
			c.need = int32(messages.RecordHeaderLen - len(rest))
			break
		}
		if herr := c.checkHeader(hdr); herr != nil {
			err = c.fail(herr)
			break
		}
		total := messages.RecordHeaderLen + int(hdr.Length)
		if len(rest) < total {
			c.need = int32(total - len(rest))
			break
		}
		n += total
		if rerr := c.handleRecord(hdr, rest[messages.RecordHeaderLen:total]); rerr != nil {
			err = c.fail(rerr)
			break
		}
	}
	if err == nil && c.awaiting() && n == 0 && c.events.size == 0 {
		err = ErrPending
	}
	out = c.dst
	c.dst = nil
	if c.err != nil {
		err = c.err
	}
	return out, n, err
}

// checkHeader applies the record-layer rules that need only the header.
func (c *Conn) checkHeader(h messages.RecordHeader) error {
	if !c.versionKnown {
		// A plaintext HTTP request sent to a TLS port: say so.
		head := string([]byte{byte(h.Type), byte(h.Version >> 8), byte(h.Version), byte(h.Length >> 8), byte(h.Length)})
		for _, m := range []string{"GET /", "POST ", "HEAD ", "PUT /", "CONNE"} {
			if head == m {
				return errHTTPRequest
			}
		}
	}
	// The version is checked first: bytes that are not TLS at all get
	// protocol_version rather than a guess about their content type.
	if h.Version>>8 != 3 || (c.versionKnown && h.Version != messages.VersionTLS12) {
		return errBadRecordVersion
	}
	switch h.Type {
	case messages.ContentTypeChangeCipherSpec, messages.ContentTypeAlert,
		messages.ContentTypeHandshake, messages.ContentTypeApplicationData:
	default:
		// RFC 5246, Section 6: "If a TLS implementation receives an
		// unexpected record type, it MUST send an unexpected_message alert."
		return errUnknownContentType
	}
	// RFC 5246, Sections 6.2.1 and 6.2.3: 2^14 bytes of plaintext, 2^14+2048
	// of ciphertext.
	if c.in == nil && int(h.Length) > messages.MaxPlaintext {
		return errRecordOverflow
	}
	if int(h.Length) > messages.MaxCiphertext {
		return errCiphertextTooLong
	}
	return nil
}

func (c *Conn) handleRecord(hdr messages.RecordHeader, frag []byte) error {
	payload := frag
	if c.in != nil {
		pt, err := c.in.Open(uint8(hdr.Type), hdr.Version, frag)
		if err != nil {
			if err == keys.ErrSequenceExhausted {
				return errSeqExhausted
			}
			return errBadRecordMAC
		}
		if len(pt) > messages.MaxPlaintext {
			return errRecordOverflow
		}
		payload = pt
	}
	if len(payload) == 0 {
		// RFC 5246, Section 6.2.1: zero-length fragments of Handshake, Alert
		// or ChangeCipherSpec MUST NOT be sent. Empty application data is
		// allowed, but a run of them is a denial of service.
		if hdr.Type != messages.ContentTypeApplicationData {
			return errEmptyHandshake
		}
		if err := c.countNoProgress(errTooManyEmpty); err != nil {
			return err
		}
	}
	if hdr.Type != messages.ContentTypeAlert {
		c.warnRun = 0
	}
	switch hdr.Type {
	case messages.ContentTypeHandshake:
		return c.handleHandshakeBytes(payload)
	case messages.ContentTypeChangeCipherSpec:
		return c.handleCCS(payload)
	case messages.ContentTypeAlert:
		return c.handleAlert(payload)
	default:
		return c.handleAppData(payload)
	}
}

func (c *Conn) handleAppData(p []byte) error {
	// Application data is accepted only after the peer's Finished has been
	// verified: never in the first handshake, and never between
	// ChangeCipherSpec and Finished.
	if !c.handshakeDone || c.handshakeRun != nil && c.inCCSWindow {
		return errUnexpectedAppData
	}
	if len(c.hsBuf) > 0 {
		return errAppDataInHandshakeMsg
	}
	if len(p) > 0 {
		c.progressed()
		c.events.push(Event{Kind: EventAppData, Data: p})
	}
	return nil
}

func (c *Conn) handleAlert(p []byte) error {
	// Alerts are never fragmented or coalesced by real stacks; a record that
	// is not exactly one alert is rejected (as BoringSSL does).
	if len(p) != 2 {
		return errBadAlert
	}
	a, err := messages.ParseAlert(p)
	if err != nil {
		return err
	}
	c.trace(false, messages.ContentTypeAlert, p)
	if a.Level == messages.AlertLevelFatal {
		c.forgetSession()
		return c.terminate(&AlertError{Alert: a.Description, Remote: true})
	}
	if a.Description == messages.AlertCloseNotify && !c.handshakeDone {
		// The peer gave up before the handshake finished: that is not a
		// clean end of a connection that never carried data.
		return c.terminate(&AlertError{Alert: a.Description, Remote: true})
	}
	if a.Description == messages.AlertCloseNotify {
		// RFC 5246, Section 7.2.1: the peer will send nothing more.
		c.peerClosed = true
		c.events.push(Event{Kind: EventPeerClosed})
		return nil
	}
	if c.warnRun++; c.warnRun > maxWarningAlerts {
		return errTooManyWarnings
	}
	if err := c.countNoProgress(errTooManyWarnings); err != nil {
		return err
	}
	if a.Description == messages.AlertNoRenegotiation && c.renegotiating {
		// The peer declined the renegotiation we asked for (RFC 5246,
		// Sections 7.2.2 and 7.4.1.1): the connection goes on as it was.
		if st, ok := c.state.(declinable); ok && st.awaitsAnswer() {
			c.abandonRenegotiation()
		}
	}
	c.events.push(Event{Kind: EventWarningAlert, Alert: a.Description})
	return nil
}

func (c *Conn) handleCCS(p []byte) error {
	st, ok := c.state.(ccsReceiver)
	if !ok {
		return errUnexpectedCCS
	}
	// A ChangeCipherSpec must fall between handshake messages
	// (CVE-2014-0224): no fragment may be buffered.
	if len(c.hsBuf) > 0 {
		return errCCSWithPartial
	}
	if len(p) != 1 || p[0] != 1 {
		return errBadCCS
	}
	c.trace(false, messages.ContentTypeChangeCipherSpec, p)
	next, err := st.handleCCS(c)
	if err != nil {
		return err
	}
	c.in, c.pendingIn = c.pendingIn, nil
	c.inCCSWindow = true
	c.enter(next)
	return nil
}

// handleHandshakeBytes reassembles handshake messages from record payloads.
func (c *Conn) handleHandshakeBytes(p []byte) error {
	c.hsBuf = append(c.hsBuf, p...)
	return c.processHandshakeBuffer()
}

func (c *Conn) processHandshakeBuffer() error {
	// Messages are taken from an offset and the buffer compacted once, so a
	// record of many small messages costs linear time. No parsed message
	// aliases the buffer (handleMessage parses a copy).
	off := 0
	defer func() {
		c.hsBuf = c.hsBuf[:copy(c.hsBuf, c.hsBuf[off:])]
		if len(c.hsBuf) == 0 && (cap(c.hsBuf) > 1<<15 || !handshaking(c.state)) {
			c.hsBuf = nil // keep no large buffer, and none between handshakes
		}
	}()
	for !c.awaiting() && c.err == nil {
		typ, length, ok := messages.ParseHandshakeHeader(c.hsBuf[off:])
		if !ok {
			return nil
		}
		total := messages.HandshakeHeaderLen + length
		var whole []byte
		if len(c.hsBuf)-off >= total {
			whole = c.hsBuf[off : off+total]
		}
		skip, err := c.screenHandshake(typ, length, c.hsBuf[off:off+messages.HandshakeHeaderLen], whole)
		if err != nil {
			return err
		}
		if skip {
			off += total // refused or ignored without parsing
			continue
		}
		if len(c.hsBuf)-off < total {
			return nil
		}
		raw := c.hsBuf[off : off+total : off+total]
		off += total
		c.hsMore = len(c.hsBuf) > off
		if err := c.handleMessage(raw); err != nil {
			return err
		}
	}
	return nil
}

func (c *Conn) handleMessage(raw []byte) error {
	c.trace(false, messages.ContentTypeHandshake, raw)
	// raw aliases the reassembly buffer, which is reused. A message that
	// joins the transcript is parsed from its copy there, which is only
	// ever appended to; a HelloRequest, which joins none (RFC 5246,
	// Section 7.4.1.1), is copied first.
	inTranscript := messages.HandshakeType(raw[0]) != messages.HandshakeTypeHelloRequest
	if inTranscript {
		c.startRun()
		start := len(c.transcript)
		c.addTranscript(raw)
		raw = c.transcript[start:len(c.transcript):len(c.transcript)]
	} else {
		raw = bytes.Clone(raw)
	}
	msg, err := messages.Parse(raw)
	if err != nil {
		return err
	}
	if _, ok := msg.(*messages.HelloRequest); ok {
		// A running handshake ignores it; the connected state may start a
		// renegotiation.
		if st, ok := c.state.(helloRequestReceiver); ok {
			return st.handleHelloRequest(c)
		}
		return nil
	}
	c.lastMsgLen = int32(len(raw))
	next, err := c.state.handle(c, msg)
	if err != nil {
		return err
	}
	c.progressed()
	c.enter(next)
	// A message that ends the peer's flight (we answer it, or it completes
	// the handshake) must end the bytes the peer sent in that flight too:
	// leftovers would be processed under the wrong keys or state.
	if (len(c.hsOut) > 0 || !handshaking(next)) && c.hsMore {
		return errExcessHandshakeData
	}
	return c.flush()
}

// Renegotiate starts a new handshake on an established connection (RFC
// 5246, Section 7.4.1.1; RFC 5746): a client sends a ClientHello, a server
// sends HelloRequest (the client may refuse with a warning, which the
// server then sees as EventWarningAlert). Application data keeps flowing
// under the old keys until ChangeCipherSpec; EventHandshakeDone reports the
// end of each renegotiation.
func (c *Conn) Renegotiate(dst []byte) ([]byte, error) {
	if c.err != nil {
		return dst, c.err
	}
	if !c.connected() || c.closeSent || c.peerClosed {
		return dst, ErrWrongState
	}
	c.dst = dst
	var err error
	if c.isClient {
		err = c.startClientRenegotiation()
	} else {
		var raw []byte
		if raw, err = (&messages.HelloRequest{}).Marshal(); err == nil {
			c.trace(true, messages.ContentTypeHandshake, raw)
			// Not part of any transcript (RFC 5246, Section 7.4.1.1).
			c.hsOut = append(c.hsOut, raw...)
			c.beginRenegotiation()
			c.enter(&serverExpectClientHello{requested: true})
		}
	}
	if err == nil {
		err = c.flush()
	}
	if err != nil {
		err = c.fail(err)
	}
	return c.takeOutput(), err
}

// beginRenegotiation resets the per-handshake state for a new handshake on
// this connection.
func (c *Conn) beginRenegotiation() {
	c.renegotiating = true
	c.startRun() // a client's ClientHello may already have started it
}

// abandonRenegotiation returns to the connection as it was before a
// declined renegotiation: dropping the run is all it takes.
func (c *Conn) abandonRenegotiation() {
	c.enter(c.connectedState())
	c.renegotiating = false
	c.handshakeRun = nil // with our ClientHello, if we sent one
}

// renegotiationInfo is the ServerHello's renegotiated_connection: empty
// first, then client_verify_data || server_verify_data (RFC 5746, Section
// 3.5).
func (c *Conn) renegotiationInfo() []byte {
	if !c.renegotiating {
		return nil
	}
	return append(append([]byte{}, c.clientFinished[:]...), c.serverFinished[:]...)
}

// startClientRenegotiation sends a new ClientHello under the current keys.
func (c *Conn) startClientRenegotiation() error {
	c.beginRenegotiation()
	next, err := clientStart(c)
	if err != nil {
		return err
	}
	c.enter(next)
	return nil
}

// refuseRenegotiation answers a renegotiation attempt with a warning
// no_renegotiation alert (RFC 5246 Section 7.2.2; RFC 5746 Section 4.2).
func (c *Conn) refuseRenegotiation() error {
	return c.writeAlert(messages.AlertLevelWarning, messages.AlertNoRenegotiation)
}

// ReceiveEOF tells the machine the transport has ended. It returns nil after
// the peer's close_notify and ErrTruncated otherwise (which is fatal).
func (c *Conn) ReceiveEOF() error {
	if c.peerClosed {
		return nil
	}
	if c.err != nil {
		return c.err
	}
	return c.terminate(ErrTruncated)
}

// Send seals p as application data records, appended to dst. It fails with
// ErrNotReady before the handshake completes and ErrClosed after Close.
func (c *Conn) Send(dst, p []byte) ([]byte, error) {
	if c.err != nil {
		return dst, c.err
	}
	if !c.handshakeDone && !c.falseStarted {
		return dst, ErrNotReady // during a renegotiation the old keys carry data
	}
	if c.closeSent {
		return dst, ErrClosed
	}
	if err := c.checkKeyLimit(len(p)); err != nil {
		return dst, err
	}
	c.dst = dst
	max := c.cfg.maxSendFragment()
	for len(p) > 0 {
		chunk := p
		if len(chunk) > max {
			chunk = chunk[:max]
		}
		if err := c.writeRecord(messages.ContentTypeApplicationData, chunk); err != nil {
			err = c.fail(err)
			return c.takeOutput(), err
		}
		p = p[len(chunk):]
	}
	return c.takeOutput(), nil
}

// Close appends a close_notify alert to dst (once; later calls append
// nothing). After a fatal error it appends nothing.
func (c *Conn) Close(dst []byte) []byte {
	if c.err != nil || c.closeSent || !c.started {
		return dst
	}
	c.closeSent = true
	c.dst = dst
	if err := c.writeAlert(messages.AlertLevelWarning, messages.AlertCloseNotify); err != nil {
		c.terminate(err)
	}
	return c.takeOutput()
}

// ResolveVerify answers EventVerifyPeer: verr nil accepts the peer's chain,
// anything else aborts the handshake (with bad_certificate, or the alert of
// an *AlertError). Output produced by resuming the handshake is appended to
// dst.
func (c *Conn) ResolveVerify(dst []byte, verr error) ([]byte, error) {
	return c.ResolveVerifyChains(dst, nil, verr)
}

// ResolveVerifyChains is ResolveVerify that also records the chains the
// caller verified (see Config.VerifyPeerCerts) for State().VerifiedChains.
// A client session is marked verified, and so resumable by a Config that
// verifies, only when chains were given.
func (c *Conn) ResolveVerifyChains(dst []byte, chains [][]*x509.Certificate, verr error) ([]byte, error) {
	if c.err != nil {
		return dst, c.err
	}
	aw, ok := c.state.(*awaitVerify)
	if !ok {
		return dst, ErrWrongState
	}
	if verr == nil {
		c.hcs.VerifiedChains = chains
	}
	c.dst = dst
	next, err := aw.resolve(c, verr)
	if err == nil {
		c.enter(next)
		err = c.flush()
	}
	if err == nil {
		err = c.processHandshakeBuffer()
	}
	if err != nil {
		err = c.fail(err)
	}
	return c.takeOutput(), err
}

// fail makes the connection terminal: it appends the fatal alert for err to
// the output and stores the sticky error. It is the only place that sends a
// fatal alert.
func (c *Conn) fail(err error) error {
	if c.err != nil {
		return c.err
	}
	c.forgetSession() // RFC 5246, Section 7.2.2
	if ae, ok := err.(*AlertError); ok && ae.Remote {
		return c.terminate(ae)
	}
	ae := &AlertError{Alert: alertFor(err), Err: err, Reason: ReasonOf(err)}
	c.hsOut = c.hsOut[:0]
	_ = c.writeAlert(messages.AlertLevelFatal, ae.Alert)
	return c.terminate(ae)
}

// now returns the configured time.
func (c *Conn) now() time.Time { return c.cfg.Time() }
