package messages

import "golang.org/x/crypto/cryptobyte"

// NewSessionTicket hands the client a session ticket. RFC 5077, Section 3.3.
//
//	struct {
//	    uint32 ticket_lifetime_hint;
//	    opaque ticket<0..2^16-1>;
//	} NewSessionTicket;
//
// An empty ticket is allowed ("If the server determines that it does not
// want to include a ticket after it has included the SessionTicket extension
// in the ServerHello, then it sends a zero-length ticket", RFC 5077,
// Section 3.3) and decodes as nil.
type NewSessionTicket struct {
	LifetimeHint uint32 // seconds; 0 means unspecified
	Ticket       []byte
}

// Type returns [HandshakeTypeNewSessionTicket].
func (*NewSessionTicket) Type() HandshakeType { return HandshakeTypeNewSessionTicket }

// Marshal returns the complete message. It fails if the ticket is longer
// than 2^16-1 bytes.
func (m *NewSessionTicket) Marshal() ([]byte, error) {
	return m.AppendMarshal(make([]byte, 0, 4+4+2+len(m.Ticket)))
}

// AppendMarshal appends the complete message to dst and returns the
// extended slice; on failure dst's contents are unchanged. It allocates
// nothing when dst has room.
func (m *NewSessionTicket) AppendMarshal(dst []byte) ([]byte, error) {
	c := checker{typ: HandshakeTypeNewSessionTicket}
	c.length(len(m.Ticket), 0, 0xffff, "ticket")
	if err := c.result(); err != nil {
		return nil, err
	}
	t := len(m.Ticket)
	body := 4 + 2 + t // below 2^24: the ticket fits 16 bits
	h := m.LifetimeHint
	dst = append(dst, byte(HandshakeTypeNewSessionTicket), byte(body>>16), byte(body>>8), byte(body),
		byte(h>>24), byte(h>>16), byte(h>>8), byte(h), byte(t>>8), byte(t))
	return append(dst, m.Ticket...), nil
}

// Unmarshal parses a complete NewSessionTicket, header included. Ticket
// aliases data.
func (m *NewSessionTicket) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeNewSessionTicket}
	var body cryptobyte.String
	var n NewSessionTicket
	if !p.openHandshake(data, &body) ||
		!p.u32(&body, &n.LifetimeHint, "ticket_lifetime_hint") ||
		!p.opaque(&body, &n.Ticket, 0, 0xffff, "ticket") ||
		!p.end(body, "NewSessionTicket body") {
		return p.err
	}
	*m = n
	return nil
}
