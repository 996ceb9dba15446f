// Package testkit builds what the sanstls tests need over and over: a CA and
// leaf certificates (ECDSA P-256/P-384, RSA-2048, Ed25519), PEM encodings,
// and a seeded, reproducible randomness source.
//
// It is for tests only. Nothing under messages/, keys/ or machine/ may import
// it from non-test code (deps_test.go enforces this), and it imports nothing
// of ours, so every package's tests, including those of keys and messages,
// can use it without an import cycle.
package testkit
