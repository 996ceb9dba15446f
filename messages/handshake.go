package messages

import "golang.org/x/crypto/cryptobyte"

// HandshakeHeaderLen is the length of a handshake message header: a 1-byte
// msg_type and a 24-bit length. RFC 5246, Section 7.4.
//
//	struct {
//	    HandshakeType msg_type;    /* handshake type */
//	    uint24 length;             /* bytes in message */
//	    select (HandshakeType) { ... } body;
//	} Handshake;
const HandshakeHeaderLen = 4

// Message is implemented by a pointer to every handshake message type of
// this package.
//
// Marshal returns the complete message, header included; it returns a
// [*DecodeError] with [AlertInternalError] for values it cannot encode.
// Unmarshal accepts exactly one complete message, header included, rejects
// trailing bytes, leaves the receiver unchanged on failure, and keeps
// references into data.
type Message interface {
	Type() HandshakeType
	Marshal() ([]byte, error)
	Unmarshal(data []byte) error
}

// Compile-time checks that every message implements Message.
var (
	_ Message = (*HelloRequest)(nil)
	_ Message = (*ClientHello)(nil)
	_ Message = (*ServerHello)(nil)
	_ Message = (*NewSessionTicket)(nil)
	_ Message = (*Certificate)(nil)
	_ Message = (*ServerKeyExchange)(nil)
	_ Message = (*CertificateRequest)(nil)
	_ Message = (*ServerHelloDone)(nil)
	_ Message = (*CertificateVerify)(nil)
	_ Message = (*ClientKeyExchange)(nil)
	_ Message = (*Finished)(nil)
	_ Message = (*CertificateStatus)(nil)
)

// ParseHandshakeHeader reads the message type and the 24-bit body length
// from the first [HandshakeHeaderLen] bytes of b. ok is false if b is
// shorter than that. The full message is HandshakeHeaderLen+length bytes;
// the caller caps length before buffering that much.
func ParseHandshakeHeader(b []byte) (typ HandshakeType, length int, ok bool) {
	s := cryptobyte.String(b)
	var t uint8
	var n uint32
	if !s.ReadUint8(&t) || !s.ReadUint24(&n) {
		return 0, 0, false
	}
	return HandshakeType(t), int(n), true
}

// Parse parses exactly one complete handshake message, header included,
// dispatching on its type byte. An unknown type is a [*DecodeError] with
// [AlertUnexpectedMessage] ("An inappropriate message was received",
// RFC 5246, Section 7.2.2); input shorter than a header is a decode_error.
// The returned message keeps references into data.
func Parse(data []byte) (Message, error) {
	typ, _, ok := ParseHandshakeHeader(data)
	if !ok {
		return nil, &DecodeError{Type: HandshakeTypeNone, What: "handshake header: truncated", Alert: AlertDecodeError}
	}
	var m Message
	switch typ {
	case HandshakeTypeHelloRequest:
		m = new(HelloRequest)
	case HandshakeTypeClientHello:
		m = new(ClientHello)
	case HandshakeTypeServerHello:
		m = new(ServerHello)
	case HandshakeTypeNewSessionTicket:
		m = new(NewSessionTicket)
	case HandshakeTypeCertificate:
		m = new(Certificate)
	case HandshakeTypeServerKeyExchange:
		m = new(ServerKeyExchange)
	case HandshakeTypeCertificateRequest:
		m = new(CertificateRequest)
	case HandshakeTypeServerHelloDone:
		m = new(ServerHelloDone)
	case HandshakeTypeCertificateVerify:
		m = new(CertificateVerify)
	case HandshakeTypeClientKeyExchange:
		m = new(ClientKeyExchange)
	case HandshakeTypeFinished:
		m = new(Finished)
	case HandshakeTypeCertificateStatus:
		m = new(CertificateStatus)
	default:
		return nil, &DecodeError{Type: typ, What: "unknown handshake message type", Alert: AlertUnexpectedMessage}
	}
	if err := m.Unmarshal(data); err != nil {
		return nil, err
	}
	return m, nil
}
