// Package bench measures sanstls side by side with crypto/tls: handshake
// pairs (full, with ECDSA and RSA-2048 certificates and X25519 or P-256;
// resumed with a ticket or a session ID) against the public-key floor,
// records (1 KiB and 16 KiB; AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305)
// against the raw AEAD, allocations, and the heap retained per idle
// endpoint, each for the machine driven directly and for adapters/netconn
// over net.Pipe and loopback TCP.
//
// The table in docs/performance.md comes from
//
//	go run ./bench/cmd/report          # a few minutes; -quick for a smoke run
//
// which runs every row in interleaved rounds (sanstls and crypto/tls back
// to back) and reports medians and ranges of CPU time (getrusage) and wall
// time. The same figures are benchmarks:
//
//	go test -run x -bench . -benchmem ./bench/
//
// BenchmarkHandshake, BenchmarkRecord and BenchmarkFloor time one stack at a
// time; BenchmarkRatio alternates sanstls and crypto/tls within each
// iteration and reports cpu-ratio and wall-ratio (sanstls ÷ crypto/tls),
// floor-% for full handshakes and raw-aead-ratio for records;
// BenchmarkRetained reports B/endpoint-idle and B/endpoint-after-16KiB
// over 2,000 pairs.
//
// The load test (load_test.go) runs only with -load; see its doc comment.
package bench
