// Package machine is a TLS 1.2 client and server written as a sans-IO state
// machine: it consumes received bytes, produces bytes to send into
// caller-owned buffers, and reports what happened as events. It never blocks,
// starts no goroutines, takes no locks, and reads neither the clock nor global
// randomness: [Config.Rand] and [Config.Time] are the only sources of
// nondeterminism, so a run is reproducible from a seed.
//
// It implements [RFC 5246] (TLS 1.2) with the extensions a modern TLS 1.2
// deployment needs: extended master secret ([RFC 7627]), secure renegotiation
// indication ([RFC 5746]), server name indication ([RFC 6066]), ALPN
// ([RFC 7301]) and the TLS 1.3 compatibility rules that apply to TLS 1.2
// ([RFC 8446] Sections 4.1.3 and 4.2.1). It does not implement TLS 1.3, DTLS,
// compression or any version below TLS 1.2.
//
// # Driving a connection
//
// A [Conn] is created with [Client] or [Server]. The caller owns all buffers:
//
//   - [Conn.Start] (client) appends the ClientHello to dst.
//   - [Conn.Receive] consumes complete records from the front of in, decrypting
//     them in place, and appends any response to dst. It stops as soon as an
//     event is queued; the caller drains [Conn.NextEvent] and calls Receive
//     again with the unconsumed rest of its input.
//   - [Conn.Send] seals application data into dst after the handshake.
//   - [Conn.Close] appends close_notify; [Conn.ReceiveEOF] reports the end of
//     the transport.
//
// A fatal error is returned as an [*AlertError]; the alert record is already
// in the returned output. From then on every method returns the same error
// and emits nothing.
//
// A Conn is not safe for concurrent use.
//
// [RFC 5246]: https://www.rfc-editor.org/rfc/rfc5246
// [RFC 7627]: https://www.rfc-editor.org/rfc/rfc7627
// [RFC 5746]: https://www.rfc-editor.org/rfc/rfc5746
// [RFC 6066]: https://www.rfc-editor.org/rfc/rfc6066
// [RFC 7301]: https://www.rfc-editor.org/rfc/rfc7301
// [RFC 8446]: https://www.rfc-editor.org/rfc/rfc8446
package machine
