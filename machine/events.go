package machine

// EventKind says what an Event reports.
type EventKind uint8

const (
	// EventNone means the queue is empty.
	EventNone EventKind = iota
	// EventHandshakeDone reports a completed handshake; State() now
	// describes the connection.
	EventHandshakeDone
	// EventAppData carries received application data in Data, which aliases
	// the caller's input buffer and is valid until the next call on the Conn.
	EventAppData
	// EventPeerClosed reports the peer's close_notify. It is reported once.
	EventPeerClosed
	// EventWarningAlert reports a non-fatal alert other than close_notify.
	EventWarningAlert
	// EventVerifyPeer (Config.DeferVerify only) hands the peer's chain to the
	// caller; the handshake waits for ResolveVerify.
	EventVerifyPeer
	// EventRenegotiationRequested (client, Config.Renegotiation
	// RenegotiateExplicit) reports a HelloRequest: call Renegotiate to
	// accept it, or carry on.
	EventRenegotiationRequested
)

func (k EventKind) String() string {
	switch k {
	case EventNone:
		return "None"
	case EventHandshakeDone:
		return "HandshakeDone"
	case EventAppData:
		return "AppData"
	case EventPeerClosed:
		return "PeerClosed"
	case EventWarningAlert:
		return "WarningAlert"
	case EventVerifyPeer:
		return "VerifyPeer"
	case EventRenegotiationRequested:
		return "RenegotiationRequested"
	}
	return "EventKind(" + itoa(int(k)) + ")"
}

// An Event is something the caller must know about. Its slices are valid
// only until the next method call on the Conn.
type Event struct {
	Kind  EventKind
	Data  []byte     // EventAppData
	Alert Alert      // EventWarningAlert
	Peer  *PeerCerts // EventVerifyPeer
}

// eventQueue is a fixed ring of events: the machine never queues more than a
// few events before Receive returns.
type eventQueue struct {
	buf        [8]Event
	head, size int
}

func (q *eventQueue) push(e Event) bool {
	if q.size == len(q.buf) {
		return false
	}
	q.buf[(q.head+q.size)%len(q.buf)] = e
	q.size++
	return true
}

func (q *eventQueue) pop() Event {
	if q.size == 0 {
		return Event{}
	}
	e := q.buf[q.head]
	q.buf[q.head] = Event{}
	q.head = (q.head + 1) % len(q.buf)
	q.size--
	return e
}

func itoa(v int) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := v < 0
	if neg {
		v = -v
	}
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
