// Package sim is a seeded network simulator for the sans-IO machine: many
// TLS 1.2 clients and servers ([machine.Conn]) driven from one goroutine on
// virtual time, so that a run of 10,000 connections is reproducible from a
// single seed and takes only the CPU time of the handshakes themselves.
//
// A [Scenario] says how many connections arrive and when (all at once,
// Poisson, or a ramp), what each does (a full or resumed handshake, with or
// without a client certificate; request/response exchanges; a
// renegotiation; close_notify at the end) and what the network does to it
// (a [Network]: latency with jitter, bandwidth, MTU-sized segments, and
// per-connection [Fault]s: bytes corrupted, dropped, duplicated, the stream
// truncated, or a peer that stalls, closes or resets). [Run] returns a
// [Report]: the outcome of every connection (ok, the alert and which side
// sent it, truncated, reset, or stalled together with what the stalled side
// was waiting for), handshake latency in virtual milliseconds and in
// round trips, bytes and records per handshake kind, and — when the caller
// supplies the clocks — CPU time per handshake and retained heap per idle
// endpoint.
//
// # Virtual time and stalls
//
// Every delivery is an event on a virtual clock. Nothing ever waits for the
// wall clock: a connection that cannot make progress is found when the event
// queue is empty, and is reported as stalled with the machine's position in
// the handshake (the message it expects next) and the bytes it holds and
// needs. Only then does the simulator play the part of an idle timeout: it
// ends the stalled connection's transport, so that its endpoints end with
// machine.ErrTruncated.
//
// # Reproducibility
//
// Everything a run decides comes from [Scenario.Seed]: connection arrival
// times from one stream, and for each connection its plan (resumption,
// client authentication, renegotiation, fault), its network draws and both
// endpoints' Config.Rand from streams keyed by the seed and the
// connection's index. Config.Time is the virtual clock. The certificates are
// built deterministically (an Ed25519 CA, an ECDSA P-256 server key that
// signs with RFC 6979). So the same scenario gives the same report and the
// same per-connection transcripts, and [Replay] reruns one connection alone
// (with the earlier connections whose sessions it resumes) and reproduces
// its transcript exactly.
//
// # Purity
//
// Like the machine, this package does no I/O, starts no goroutines, takes no
// locks, never reads the wall clock and uses no global randomness
// (deps_test.go checks this). The two measurements of a [Report] that are
// not virtual — CPU time per handshake and retained heap per idle endpoint —
// come in through [Scenario.CPUTime] and [Scenario.HeapInUse], callbacks the
// caller provides (cmd/sanstls does); without them those figures are absent
// and the report is entirely a function of the scenario.
//
// The simulator's randomness (PCG streams) is for reproducibility, not
// security: the keys it makes are predictable by design.
package sim
