package testkit

import (
	"encoding/binary"
	mrand "math/rand/v2"
)

// Rand returns a deterministic io.Reader: ChaCha8 keyed by seed (bytes 0-7,
// little-endian) and stream (bytes 8-15), the rest of the key zero. The same
// (seed, stream) gives the same bytes in every run and on every platform,
// which makes machine runs reproducible.
//
// Rand is for tests only: its output is predictable by construction. Never
// use it to generate keys or nonces outside tests.
func Rand(seed, stream uint64) *mrand.ChaCha8 {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	binary.LittleEndian.PutUint64(s[8:], stream)
	return mrand.NewChaCha8(s)
}

// Bytes returns n bytes from Rand(seed, stream).
func Bytes(n int, seed, stream uint64) []byte {
	b := make([]byte, n)
	_, _ = Rand(seed, stream).Read(b) // ChaCha8.Read never fails
	return b
}
