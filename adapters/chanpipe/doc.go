// Package chanpipe connects a client and a server [machine.Conn] in memory,
// for tests and simulations of the sans-IO machine.
//
// [Pair] is the main tool: a single-goroutine, deterministic driver holding
// both machines and a byte queue per direction. [Pair.Step] moves at most
// one chunk each way and lets the receiver process it; [Pair.Run] steps
// until nothing is in flight. Options, all drawn from one seed, re-chunk the
// streams (down to single bytes), delay chunks, and corrupt, drop, duplicate
// or truncate bytes at stream offsets, in either direction. Each
// [Endpoint] records what its side saw: application data (copied), events,
// the fatal error, and how many records and alert records it sent (read
// from the 5-byte record headers, since adapters may not import the
// messages package). With seeded Config.Rand and a fixed Config.Time, two
// runs with the same options produce byte-identical transcripts
// ([Pair.Transcript]).
//
// [Pipe] runs the same two machines in goroutines connected by channels of
// []byte chunks, with the same fault options, for code that wants
// concurrency rather than determinism.
//
// When a machine pauses for Config.DeferVerify, both drivers answer it
// with the checks the machine would make synchronously
// (machine.Config.VerifyPeerCerts): the Pair one step later, the Pipe at
// once.
package chanpipe
