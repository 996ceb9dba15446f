package messages

import "golang.org/x/crypto/cryptobyte"

// HelloRequest asks the client to begin a new handshake. RFC 5246,
// Section 7.4.1.1.
//
//	struct { } HelloRequest;
//
// It has no fields; a non-empty body is a decode_error.
type HelloRequest struct{}

// Type returns [HandshakeTypeHelloRequest].
func (*HelloRequest) Type() HandshakeType { return HandshakeTypeHelloRequest }

// Marshal returns the 4-byte message.
func (m *HelloRequest) Marshal() ([]byte, error) {
	return marshalHandshake(HandshakeTypeHelloRequest, func(b *builder) {})
}

// Unmarshal parses a complete HelloRequest, header included.
func (m *HelloRequest) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeHelloRequest}
	var body cryptobyte.String
	if !p.openHandshake(data, &body) || !p.end(body, "HelloRequest body") {
		return p.err
	}
	return nil
}
