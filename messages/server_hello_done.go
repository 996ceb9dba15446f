package messages

import "golang.org/x/crypto/cryptobyte"

// ServerHelloDone ends the server's first flight. RFC 5246, Section 7.4.5.
//
//	struct { } ServerHelloDone;
//
// It has no fields; a non-empty body is a decode_error.
type ServerHelloDone struct{}

// Type returns [HandshakeTypeServerHelloDone].
func (*ServerHelloDone) Type() HandshakeType { return HandshakeTypeServerHelloDone }

// Marshal returns the 4-byte message.
func (m *ServerHelloDone) Marshal() ([]byte, error) {
	return marshalHandshake(HandshakeTypeServerHelloDone, func(b *builder) {})
}

// Unmarshal parses a complete ServerHelloDone, header included.
func (m *ServerHelloDone) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeServerHelloDone}
	var body cryptobyte.String
	if !p.openHandshake(data, &body) || !p.end(body, "ServerHelloDone body") {
		return p.err
	}
	return nil
}
