// Package keys holds the cryptography of a TLS 1.2 connection: the key
// schedule, record protection, key exchange and handshake signatures. It
// works on byte slices and small key types and knows nothing about
// handshake messages, records on the wire or connection state.
//
// Key schedule ([RFC 5246], Sections 5, 6.3, 7.4.9 and 8.1; [RFC 7627];
// [RFC 5705]):
//   - [PRF] is the TLS 1.2 pseudorandom function, P_SHA256 or P_SHA384.
//   - [MasterSecret] and [ExtendedMasterSecret] derive the 48-byte master
//     secret; [KeyBlock] expands it into [TrafficKeys].
//   - [FinishedVerifyData] computes Finished.verify_data.
//   - [ExportKeyingMaterial] is the RFC 5705 exporter.
//
// Record protection ([RFC 5246], Section 6.2.3) is the [RecordProtection]
// interface, one value per direction, which owns the sequence number:
//   - [NewAESGCM]: AES-GCM with an explicit nonce ([RFC 5288]).
//   - [NewChaCha20Poly1305]: ChaCha20-Poly1305 with a XOR nonce ([RFC 7905]).
//   - [NewCBC]: AES-CBC with HMAC, either MAC-then-encrypt with a Lucky13
//     countermeasure or encrypt-then-MAC ([RFC 7366]).
//
// Key exchange (ECDHE, FFDHE, RSA) and signatures live in kex.go, ecdhe.go,
// ffdhe.go, rsa_kex.go and signature.go.
//
// What this package does not do:
//   - No I/O, goroutines, locks, clocks or global randomness. Every function
//     that needs randomness takes an [io.Reader].
//   - No record framing, length limits or alerts: the caller checks
//     record_overflow ([RFC 5246], Section 6.2.3: a TLSCiphertext fragment
//     longer than 2^14+2048 bytes) before calling [RecordProtection.Open],
//     and maps the errors of this package to alerts.
//   - No TLS 1.3, SSL 3.0 or TLS 1.0/1.1 constructions.
//
// Values of this package are not safe for concurrent use unless stated.
//
// [RFC 5246]: https://www.rfc-editor.org/rfc/rfc5246
// [RFC 5288]: https://www.rfc-editor.org/rfc/rfc5288
// [RFC 5705]: https://www.rfc-editor.org/rfc/rfc5705
// [RFC 7366]: https://www.rfc-editor.org/rfc/rfc7366
// [RFC 7627]: https://www.rfc-editor.org/rfc/rfc7627
// [RFC 7905]: https://www.rfc-editor.org/rfc/rfc7905
package keys
