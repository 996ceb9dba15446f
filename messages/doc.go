// Package messages implements the wire formats of TLS 1.2: the record
// header, alerts, ChangeCipherSpec, every handshake message a TLS 1.2 client
// or server sends or receives, and the hello extensions a modern TLS 1.2
// stack negotiates.
//
// It follows [RFC 5246] (TLS 1.2), with extensions from [RFC 4492]/[RFC 8422]
// (ECC), [RFC 5077] (session tickets), [RFC 5746] (renegotiation_info),
// [RFC 6066] (server_name, status_request, CertificateStatus), [RFC 6962]
// (signed certificate timestamps), [RFC 7301] (ALPN), [RFC 7366]
// (encrypt_then_mac), [RFC 7627] (extended_master_secret), [RFC 7685]
// (padding), [RFC 7919] (FFDHE groups), [RFC 8449] (record_size_limit),
// [RFC 8446] (the parts that apply to TLS 1.2: signature schemes,
// supported_versions, signature_algorithms_cert) and [RFC 8701] (GREASE).
//
// # What it does
//
// Every handshake message is a struct with Marshal and Unmarshal methods.
// Marshal returns the complete message including the 4-byte handshake header
// and reports values it cannot encode as an error; it never panics.
// Unmarshal accepts exactly one complete message, header included, and
// rejects trailing bytes anywhere. [Parse] dispatches on the type byte.
// Parsing uses golang.org/x/crypto/cryptobyte; building uses a small builder
// with the same methods that patches length prefixes in place.
//
// Decoding is strict: vectors outside the bounds of the RFC presentation
// language, odd-length lists of 16-bit values, empty lists the RFC forbids,
// trailing bytes and duplicate extensions are rejected with
// [AlertDecodeError]; well-formed but illegal values (for example a
// record_size_limit below 64, or a host name containing a NUL byte) are
// rejected with [AlertIllegalParameter]. Every failure is a [*DecodeError]
// that carries the alert to send and says what failed.
//
// # Aliasing
//
// Unmarshal and the Parse* functions keep references into the input: byte
// slices in the returned values alias data. Callers that reuse their buffer
// MUST pass a copy. Empty opaque vectors decode as nil.
//
// # Encoding is canonical, except for extension order
//
// For every message other than ClientHello and ServerHello,
// Marshal(Unmarshal(b)) == b for every b that Unmarshal accepts. ClientHello
// and ServerHello record the order in which extensions arrived
// (ExtensionOrder) and Marshal reproduces it, so messages received from real
// peers re-encode byte for byte; the one lossy case is a ClientHello
// status_request with a status_type other than ocsp, which is ignored as
// RFC 6066 allows. Messages built from scratch (ExtensionOrder nil) are
// encoded in a fixed order. The transcript hash MUST be computed over the
// bytes as sent or received, never over a re-encoding.
//
// # What it does not do
//
// It performs no I/O, keeps no state, and has no notion of a connection:
// which message may follow which, whether a value was offered, and every
// other cross-message rule belong to the state machine. It does not parse
// TLS 1.3-only messages or the SSLv2-compatible ClientHello, and it does not
// interpret certificates, OCSP responses or signatures.
//
// [RFC 5246]: https://www.rfc-editor.org/rfc/rfc5246
// [RFC 4492]: https://www.rfc-editor.org/rfc/rfc4492
// [RFC 8422]: https://www.rfc-editor.org/rfc/rfc8422
// [RFC 5077]: https://www.rfc-editor.org/rfc/rfc5077
// [RFC 5746]: https://www.rfc-editor.org/rfc/rfc5746
// [RFC 6066]: https://www.rfc-editor.org/rfc/rfc6066
// [RFC 6962]: https://www.rfc-editor.org/rfc/rfc6962
// [RFC 7301]: https://www.rfc-editor.org/rfc/rfc7301
// [RFC 7366]: https://www.rfc-editor.org/rfc/rfc7366
// [RFC 7627]: https://www.rfc-editor.org/rfc/rfc7627
// [RFC 7685]: https://www.rfc-editor.org/rfc/rfc7685
// [RFC 7919]: https://www.rfc-editor.org/rfc/rfc7919
// [RFC 8449]: https://www.rfc-editor.org/rfc/rfc8449
// [RFC 8446]: https://www.rfc-editor.org/rfc/rfc8446
// [RFC 8701]: https://www.rfc-editor.org/rfc/rfc8701
package messages
