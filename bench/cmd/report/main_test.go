package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sanstls/sanstls/bench"
)

// TestQuickReport smoke-runs the report in its quick mode and checks that
// every row of every table is there with figures for both stacks.
func TestQuickReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "performance.md")
	if err := run(true, out, 0, 0, 0, true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	figure := regexp.MustCompile(`^[0-9.]+ (ns|µs|ms)`)
	bytesFig := regexp.MustCompile(`^[0-9.]+ (B|KiB)`)
	count := map[string]int{}
	for _, line := range strings.Split(doc, "\n") {
		cols := strings.Split(line, " | ")
		switch {
		case strings.HasPrefix(line, "| full, ") || strings.HasPrefix(line, "| resumed ("):
			count["handshake"]++
			if !figure.MatchString(cols[2]) || !figure.MatchString(cols[5]) {
				t.Errorf("handshake row without sanstls figures: %s", line)
			}
			sessionID := strings.Contains(line, "session ID")
			if figure.MatchString(cols[3]) == sessionID {
				t.Errorf("handshake row with a wrong crypto/tls column: %s", line)
			}
			if strings.HasPrefix(line, "| full, ") && !strings.Contains(cols[8], "%") {
				t.Errorf("full handshake without a floor share: %s", line)
			}
		case regexp.MustCompile(`^\| (AES|ChaCha)`).MatchString(line):
			count["record"]++
			for _, i := range []int{2, 3, 7} {
				if !figure.MatchString(cols[i]) {
					t.Errorf("record row with a missing figure (column %d): %s", i, line)
				}
			}
			if !strings.HasSuffix(cols[8], "×") {
				t.Errorf("record row without a ratio to the raw AEAD: %s", line)
			}
		case regexp.MustCompile(`^\| (direct|net\.Pipe|loopback TCP) \| (handshake|16 KiB)`).MatchString(line):
			count["memory"]++
			if !bytesFig.MatchString(cols[2]) || !bytesFig.MatchString(cols[3]) {
				t.Errorf("memory row without figures: %s", line)
			}
		}
	}
	want := map[string]int{
		"handshake": len(bench.HandshakeKinds) * len(bench.Transports),
		"record":    len(bench.RecordSuites) * len(bench.RecordSizes) * len(bench.Transports),
		"memory":    2 * len(bench.Transports),
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%d %s rows, want %d\n%s", count[k], k, n, doc)
		}
	}
	for _, s := range []string{"Go: go", "Machine: ", "Load average", "-quick"} {
		if !strings.Contains(doc, s) {
			t.Errorf("the report lacks %q", s)
		}
	}
}
