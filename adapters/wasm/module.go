package wasm

import (
	"encoding/json"
	"io"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// maxRetainedOut bounds the output buffer a connection keeps between calls;
// a larger one (after sending a large message) is dropped and regrown.
const maxRetainedOut = 1 << 17

// A Module is the state behind the functions the wasm build exports: the
// buffers lent to the host and the connections behind their handles. Each
// exported function sanstls_x calls the method X of one package-level
// Module; the methods have the same parameters and results, with addresses
// as uintptr (uint32 in the wasm ABI). See the package documentation for
// the calling convention.
//
// Natively a Module works the same way on ordinary Go memory, which is how
// this package is tested; a Go program has no other reason to use it.
//
// A Module is not safe for concurrent use (a wasm instance is single
// threaded).
type Module struct {
	rand   io.Reader
	now    func() time.Time
	bufs   buffers
	conns  handles
	stores map[string]*sessionStore // HostConfig.SessionCache
	text   []byte                   // the text register: last error message or state JSON

	// trace is set by EnableTrace (the GOOS=js binding): connections
	// then record the messages they send and receive as HostEvents, and
	// their key log lines.
	trace  bool
	decode Decoder
}

// session is one connection and the views it shows the host.
type session struct {
	conn  *machine.Conn
	out   []byte        // output of the last call; valid until the next one
	event machine.Event // the last event popped
	now   func() time.Time
	fixed int64 // host-set time in Unix milliseconds; 0: use now

	// The buffered API of flights.go (the GOOS=js binding).
	inbox  []byte      // received bytes not consumed yet
	queue  []HostEvent // events not yet taken by the host
	ccsOut bool        // this side has sent ChangeCipherSpec: later records are protected
	ccsIn  bool        // the peer has sent ChangeCipherSpec
	failed bool        // the fatal error has been queued as an event
	keyLog []byte      // NSS key log lines (trace only)
	decode Decoder
}

// NewModule returns a Module whose connections read randomness from rand
// and, unless the host sets a time, the clock from now. The wasm build uses
// crypto/rand.Reader (WASI random_get) and time.Now (WASI clock_time_get).
func NewModule(rand io.Reader, now func() time.Time) *Module {
	return &Module{rand: rand, now: now}
}

// clock is the session's Config.Time.
func (s *session) clock() time.Time {
	if s.fixed != 0 {
		return time.UnixMilli(s.fixed)
	}
	return s.now()
}

// begin starts a call that produces output: the previous output and event
// views become invalid.
func (s *session) begin() {
	if cap(s.out) > maxRetainedOut {
		s.out = nil
	}
	s.out = s.out[:0]
	s.event = machine.Event{}
}

// fail puts err's message in the text register and returns its code.
func (m *Module) fail(err error) int32 {
	m.text = append(m.text[:0], err.Error()...)
	return codeOf(err)
}

// Alloc lends the host a zeroed buffer of size bytes and returns its address,
// or 0 (with the reason in the text register) if size is not between 1 and
// MaxBufferSize or MaxLentBytes would be exceeded. The buffer stays valid
// until Free.
func (m *Module) Alloc(size int32) uintptr {
	p, err := m.bufs.alloc(int(size))
	if err != nil {
		m.fail(err)
		return 0
	}
	return p
}

// Free ends the loan of the buffer that Alloc returned at p.
func (m *Module) Free(p uintptr) int32 {
	if err := m.bufs.free(p); err != nil {
		return m.fail(err)
	}
	return CodeOK
}

// Memory returns the n bytes at p, which must lie inside one buffer from
// Alloc. It is how a Go host (or a test) reaches what a wasm host reaches
// through linear memory.
func (m *Module) Memory(p uintptr, n int32) ([]byte, error) {
	return m.bufs.slice(p, int(n))
}

// Client creates a client connection from the [HostConfig] JSON in the
// cfgLen bytes at cfgPtr and returns its handle (positive), or a negative
// code. The config buffer may be freed as soon as Client returns.
func (m *Module) Client(cfgPtr uintptr, cfgLen int32) int32 {
	return m.create(cfgPtr, cfgLen, true)
}

// Server creates a server connection; see Client.
func (m *Module) Server(cfgPtr uintptr, cfgLen int32) int32 {
	return m.create(cfgPtr, cfgLen, false)
}

func (m *Module) create(cfgPtr uintptr, cfgLen int32, isClient bool) int32 {
	raw, err := m.bufs.slice(cfgPtr, int(cfgLen))
	if err != nil {
		return m.fail(err)
	}
	h, code, err := m.createFrom(raw, isClient)
	if err != nil {
		m.fail(err)
		return code
	}
	return h
}

// createFrom creates a connection from a HostConfig JSON document; on
// failure it returns the status code and the error. Both bindings create
// connections through it.
func (m *Module) createFrom(raw []byte, isClient bool) (h, code int32, err error) {
	hc, err := parseHostConfig(raw)
	if err != nil {
		return 0, CodeBadConfig, err
	}
	s := &session{now: m.now}
	cfg, err := hc.machineConfig(isClient, m.rand, s.clock)
	if err != nil {
		return 0, CodeBadConfig, err
	}
	if hc.SessionCache != "" {
		st, err := m.store(hc.SessionCache)
		if err != nil {
			return 0, CodeLimit, err
		}
		if isClient {
			cfg.ClientSessionCache = clientCache{st}
		} else {
			cfg.SessionCache = serverCache{st}
		}
	}
	if m.trace {
		s.decode = m.decode
		cfg.Trace = s.traced
		cfg.KeyLogWriter = keyLogWriter{s}
	}
	newConn := machine.Server
	if isClient {
		newConn = machine.Client
	}
	if s.conn, err = newConn(cfg); err != nil {
		return 0, CodeBadConfig, err
	}
	if h, err = m.conns.add(s); err != nil {
		return 0, codeOf(err), err
	}
	return h, 0, nil
}

// Destroy forgets the connection h; its handle becomes invalid. It sends
// nothing: call Close first for an orderly shutdown.
func (m *Module) Destroy(h int32) int32 {
	if err := m.conns.remove(h); err != nil {
		return m.fail(err)
	}
	return CodeOK
}

// SetTime fixes the time connection h uses for certificate validity, in
// milliseconds since the Unix epoch; 0 returns to the module's clock (WASI
// clock_time_get in the wasm build). The machine reads the time only while
// it checks certificates, so the host may set it at any point before.
func (m *Module) SetTime(h int32, unixMilli int64) int32 {
	s, err := m.conns.get(h)
	if err != nil {
		return m.fail(err)
	}
	s.fixed = unixMilli
	return CodeOK
}

// Start begins a client handshake: the output view then holds the
// ClientHello. It returns CodeOK or a negative code (CodeWrongState on a
// server or when called twice).
func (m *Module) Start(h int32) int32 {
	s, err := m.conns.get(h)
	if err != nil {
		return m.fail(err)
	}
	s.begin()
	s.out, err = s.conn.Start(s.out)
	if err != nil {
		return m.fail(err)
	}
	return CodeOK
}

// Receive hands the n bytes at p, received from the peer, to connection h
// ([machine.Conn.Receive]). It returns how many bytes it consumed (possibly
// 0), or a negative code. Consumed bytes are decrypted in place and are no
// longer the wire bytes; the host keeps the rest, p+consumed onward, and
// presents it again, with more bytes appended, on a later call.
//
// Receive stops once an event is queued: drain NextEvent, then call again
// with the rest. The output view holds bytes to send to the peer, also when
// the result is an alert code.
func (m *Module) Receive(h int32, p uintptr, n int32) int32 {
	s, err := m.conns.get(h)
	if err != nil {
		return m.fail(err)
	}
	s.begin()
	in, err := m.bufs.slice(p, int(n))
	if err != nil {
		return m.fail(err)
	}
	var consumed int
	s.out, consumed, err = s.conn.Receive(s.out, in)
	if err != nil {
		return m.fail(err)
	}
	return int32(consumed)
}

// ReceiveEOF tells connection h that the transport has ended. It returns
// CodeOK after the peer's close_notify, and otherwise CodeTruncated (fatal)
// or the code of an earlier fatal error.
func (m *Module) ReceiveEOF(h int32) int32 {
	s, err := m.conns.get(h)
	if err != nil {
		return m.fail(err)
	}
	if err := s.conn.ReceiveEOF(); err != nil {
		return m.fail(err)
	}
	return CodeOK
}

// Send seals the n bytes at p as application data; the output view then
// holds the records. It returns CodeOK, CodeNotReady before the handshake
// completes, CodeClosed after Close, or another negative code.
func (m *Module) Send(h int32, p uintptr, n int32) int32 {
	s, err := m.conns.get(h)
	if err != nil {
		return m.fail(err)
	}
	s.begin()
	data, err := m.bufs.slice(p, int(n))
	if err != nil {
		return m.fail(err)
	}
	s.out, err = s.conn.Send(s.out, data)
	if err != nil {
		return m.fail(err)
	}
	return CodeOK
}

// Close puts a close_notify alert in the output view (once; later calls
// produce nothing). It returns CodeOK, or the code of a fatal error that
// already ended the connection.
func (m *Module) Close(h int32) int32 {
	s, err := m.conns.get(h)
	if err != nil {
		return m.fail(err)
	}
	s.begin()
	s.out = s.conn.Close(s.out)
	if err := s.conn.Err(); err != nil {
		return m.fail(err)
	}
	return CodeOK
}

// NextEvent pops the next event of connection h and returns its kind
// (EventNone when the queue is empty), or a negative code. The event view
// (EventPtr, EventLen, EventAlert) then describes it until the next call on
// h that takes input or produces output.
func (m *Module) NextEvent(h int32) int32 {
	s, err := m.conns.get(h)
	if err != nil {
		return m.fail(err)
	}
	for {
		ev := s.conn.NextEvent()
		if code, ok := eventCode(ev.Kind); ok {
			s.event = ev
			return code
		}
		// A kind this adapter does not know: none can be answered
		// through the ABI, and the machine lets callers skip them.
	}
}

// EventData returns the data of the current event of h: for EventAppData,
// the decrypted bytes, which lie inside the buffer given to Receive.
func (m *Module) EventData(h int32) []byte {
	s, err := m.conns.get(h)
	if err != nil {
		m.fail(err)
		return nil
	}
	return s.event.Data
}

// EventPtr returns the address of EventData(h) (0 when empty).
func (m *Module) EventPtr(h int32) uintptr { return addrOf(m.EventData(h)) }

// EventLen returns the length of EventData(h), or CodeBadHandle.
func (m *Module) EventLen(h int32) int32 {
	if _, err := m.conns.get(h); err != nil {
		return m.fail(err)
	}
	return int32(len(m.EventData(h)))
}

// EventAlert returns the alert description of the current event of h when it
// is EventWarningAlert (RFC 5246, Section 7.2), 0 otherwise, or
// CodeBadHandle.
func (m *Module) EventAlert(h int32) int32 {
	s, err := m.conns.get(h)
	if err != nil {
		return m.fail(err)
	}
	return int32(s.event.Alert)
}

// Out returns the output view of h: the bytes the last Start, Receive,
// Send or Close produced, to be sent to the peer in order. It is valid until
// the next such call on h.
func (m *Module) Out(h int32) []byte {
	s, err := m.conns.get(h)
	if err != nil {
		m.fail(err)
		return nil
	}
	return s.out
}

// OutPtr returns the address of Out(h) (0 when empty).
func (m *Module) OutPtr(h int32) uintptr { return addrOf(m.Out(h)) }

// OutLen returns the length of Out(h), or CodeBadHandle.
func (m *Module) OutLen(h int32) int32 {
	if _, err := m.conns.get(h); err != nil {
		return m.fail(err)
	}
	return int32(len(m.Out(h)))
}

// NeedBytes returns how many more bytes the partial record left unconsumed
// by the last Receive on h needs (0 if unknown), or CodeBadHandle.
func (m *Module) NeedBytes(h int32) int32 {
	s, err := m.conns.get(h)
	if err != nil {
		return m.fail(err)
	}
	return int32(s.conn.NeedBytes())
}

// ConnState is the JSON document State puts in the text register.
type ConnState struct {
	HandshakeComplete    bool     `json:"handshake_complete"`
	Version              uint16   `json:"version"`      // 0x0303 for TLS 1.2
	CipherSuite          string   `json:"cipher_suite"` // IANA name
	ALPN                 string   `json:"alpn"`         // "" if none
	ServerName           string   `json:"server_name"`  // SNI the client sent
	Resumed              bool     `json:"resumed"`
	ExtendedMasterSecret bool     `json:"extended_master_secret"`
	SecureRenegotiation  bool     `json:"secure_renegotiation"`
	PeerCertificates     [][]byte `json:"peer_certificates"` // DER, base64 in JSON, leaf first
	Group                string   `json:"group"`             // key exchange group; "" for RSA key exchange
	SignatureScheme      string   `json:"signature_scheme"`  // the peer's handshake signature; "" if none
	Renegotiations       int      `json:"renegotiations"`    // completed renegotiations
}

// connState describes a connection for the host.
func connState(c *machine.Conn) ConnState {
	cs := c.State()
	st := ConnState{
		HandshakeComplete:    cs.HandshakeComplete,
		Version:              cs.Version,
		CipherSuite:          machine.CipherSuiteName(cs.CipherSuite),
		ALPN:                 cs.NegotiatedProtocol,
		ServerName:           cs.ServerName,
		Resumed:              cs.DidResume,
		ExtendedMasterSecret: cs.ExtendedMasterSecret,
		SecureRenegotiation:  cs.SecureRenegotiation,
		Renegotiations:       cs.Renegotiations,
	}
	if cs.Group != 0 {
		st.Group = cs.Group.String()
	}
	if cs.SignatureScheme != 0 {
		st.SignatureScheme = cs.SignatureScheme.String()
	}
	for _, c := range cs.PeerCertificates {
		st.PeerCertificates = append(st.PeerCertificates, c.Raw)
	}
	return st
}

// State puts a [ConnState] JSON document describing connection h in the
// text register and returns its length, or a negative code.
func (m *Module) State(h int32) int32 {
	s, err := m.conns.get(h)
	if err != nil {
		return m.fail(err)
	}
	doc, err := json.Marshal(connState(s.conn))
	if err != nil {
		return m.fail(err)
	}
	m.text = append(m.text[:0], doc...)
	return int32(len(m.text))
}

// Text returns the text register: the message of the last failed call, or
// the document of the last State call, whichever came last. It is valid
// until the next call that fails or calls State.
func (m *Module) Text() []byte { return m.text }

// TextPtr returns the address of Text() (0 when empty).
func (m *Module) TextPtr() uintptr { return addrOf(m.text) }

// TextLen returns the length of Text().
func (m *Module) TextLen() int32 { return int32(len(m.text)) }
