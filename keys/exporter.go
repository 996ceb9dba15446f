package keys

import (
	"crypto"
	"encoding/binary"
)

// ExportKeyingMaterial returns length bytes of keying material for label
// and, when hasContext is true, context. RFC 5705, Section 4:
//
//	PRF(SecurityParameters.master_secret, label,
//	    SecurityParameters.client_random +
//	    SecurityParameters.server_random +
//	    context_value_length + context_value
//	    )[length]
//
// where context_value_length is a uint16, and the last two terms are
// omitted when there is no context. An empty context is therefore not the
// same as no context. When hasContext is false, context is ignored.
//
// Labels the registry reserves are rejected with [ErrBadExporterLabel]
// (RFC 5705, Section 6: they "MUST NOT be used for the purpose described in
// RFC 5705"); a negative length or a context of 2^16 bytes or more with
// [ErrBadExporterLength]. The caller decides whether exporting is allowed at
// all: RFC 7627, Section 5.4 and RFC 9325 want the extended master secret
// negotiated first.
func ExportKeyingMaterial(h crypto.Hash, master, clientRandom, serverRandom []byte, label string, context []byte, hasContext bool, length int) ([]byte, error) {
	switch label {
	case "client finished", "server finished", "master secret", "key expansion", "extended master secret":
		return nil, ErrBadExporterLabel
	}
	if length < 0 || (hasContext && len(context) > 0xffff) {
		return nil, ErrBadExporterLength
	}
	out := make([]byte, length)
	if !hasContext {
		PRF(h, out, master, label, clientRandom, serverRandom)
		return out, nil
	}
	var contextLen [2]byte
	binary.BigEndian.PutUint16(contextLen[:], uint16(len(context)))
	PRF(h, out, master, label, clientRandom, serverRandom, contextLen[:], context)
	return out, nil
}
