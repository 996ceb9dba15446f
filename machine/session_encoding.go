package machine

// Encoding of a client session for storage outside the process (for
// example `sanstls client -sess-out`/`-sess-in`, as OpenSSL's s_client
// offers).

import (
	"bytes"

	"golang.org/x/crypto/cryptobyte"
)

const clientSessionEncodingVersion = 1

// MarshalBinary encodes the session: the server's ticket or session ID and
// the session state. The encoding holds the master secret: store it as
// carefully as a private key.
func (s *ClientSession) MarshalBinary() ([]byte, error) {
	state, err := s.state.marshal()
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddUint8(clientSessionEncodingVersion)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.ticket) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.sessionID) })
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(state) })
	return b.Bytes()
}

// UnmarshalBinary decodes what MarshalBinary produced.
func (s *ClientSession) UnmarshalBinary(data []byte) error {
	in := cryptobyte.String(data)
	var ver uint8
	var ticket, id, state cryptobyte.String
	if !in.ReadUint8(&ver) || ver != clientSessionEncodingVersion ||
		!in.ReadUint16LengthPrefixed(&ticket) || !in.ReadUint8LengthPrefixed(&id) || len(id) > 32 ||
		!in.ReadUint24LengthPrefixed(&state) || !in.Empty() || (len(ticket) == 0) == (len(id) == 0) {
		return errBadSessionState
	}
	st, err := unmarshalSessionState(state)
	if err != nil {
		return err
	}
	*s = ClientSession{state: *st}
	if len(ticket) > 0 {
		s.ticket = bytes.Clone(ticket)
	}
	if len(id) > 0 {
		s.sessionID = bytes.Clone(id)
	}
	return nil
}
