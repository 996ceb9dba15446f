// Command bogo-shim connects sanstls to BoGo, BoringSSL's TLS conformance
// runner (ssl/test/runner in the BoringSSL repository; the protocol is
// described in its ssl/test/PORTING.md).
//
// The runner starts the shim once per test with BoringSSL-style flags
// (-port, -shim-id, -server, -resume-count, -curves, ...). The shim dials the
// runner on loopback, writes its shim ID as an 8-byte little-endian integer,
// runs a TLS 1.2 handshake per connection (and any renegotiation the runner
// asks for) with a [machine.Conn] driven directly over the TCP connection,
// and echoes application data back with every byte XORed with 0xff. On
// failure it prints a BoringSSL error code such as ":NO_SHARED_CIPHER:" to
// stderr and exits 1; the code comes from the machine's stable failure
// reason ([machine.AlertError].Reason), refined by what the shim saw on the
// wire, never from error text.
//
// Exit codes: 0 success, 1 failure (including flags the shim has never heard
// of, so that new upstream flags are noticed), 89 a test that needs a
// feature sanstls does not implement (the runner counts it as
// unimplemented under -allow-unimplemented).
//
// config.json in this directory is the runner's -shim-config: the tests that
// cannot apply to a TLS 1.2-only stack, each with a reason, and the error
// mapping. docs/conformance.md says how to run the suite and what it found.
//
// Nothing from BoringSSL is vendored or built here: the runner is built from
// a separate checkout of the pinned commit.
package main
