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
// # Caller hooks
//
// The hooks of a [Config] — [Config.Rand], [Config.Time],
// [Config.KeyLogWriter], [Config.Trace], [Config.SessionCache],
// [Config.ClientSessionCache], [Config.VerifyPeer] and
// [Config.GetOCSPStaple] — run synchronously inside the Conn method that
// needs them, on the caller's goroutine, while the Conn is part-way through
// a state change. So a hook:
//
//   - must not call any method of the Conn it serves (nor block waiting for
//     someone who does); the Conn is not re-entrant;
//   - delays the caller's event loop for as long as it runs: slow work, such
//     as verification that consults the network, belongs off the loop with
//     [Config.DeferVerify] and [Conn.ResolveVerifyChains];
//   - may be called concurrently by different Conns sharing the Config, so
//     shared state (a session cache, a key log file) needs its own locking;
//   - sees slices (a traced message, a chain, a session ID) valid only until
//     it returns, and copies what it keeps;
//   - reports failure only as the hook's signature allows: an error from
//     VerifyPeer fails the handshake with bad_certificate (or the alert of a
//     returned [*AlertError]), one from GetOCSPStaple or Rand with
//     internal_error; KeyLogWriter and Trace cannot fail the connection, and
//     a write error of KeyLogWriter is ignored;
//   - must not panic: panics are not recovered and leave the Conn unusable.
//
// Rand and Time make a run reproducible only if they are: a Rand that is a
// seeded stream and a Time that is a fixed or simulated clock give the same
// wire bytes for the same inputs.
//
// # Wire bytes depend on AES hardware
//
// Like crypto/tls, a server that follows its own cipher suite order still
// gives a client that lists ChaCha20-Poly1305 first that suite when this CPU
// has no AES hardware (AES-NI with CLMUL, ARMv8 AES with PMULL, or s390x
// AES-GCM), because software AES-GCM is slow and not constant time there.
// The negotiated suite, and so every byte after the ServerHello, can
// therefore differ between machines for the same seed and inputs; a
// reproducible run pins Config.CipherSuites or the client's order.
//
// [RFC 5246]: https://www.rfc-editor.org/rfc/rfc5246
// [RFC 7627]: https://www.rfc-editor.org/rfc/rfc7627
// [RFC 5746]: https://www.rfc-editor.org/rfc/rfc5746
// [RFC 6066]: https://www.rfc-editor.org/rfc/rfc6066
// [RFC 7301]: https://www.rfc-editor.org/rfc/rfc7301
// [RFC 8446]: https://www.rfc-editor.org/rfc/rfc8446
package machine
