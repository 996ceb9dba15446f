// Command report measures sanstls side by side with crypto/tls and writes
// docs/performance.md:
//
//	go run ./bench/cmd/report            # the full run, a few minutes
//	go run ./bench/cmd/report -quick     # a smoke run, seconds
//
// It runs interleaved rounds (each row's sanstls and crypto/tls samples
// back to back) and reports, per figure, the median and the range of the
// rounds in CPU time (getrusage) and wall time: full and resumed handshake
// pairs against the public-key floor, records against the raw AEAD,
// allocations, and the heap retained per idle endpoint. Run it on an idle
// machine for figures worth quoting; the report prints the load average.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sanstls/sanstls/bench"
)

func main() {
	quick := flag.Bool("quick", false, "smoke run: every row, few short samples (seconds)")
	out := flag.String("o", filepath.Join("docs", "performance.md"), "output file (- for stdout)")
	rounds := flag.Int("rounds", 0, "interleaved rounds (default 11, or 3 with -quick)")
	target := flag.Duration("sample", 0, "length of one sample (default 100ms, or 1ms with -quick)")
	pairs := flag.Int("pairs", 0, "pairs per retained-heap measurement (default 2000, or 20 with -quick)")
	quiet := flag.Bool("q", false, "no progress on stderr")
	flag.Parse()
	if err := run(*quick, *out, *rounds, *target, *pairs, *quiet); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(quick bool, out string, rounds int, target time.Duration, pairs int, quiet bool) error {
	o := bench.FullOptions()
	if quick {
		o = bench.QuickOptions()
	}
	if rounds > 0 {
		o.Rounds = rounds
	}
	if target > 0 {
		o.Target = target
	}
	if pairs > 0 {
		o.MemPairs = pairs
	}
	began := time.Now()
	progress := func(s string) {
		if !quiet {
			fmt.Fprintf(os.Stderr, "report: %6.1fs %s\n", time.Since(began).Seconds(), s)
		}
	}
	res, err := bench.Run(o, progress)
	if err != nil {
		return err
	}
	res.Quick = quick
	var buf bytes.Buffer
	if err := bench.WriteMarkdown(&buf, res); err != nil {
		return err
	}
	if out == "-" {
		_, err := os.Stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	progress("wrote " + out)
	return nil
}
