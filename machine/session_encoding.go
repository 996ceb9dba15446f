package machine

// Encoding of a client session for storage outside the process (for
// example `sanstls client -sess-out`/`-sess-in`, as OpenSSL's s_client
// offers).

import (
	"bytes"

	"golang.org/x/crypto/cryptobyte"
)

const clientSessionEncodingVersion = 2

// MarshalBinary encodes the session: the server's ticket or session ID, the
// session state, whether the server's chain was verified (a resumption still
// re-verifies it against the Config of the day) and the server's SCTs. The encoding holds the master secret: store it as
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
	verified := uint8(0)
	if s.verified {
		verified = 1
	}
	b.AddUint8(verified)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, sct := range s.scts {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sct) })
		}
	})
	return b.Bytes()
}

// UnmarshalBinary decodes what MarshalBinary produced.
func (s *ClientSession) UnmarshalBinary(data []byte) error {
	in := cryptobyte.String(data)
	var ver, verified uint8
	var ticket, id, state, scts cryptobyte.String
	if !in.ReadUint8(&ver) || ver != clientSessionEncodingVersion ||
		!in.ReadUint16LengthPrefixed(&ticket) || !in.ReadUint8LengthPrefixed(&id) || len(id) > 32 ||
		!in.ReadUint24LengthPrefixed(&state) || !in.ReadUint8(&verified) || verified > 1 ||
		!in.ReadUint24LengthPrefixed(&scts) || !in.Empty() || (len(ticket) == 0) == (len(id) == 0) {
		return errBadSessionState
	}
	var sctList [][]byte
	for !scts.Empty() {
		var sct cryptobyte.String
		if !scts.ReadUint16LengthPrefixed(&sct) || len(sct) == 0 {
			return errBadSessionState
		}
		sctList = append(sctList, bytes.Clone(sct))
	}
	st, err := unmarshalSessionState(state)
	if err != nil {
		return err
	}
	*s = ClientSession{state: *st, verified: verified == 1, scts: sctList}
	if len(ticket) > 0 {
		s.ticket = bytes.Clone(ticket)
	}
	if len(id) > 0 {
		s.sessionID = bytes.Clone(id)
	}
	return nil
}
