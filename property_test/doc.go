// Package property holds no code, only property-based tests of the sans-IO
// machine (package machine) driven as a client/server pair with
// pgregory.net/rapid:
//
//   - TestPairStateMachine runs random sequences of actions (sends of 0 to
//     40000 bytes, deliveries in random chunks, renegotiations, closes,
//     reconnections that resume) on a pair with a random cipher suite,
//     group, ALPN, client authentication, resumption and renegotiation
//     policy, and checks after every action that both sides agree on the
//     handshake or both fail, that an alert is sent exactly when a side
//     fails locally, that application data arrives unchanged, in order and
//     once, that nothing is emitted after a fatal error, and that events come
//     in a legal order.
//   - TestFaultsAfterHandshake and TestFaultsDuringHandshake corrupt, drop,
//     duplicate or truncate the byte stream (adapters/chanpipe options) and
//     check that altered data is never delivered and that keys never
//     mismatch.
//   - TestDeterminism and TestDeterminismStateMachine run one schedule twice
//     and compare the transcripts byte for byte.
//
// Each property also has a go-fuzz target made with rapid.MakeFuzz
// (FuzzPairStateMachine, FuzzFaultsAfterHandshake, FuzzFaultsDuringHandshake,
// FuzzDeterminism). The number of rapid checks is set with -rapid.checks
// (default 100) and the mean number of actions with -rapid.steps (default
// 30).
package property
