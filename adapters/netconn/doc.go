// Package netconn runs a [machine.Conn] over a [net.Conn]: a TLS 1.2
// connection with the API of crypto/tls, so that code moves over by changing
// the import and the config type ([Config] is [machine.Config]).
//
//	conn, err := netconn.Dial("tcp", "example.com:443", &netconn.Config{RootCAs: roots})
//
// [Client], [Server], [Dial], [DialWithDialer], [DialContext], [Listen] and
// [NewListener] mirror their crypto/tls namesakes; [*Conn] implements
// [net.Conn] plus Handshake, HandshakeContext, ConnectionState, CloseWrite,
// NetConn and ExportKeyingMaterial.
//
// The adapter owns everything the sans-IO machine leaves out: goroutines
// (only one, to interrupt a handshake when its context is done), locks,
// deadlines and I/O. Each Conn keeps one receive buffer of
// [machine.MaxRecordLen] plus some room, compacted as records are consumed,
// and one send buffer; records are decrypted in place and application data
// is copied straight from the receive buffer into the caller's slice, so a
// Read or Write does not allocate once the connection is established.
//
// Differences from crypto/tls:
//
//   - Only TLS 1.2 with ECDHE and AEAD suites, as the machine implements.
//   - The transport ending without close_notify makes Read fail with an
//     error matching [machine.ErrTruncated] (and io.ErrUnexpectedEOF).
//   - Fatal alerts, sent or received, are [*machine.AlertError] values.
//   - With Config.DeferVerify the machine pauses for the peer's chain; the
//     adapter then verifies it itself, outside the machine lock, with
//     [machine.Config.VerifyPeerCerts], and answers with
//     ResolveVerifyChains. The result is the
//     same as without DeferVerify; the option exists to exercise the
//     machine's asynchronous path through a real transport.
//
// Concurrency follows net.Conn: one Read and one Write may run at the same
// time, and Close may interrupt both. A mutex guards the machine and is never
// held across I/O; bytes the machine produces are written in the order it
// produced them.
package netconn
