package wasm

import (
	"errors"

	"github.com/sanstls/sanstls/machine"
)

// This file is the buffered API behind the GOOS=js binding: each call takes
// what the host has (received bytes, data to send) and returns one flight of
// bytes to put on the wire, and the connection keeps unconsumed input and a
// queue of events. Unlike the handle ABI of the wasip1 build, nothing points
// into module memory, so a JavaScript host has no views to refresh.

// A Field is one decoded field of a traced message, as shown to a person.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// A Decoder names a traced record body (a handshake message with its
// header, a ChangeCipherSpec or an alert) and decodes its fields. The
// adapter links no message parser of its own (adapters import only the
// machine); the program that builds the module supplies one.
type Decoder func(typ machine.ContentType, body []byte) (name string, fields []Field)

// Kinds of HostEvent.
const (
	KindMessage       = "message"        // a record body sent or received (Config.Trace), or application data sent
	KindHandshakeDone = "handshake_done" // a handshake (or renegotiation) completed
	KindData          = "data"           // application data received
	KindPeerClosed    = "peer_closed"    // the peer's close_notify
	KindWarningAlert  = "warning_alert"  // a non-fatal alert other than close_notify
	KindError         = "error"          // the connection failed; reported once
)

// HostEvent is one event of the buffered API.
type HostEvent struct {
	Kind string
	// Sent (message) reports that this side sent the message.
	Sent bool
	// ContentType (message) is the record type: 20 ChangeCipherSpec,
	// 21 alert, 22 handshake, 23 application data.
	ContentType uint8
	// Name (message) names it ("ClientHello", "ChangeCipherSpec",
	// "alert", "application_data"; the Decoder's name when there is one).
	Name string
	// Raw is the message as traced (a handshake message with its 4-byte
	// header; an alert's 2 bytes), or the application data.
	Raw []byte
	// Encrypted (message) reports that the record carrying it was
	// protected: the sender had sent ChangeCipherSpec before it.
	Encrypted bool
	// Fields (message) are the decoded fields.
	Fields []Field
	// Alert is the alert description (warning_alert, error with an alert).
	Alert uint8
	// AlertName is its name ("bad_record_mac").
	AlertName string
	// Remote (error) reports that the peer sent the fatal alert.
	Remote bool
	// Message (error) is the error's text; Reason its stable name.
	Message string
	Reason  string
	// Code (error) is the status code of the failure, as the wasip1 ABI
	// reports it (an alert code for TLS alerts).
	Code int32
}

// EnableTrace makes the connections created from now on record the
// messages they send and receive as KindMessage events, decoded with
// decode (which may be nil), and keep their NSS key log lines (KeyLog).
// The GOOS=js binding enables it; it costs a copy of every handshake
// message.
func (m *Module) EnableTrace(decode Decoder) {
	m.trace = true
	m.decode = decode
}

// traced is the Config.Trace hook of a traced session.
func (s *session) traced(sent bool, typ machine.ContentType, body []byte) {
	enc := s.ccsIn
	if sent {
		enc = s.ccsOut
	}
	ev := HostEvent{
		Kind:        KindMessage,
		Sent:        sent,
		ContentType: uint8(typ),
		Name:        typ.String(),
		Raw:         append([]byte(nil), body...),
		Encrypted:   enc,
	}
	if s.decode != nil {
		ev.Name, ev.Fields = s.decode(typ, ev.Raw)
	}
	s.queue = append(s.queue, ev)
	if typ == contentTypeChangeCipherSpec {
		if sent {
			s.ccsOut = true
		} else {
			s.ccsIn = true
		}
	}
}

// Record content types (RFC 5246, Section 6.2.1).
const (
	contentTypeChangeCipherSpec machine.ContentType = 20
	contentTypeApplicationData  machine.ContentType = 23
)

// keyLogWriter collects a traced session's key log lines.
type keyLogWriter struct{ s *session }

func (w keyLogWriter) Write(p []byte) (int, error) {
	w.s.keyLog = append(w.s.keyLog, p...)
	return len(p), nil
}

// drain moves the machine's events to the host queue.
func (s *session) drain() {
	for ev := s.conn.NextEvent(); ev.Kind != machine.EventNone; ev = s.conn.NextEvent() {
		switch ev.Kind {
		case machine.EventHandshakeDone:
			s.queue = append(s.queue, HostEvent{Kind: KindHandshakeDone})
		case machine.EventAppData:
			s.queue = append(s.queue, HostEvent{Kind: KindData, Raw: append([]byte(nil), ev.Data...)})
		case machine.EventPeerClosed:
			s.queue = append(s.queue, HostEvent{Kind: KindPeerClosed})
		case machine.EventWarningAlert:
			s.queue = append(s.queue, HostEvent{Kind: KindWarningAlert, Alert: uint8(ev.Alert), AlertName: ev.Alert.String()})
		}
	}
}

// settle ends a flight call: it queues the events and, the first time the
// connection fails, an error event. It returns a copy of out (the session
// reuses its output buffer) and err.
func (s *session) settle(out []byte, err error) ([]byte, error) {
	s.drain()
	if err != nil && s.conn.Err() != nil && !s.failed {
		s.failed = true
		ev := HostEvent{Kind: KindError, Message: err.Error(), Code: codeOf(err)}
		var ae *machine.AlertError
		if errors.As(err, &ae) {
			ev.Alert, ev.AlertName, ev.Remote, ev.Reason = uint8(ae.Alert), ae.Alert.String(), ae.Remote, ae.Reason
		}
		s.queue = append(s.queue, ev)
	}
	return append([]byte(nil), out...), err
}

// StartFlight begins a client handshake and returns the ClientHello flight.
func (m *Module) StartFlight(h int32) ([]byte, error) {
	s, err := m.conns.get(h)
	if err != nil {
		return nil, err
	}
	s.begin()
	s.out, err = s.conn.Start(s.out)
	return s.settle(s.out, err)
}

// ReceiveFlight hands bytes received from the peer to connection h. It keeps
// what does not complete a record for the next call, processes every
// complete record, and returns what to send back (also when it fails: the
// output then ends with the fatal alert). Events are queued for
// TakeEvents.
func (m *Module) ReceiveFlight(h int32, in []byte) ([]byte, error) {
	s, err := m.conns.get(h)
	if err != nil {
		return nil, err
	}
	s.begin()
	s.inbox = append(s.inbox, in...)
	// Each Receive consumes at least one record or stops; the bound only
	// guards against a machine that would do neither.
	for range 1 + len(s.inbox) {
		var n int
		s.out, n, err = s.conn.Receive(s.out, s.inbox)
		s.drain()
		s.inbox = s.inbox[:copy(s.inbox, s.inbox[n:])]
		if err != nil || n == 0 {
			break
		}
	}
	if len(s.inbox) == 0 && cap(s.inbox) > maxRetainedOut {
		s.inbox = nil
	}
	return s.settle(s.out, err)
}

// SendFlight seals data as application data and returns the records.
func (m *Module) SendFlight(h int32, data []byte) ([]byte, error) {
	s, err := m.conns.get(h)
	if err != nil {
		return nil, err
	}
	s.begin()
	s.out, err = s.conn.Send(s.out, data)
	if err == nil && m.trace {
		s.queue = append(s.queue, HostEvent{Kind: KindMessage, Sent: true, ContentType: uint8(contentTypeApplicationData),
			Name: "application_data", Raw: append([]byte(nil), data...), Encrypted: true})
	}
	return s.settle(s.out, err)
}

// CloseFlight returns the close_notify alert (once; later calls return
// nothing).
func (m *Module) CloseFlight(h int32) ([]byte, error) {
	s, err := m.conns.get(h)
	if err != nil {
		return nil, err
	}
	s.begin()
	s.out = s.conn.Close(s.out)
	return s.settle(s.out, s.conn.Err())
}

// RenegotiateFlight starts a renegotiation ([machine.Conn.Renegotiate]): a
// server's HelloRequest, or a client's new ClientHello.
func (m *Module) RenegotiateFlight(h int32) ([]byte, error) {
	s, err := m.conns.get(h)
	if err != nil {
		return nil, err
	}
	s.begin()
	s.out, err = s.conn.Renegotiate(s.out)
	return s.settle(s.out, err)
}

// TakeEvents returns the queued events of h and empties the queue.
func (m *Module) TakeEvents(h int32) ([]HostEvent, error) {
	s, err := m.conns.get(h)
	if err != nil {
		return nil, err
	}
	q := s.queue
	s.queue = nil
	return q, nil
}

// ConnStateOf describes connection h.
func (m *Module) ConnStateOf(h int32) (ConnState, error) {
	s, err := m.conns.get(h)
	if err != nil {
		return ConnState{}, err
	}
	return connState(s.conn), nil
}

// KeyLog returns the NSS key log lines of h so far (traced modules only).
// They hold the master secret: a debugging aid that defeats the
// connection's security.
func (m *Module) KeyLog(h int32) (string, error) {
	s, err := m.conns.get(h)
	if err != nil {
		return "", err
	}
	return string(s.keyLog), nil
}

// Pending returns how many received bytes h keeps for lack of a complete
// record.
func (m *Module) Pending(h int32) (int, error) {
	s, err := m.conns.get(h)
	if err != nil {
		return 0, err
	}
	return len(s.inbox), nil
}

// ReceiveEOFErr is ReceiveEOF with an error instead of a code.
func (m *Module) ReceiveEOFErr(h int32) error {
	s, err := m.conns.get(h)
	if err != nil {
		return err
	}
	return s.conn.ReceiveEOF()
}

// CreateConn creates a connection from a [HostConfig] JSON document and
// returns its handle.
func (m *Module) CreateConn(isClient bool, configJSON []byte) (int32, error) {
	h, _, err := m.createFrom(configJSON, isClient)
	return h, err
}

var errBadArgs = errors.New("wasm: wrong arguments")

// machineSuites lists the suites the machine implements (the js binding's
// suites()).
func machineSuites() []machine.CipherSuiteInfo { return machine.SupportedCipherSuites() }
