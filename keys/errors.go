package keys

import "errors"

// Errors of the key schedule and record protection. They are returned
// unwrapped, so callers may compare them with == as well as errors.Is. The
// key-exchange and signature errors are declared next to their code.
var (
	// ErrBadRecordMAC is the one error RecordProtection.Open returns for
	// every authentication or decoding failure: bad MAC or tag, bad
	// padding, or a fragment too short or of the wrong length. A single
	// error keeps the failures indistinguishable (RFC 5246, Section
	// 6.2.3.2); the caller answers it with a fatal bad_record_mac alert.
	ErrBadRecordMAC = errors.New("keys: record authentication failed")

	// ErrSequenceExhausted is returned by Seal and Open when the sequence
	// number has reached 2^64-1. RFC 5246, Section 6.1: "Sequence numbers
	// do not wrap."
	ErrSequenceExhausted = errors.New("keys: record sequence number exhausted")

	// ErrBadExporterLabel is returned by ExportKeyingMaterial for a label
	// that the IANA TLS Exporter Label registry reserves (RFC 5705,
	// Section 6; RFC 7627, Section 7): "client finished", "server
	// finished", "master secret", "key expansion" and "extended master
	// secret".
	ErrBadExporterLabel = errors.New("keys: reserved exporter label")

	// ErrBadExporterLength is returned by ExportKeyingMaterial for a
	// negative output length or a context of 2^16 bytes or more, whose
	// length cannot be encoded in the uint16 of RFC 5705, Section 4.
	ErrBadExporterLength = errors.New("keys: exporter context or output length out of range")

	// ErrInvalidKeyLength is returned by the record protection
	// constructors for a key, IV or MAC key of the wrong length.
	ErrInvalidKeyLength = errors.New("keys: invalid key or IV length")

	// ErrUnsupportedHash is returned by NewCBC for a MAC hash other than
	// SHA-1, SHA-256 or SHA-384, or one whose state this package cannot
	// process in constant time.
	ErrUnsupportedHash = errors.New("keys: unsupported MAC hash")

	// ErrPlaintextTooLarge is returned by Seal for a plaintext longer than
	// 2^14 bytes. RFC 5246, Section 6.2.1: "The length MUST NOT exceed
	// 2^14."
	ErrPlaintextTooLarge = errors.New("keys: record plaintext longer than 2^14 bytes")
)
