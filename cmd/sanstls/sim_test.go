package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func simRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"sim"}, args...), strings.NewReader(""), &out, &errOut, noEnv)
	return code, out.String(), errOut.String()
}

func TestSimCommand(t *testing.T) {
	page := filepath.Join(t.TempDir(), "report.html")
	code, out, errOut := simRun(t, "-conns", "80", "-seed", "3", "-rate", "200", "-loss-faults", "0.1", "-html", page)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"80 connections, seed 3", "full ", "resumed ", "outcome", "faults injected",
		"altered plaintext delivered: 0", "retained heap per idle endpoint", "handshakes per CPU-second",
		"replay one connection with: sanstls sim -conns 80 -seed 3 -rate 200 -loss-faults 0.1 -replay N"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "100% 80/80") {
		t.Errorf("no finished progress bar on stderr: %q", errOut)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(html), "<svg"); n != 3 {
		t.Errorf("the HTML report has %d plots, want 3", n)
	}
	// Self-contained: nothing is loaded from elsewhere.
	if m := regexp.MustCompile(`(?i)(src|href)\s*=|@import|url\(`).FindString(string(html)); m != "" {
		t.Errorf("the HTML report loads something: %q", m)
	}
	// Same flags, same report (the measured CPU and heap figures aside).
	_, again, _ := simRun(t, "-conns", "80", "-seed", "3", "-rate", "200", "-loss-faults", "0.1", "-q")
	digest := regexp.MustCompile(`digest [0-9a-f]{16}`)
	if a, b := digest.FindString(out), digest.FindString(again); a == "" || a != b {
		t.Errorf("two runs: %q and %q", a, b)
	}
	virtual := func(s string) string { // the tables without the CPU column and the measured lines
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "retained heap") || strings.HasPrefix(l, "run:") || strings.HasPrefix(l, "HTML") || strings.HasPrefix(l, "replay") {
				continue
			}
			if f := strings.Fields(l); len(f) == 10 && (f[0] == "full" || f[0] == "resumed" || f[0] == "client-auth") {
				l = strings.Join(f[:9], " ")
			}
			keep = append(keep, l)
		}
		return strings.Join(keep, "\n")
	}
	if virtual(out) != virtual(again) {
		t.Errorf("two runs with the same seed differ:\n%s\n---\n%s", virtual(out), virtual(again))
	}
}

func TestSimReplay(t *testing.T) {
	code, out, errOut := simRun(t, "-conns", "40", "-seed", "5", "-rate", "100", "-resume", "0.9", "-replay", "30")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"connection 30 of 40, seed 5", "1. ClientHello", "(on the wire)", "receives a segment",
		"event HandshakeDone", "14. Application data", "15. close_notify", "outcome: ok", "handshake in"} {
		if !strings.Contains(out, want) {
			t.Errorf("the replay lacks %q:\n%s", want, out)
		}
	}
	// The replay's transcript is the one of the connection in the full run
	// (sim.TestReplayReproducesConnection checks this for every kind).
	if code, _, errOut := simRun(t, "-conns", "40", "-replay", "40"); code != 1 || !strings.Contains(errOut, "no connection 40") {
		t.Errorf("-replay 40 of 40: exit %d, %q", code, errOut)
	}
}

func TestSimCampaign(t *testing.T) {
	code, out, errOut := simRun(t, "-campaign", "14", "-q")
	if code != 0 || !strings.Contains(out, "verdict: every fault ended") || !strings.Contains(out, "14 faulted connections") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestSimFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-arrival", "sometimes"}, "unknown -arrival"},
		{[]string{"-resume", "2"}, "-resume must be a fraction"},
		{[]string{"-preset", "nope"}, "unknown -preset"},
		{[]string{"-fault-kinds", "corrupt,melt"}, `unknown fault kind "melt"`},
		{[]string{"-resume-by", "magic"}, "unknown -resume-by"},
		{[]string{"-conns", "0"}, "-conns must be positive"},
	} {
		if code, _, errOut := simRun(t, tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	// A preset, with an explicit flag overriding it.
	var f simFlags
	f.preset, f.conns, f.rtt = "burst", 10, 0
	sc, err := f.scenario(map[string]bool{"conns": true})
	if err != nil || sc.Conns != 10 || sc.Network.RTT == 0 || sc.Arrival.Kind != 1 {
		t.Errorf("preset burst: %+v, %v", sc, err)
	}
}
