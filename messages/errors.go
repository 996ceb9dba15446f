package messages

// DecodeError reports a message that could not be decoded, or a value that
// could not be encoded. It carries the alert a TLS endpoint sends in
// response: [AlertDecodeError] for bad syntax (truncation, trailing bytes,
// vectors outside their bounds, duplicate extensions), [AlertIllegalParameter]
// for well-formed but illegal values, [AlertUnexpectedMessage] for a message
// of an unknown or unexpected type, and [AlertInternalError] for values that
// Marshal cannot encode (a local bug, never the peer's fault).
//
// What names the field or rule that failed. It never contains message
// contents beyond lengths, counts and code points, so it is safe to log and
// never includes secrets.
type DecodeError struct {
	// Type is the handshake message concerned, or HandshakeTypeNone for
	// alerts, record headers and ChangeCipherSpec.
	Type HandshakeType
	// What describes what failed, e.g. "duplicate extension supported_groups".
	What string
	// Alert is the alert to send to the peer.
	Alert AlertDescription
}

// Error returns a description such as
// "messages: ClientHello: duplicate extension supported_groups (decode_error)".
func (e *DecodeError) Error() string {
	if e.Type == HandshakeTypeNone {
		return "messages: " + e.What + " (" + e.Alert.String() + ")"
	}
	return "messages: " + e.Type.String() + ": " + e.What + " (" + e.Alert.String() + ")"
}
