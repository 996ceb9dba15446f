package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The benchmarks measure the rows of docs/performance.md one at a time,
// for `go test -bench`; `go run ./bench/cmd/report` measures them all in
// interleaved rounds and writes the table.

func name(s string) string {
	r := strings.NewReplacer(", ", "/", " ", "-", "(", "", ")", "", "/", "-")
	parts := strings.Split(s, ", ")
	for i, p := range parts {
		parts[i] = r.Replace(p)
	}
	return strings.Join(parts, "/")
}

func stackName(s Stack) string {
	if s == CryptoTLS {
		return "crypto-tls"
	}
	return "sanstls"
}

// runCell runs a cell's operation b.N times.
func runCell(b *testing.B, c *cell) {
	b.Helper()
	if c.err != nil {
		b.Skip(c.err) // crypto/tls and session IDs: no such operation
	}
	defer c.close()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.op(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandshake measures a client and server pair from the first byte
// to both handshakes done, for each handshake kind, transport and stack.
func BenchmarkHandshake(b *testing.B) {
	for _, h := range HandshakeKinds {
		for _, t := range Transports {
			for s := range 2 {
				b.Run(name(handshakeLabel(h))+"/"+name(t.String())+"/"+stackName(Stack(s)), func(b *testing.B) {
					runCell(b, handshakeCell(Stack(s), t, h))
				})
			}
		}
	}
}

// BenchmarkRecord measures one record sealed by the client and opened by the
// server, and the raw AEAD doing the same.
func BenchmarkRecord(b *testing.B) {
	for _, suite := range RecordSuites {
		for _, size := range RecordSizes {
			prefix := fmt.Sprintf("%s/%dKiB/", suiteLabel(suite), size/1024)
			b.Run(prefix+"raw-aead", func(b *testing.B) {
				b.SetBytes(int64(size))
				runCell(b, plainCell("raw", rawAEAD(suite, size)))
			})
			for _, t := range Transports {
				for s := range 2 {
					b.Run(prefix+name(t.String())+"/"+stackName(Stack(s)), func(b *testing.B) {
						b.SetBytes(int64(size))
						runCell(b, recordCell(Stack(s), t, suite, size))
					})
				}
			}
		}
	}
}

// BenchmarkFloor measures the public-key operations of a full handshake.
func BenchmarkFloor(b *testing.B) {
	for _, k := range []KeyType{ECDSA, RSA2048} {
		b.Run("sign/"+name(k.String()), func(b *testing.B) { runCell(b, plainCell("sign", floorSign(k))) })
		b.Run("verify/"+name(k.String()), func(b *testing.B) { runCell(b, plainCell("verify", floorVerify(k))) })
		b.Run("x509/"+name(k.String()), func(b *testing.B) { runCell(b, plainCell("x509", floorX509(k))) })
	}
	for _, h := range HandshakeKinds[:2] {
		b.Run("ecdhe/"+groupName(h.Group), func(b *testing.B) { runCell(b, plainCell("ecdhe", floorKex(h.Group))) })
	}
}

// BenchmarkRatio runs sanstls and crypto/tls back to back in each iteration
// (samples of about 10 ms each, the order alternating) and reports the
// ratios of their CPU and wall times, sanstls ÷ crypto/tls: below 1,
// sanstls is cheaper. For full handshakes it also reports the public-key
// floor's share of sanstls's CPU time; for records, sanstls ÷ the raw AEAD.
func BenchmarkRatio(b *testing.B) {
	const target = 10 * time.Millisecond
	ratios := func(b *testing.B, cells []*cell, extra func(cells []*cell)) {
		for _, c := range cells {
			defer c.close()
			c.calibrate(target)
			if c.err != nil {
				b.Fatal(c.err)
			}
		}
		i := 0
		for b.Loop() {
			g := cells
			if i%2 == 1 {
				g = []*cell{cells[1], cells[0]}
				g = append(g, cells[2:]...)
			}
			for _, c := range g {
				c.sample()
			}
			i++
		}
		s, c := cells[0].figure(), cells[1].figure()
		b.ReportMetric(s.CPU.Median/c.CPU.Median, "cpu-ratio")
		b.ReportMetric(s.Wall.Median/c.Wall.Median, "wall-ratio")
		b.ReportMetric(s.CPU.Median, "sanstls-cpu-ns/op")
		b.ReportMetric(c.CPU.Median, "crypto-tls-cpu-ns/op")
		if extra != nil {
			extra(cells)
		}
	}
	for _, h := range HandshakeKinds {
		if h.Resume == SessionID {
			continue // crypto/tls has none
		}
		for _, t := range Transports {
			b.Run("handshake/"+name(handshakeLabel(h))+"/"+name(t.String()), func(b *testing.B) {
				cells := []*cell{handshakeCell(Sanstls, t, h), handshakeCell(CryptoTLS, t, h)}
				var extra func([]*cell)
				if h.Resume == Full {
					cells = append(cells, plainCell("sign", floorSign(h.Key)), plainCell("verify", floorVerify(h.Key)),
						plainCell("x509", floorX509(h.Key)), plainCell("ecdhe", floorKex(h.Group)))
					extra = func(cells []*cell) {
						floor := cells[2].figure().CPU.Median + cells[3].figure().CPU.Median +
							cells[4].figure().CPU.Median + 2*cells[5].figure().CPU.Median
						b.ReportMetric(100*floor/cells[0].figure().CPU.Median, "floor-%")
					}
				}
				ratios(b, cells, extra)
			})
		}
	}
	for _, suite := range RecordSuites {
		for _, size := range RecordSizes {
			for _, t := range Transports {
				b.Run(fmt.Sprintf("record/%s/%dKiB/%s", suiteLabel(suite), size/1024, name(t.String())), func(b *testing.B) {
					cells := []*cell{recordCell(Sanstls, t, suite, size), recordCell(CryptoTLS, t, suite, size),
						plainCell("raw", rawAEAD(suite, size))}
					ratios(b, cells, func(cells []*cell) {
						b.ReportMetric(cells[0].figure().CPU.Median/cells[2].figure().CPU.Median, "raw-aead-ratio")
					})
				})
			}
		}
	}
}

// BenchmarkRetained reports the heap retained per idle endpoint over 2,000
// pairs, after the handshake and after 16 KiB each way.
func BenchmarkRetained(b *testing.B) {
	const pairs = 2000
	for _, t := range Transports {
		for s := range 2 {
			b.Run(name(t.String())+"/"+stackName(Stack(s)), func(b *testing.B) {
				var idle, after float64
				for b.Loop() {
					var err error
					if idle, after, err = retained(Stack(s), t, pairs); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(idle, "B/endpoint-idle")
				b.ReportMetric(after, "B/endpoint-after-16KiB")
			})
		}
	}
}
