// Package sanstls is the root of a TLS 1.2 implementation built as a
// side-effect-free ("sans-IO") state machine.
//
// The packages are layered:
//
//   - [github.com/sanstls/sanstls/messages]: wire formats (RFC 5246 and its extensions).
//   - [github.com/sanstls/sanstls/keys]: PRF, key schedule, record protection, key exchange.
//   - [github.com/sanstls/sanstls/machine]: the client and server state machines.
//   - adapters/*: bindings of the machine to net.Conn, channels and WebAssembly.
//
// This package holds no code; its tests enforce the dependency rules between
// the packages above (see deps_test.go).
package sanstls
