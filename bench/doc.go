// Package bench holds benchmarks that compare sanstls with crypto/tls in one
// run: a full handshake pair and record processing. Run them with
//
//	go test -run x -bench . -benchmem ./bench/
//
// and read the ratios off the sanstls and crypto-tls lines of each group.
package bench
