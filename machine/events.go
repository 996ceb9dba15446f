package machine

// EventKind says what an Event reports.
type EventKind uint8

const (
	// EventNone means the queue is empty.
	EventNone EventKind = iota
	// EventHandshakeDone reports a completed handshake; State() now
	// describes the connection. With Config.DropPeerCertificates its Peer
	// holds the peer's chain, which State() no longer does.
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
	// EventFalseStart (client, Config.FalseStart) reports that our Finished
	// went out and Send works before the server's Finished (RFC 7918);
	// EventHandshakeDone follows when the server's Finished is verified.
	EventFalseStart
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
	case EventFalseStart:
		return "FalseStart"
	}
	return "EventKind(" + itoa(int(k)) + ")"
}

// An Event is something the caller must know about. Its slices are valid
// only until the next method call on the Conn.
type Event struct {
	Kind  EventKind
	Alert Alert      // EventWarningAlert
	Data  []byte     // EventAppData
	Peer  *PeerCerts // EventVerifyPeer; EventHandshakeDone with Config.DropPeerCertificates
}

// eventQueue is a FIFO of events: a ring inside the Conn with room for one,
// since Receive returns as soon as an event is queued, and a spill slice
// behind it so that no event is ever dropped.
type eventQueue struct {
	buf        [1]Event
	head, size uint8   // the ring: size events from buf[head]
	spill      []Event // events queued after a full ring, oldest first
}

func (q *eventQueue) push(e Event) bool {
	if int(q.size) == len(q.buf) {
		q.spill = append(q.spill, e)
		return true
	}
	q.buf[(int(q.head)+int(q.size))%len(q.buf)] = e
	q.size++
	return true
}

func (q *eventQueue) pop() Event {
	if q.size == 0 {
		return Event{}
	}
	e := q.buf[q.head]
	q.buf[q.head] = Event{}
	q.head = uint8((int(q.head) + 1) % len(q.buf))
	q.size--
	if len(q.spill) > 0 {
		// The ring has room again: its oldest spilled event moves in.
		q.buf[(int(q.head)+int(q.size))%len(q.buf)] = q.spill[0]
		q.size++
		q.spill[0] = Event{}
		q.spill = q.spill[1:]
		if len(q.spill) == 0 {
			q.spill = nil
		}
	}
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
