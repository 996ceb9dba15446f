package messages

import "golang.org/x/crypto/cryptobyte"

// Finished carries the verify_data that authenticates the handshake.
// RFC 5246, Section 7.4.9.
//
//	struct {
//	    opaque verify_data[verify_data_length];
//	} Finished;
//
// verify_data_length is 12 for every TLS 1.2 cipher suite this project
// supports, but a suite may define another length, so Unmarshal accepts any
// length (including zero) and the state machine checks it, in constant time,
// against the value it computed.
type Finished struct {
	VerifyData []byte
}

// Type returns [HandshakeTypeFinished].
func (*Finished) Type() HandshakeType { return HandshakeTypeFinished }

// Marshal returns the complete message.
func (m *Finished) Marshal() ([]byte, error) {
	return m.AppendMarshal(make([]byte, 0, 4+len(m.VerifyData)))
}

// AppendMarshal appends the complete message to dst and returns the
// extended slice; on failure dst's contents are unchanged. It allocates
// nothing when dst has room.
func (m *Finished) AppendMarshal(dst []byte) ([]byte, error) {
	n := len(m.VerifyData)
	if n >= 1<<24 {
		return nil, encodeError(HandshakeTypeFinished, lengthError{n, 3})
	}
	dst = append(dst, byte(HandshakeTypeFinished), byte(n>>16), byte(n>>8), byte(n))
	return append(dst, m.VerifyData...), nil
}

// Unmarshal parses a complete Finished, header included. VerifyData aliases
// data.
func (m *Finished) Unmarshal(data []byte) error {
	p := parser{typ: HandshakeTypeFinished}
	var body cryptobyte.String
	if !p.openHandshake(data, &body) {
		return p.err
	}
	*m = Finished{VerifyData: nilIfEmpty(body)}
	return nil
}
