package sim

import (
	"flag"
	"strings"
	"testing"
)

var campaignRuns = flag.Int("sim.campaign", 140, "runs of the fault campaign in TestCampaign")

func TestCampaign(t *testing.T) {
	r, err := RunCampaign(Campaign{Runs: *campaignRuns, Seed: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	r.Format(&sb)
	t.Log("\n" + sb.String())
	if !r.OK() {
		t.Fatalf("campaign failed:\n%s", sb.String())
	}
	if r.Faulted != *campaignRuns || r.Clean != 2**campaignRuns {
		t.Errorf("%d faulted and %d clean connections in %d runs of 3", r.Faulted, r.Clean, *campaignRuns)
	}
	if len(r.ByKind) != len(AllFaultKinds) {
		t.Errorf("outcomes for %d fault kinds, want %d", len(r.ByKind), len(AllFaultKinds))
	}
}

// TestJudgeRejects checks that the campaign's verdict can fail.
func TestJudgeRejects(t *testing.T) {
	clean := ConnResult{Outcome: Outcome{Kind: OK}, Sent: [2]int64{500, 3000}, HandshakeSent: [2]int64{300, 1200},
		AppBytes: [2]int64{200, 2000}}
	hit := func(o Outcome) ConnResult { return ConnResult{Outcome: o, FaultHit: true, AppBytes: clean.AppBytes} }
	for _, tc := range []struct {
		f   Fault
		got ConnResult
	}{
		{Fault{Kind: Truncate, From: Client, Offset: 10}, hit(Outcome{Kind: OK})},
		{Fault{Kind: Drop, From: Client, Offset: 10, Len: 3}, hit(Outcome{Kind: OK})},
		{Fault{Kind: Corrupt, From: Server, Offset: 2000}, hit(Outcome{Kind: Alerted, Alert: 80 /* internal_error */, Side: Client})},
		{Fault{Kind: Corrupt, From: Server, Offset: 2000}, hit(Outcome{Kind: Alerted, Alert: 40 /* handshake_failure */, Side: Client})},
		{Fault{Kind: Corrupt, From: Server, Offset: 2000}, hit(Outcome{Kind: Alerted, Alert: 20 /* bad_record_mac */, Side: Server})},
		{Fault{Kind: Stall, From: Server, Offset: 10}, hit(Outcome{Kind: Truncated, Side: Client})},
		{Fault{Kind: Truncate, From: Server, Offset: 10}, hit(Outcome{Kind: Truncated, Side: Server})},
		{Fault{Kind: ResetConn, From: Server, Offset: 10}, hit(Outcome{Kind: Reset, Side: Server})},
		{Fault{Kind: Corrupt, From: Server, Offset: 10}, ConnResult{Outcome: Outcome{Kind: Alerted, Alert: 20, Side: Client}}},
		{Fault{Kind: Corrupt, From: Server, Offset: 10}, func() ConnResult { c := hit(Outcome{Kind: OK}); c.Altered = true; return c }()},
	} {
		if ok, absorbed, _ := judge(tc.f, clean, tc.got); ok || absorbed {
			t.Errorf("judge accepted %v for %v", tc.got.Outcome, tc.f)
		}
	}
	if ok, _, why := judge(Fault{Kind: Corrupt, From: Server, Offset: 2000}, clean,
		hit(Outcome{Kind: Alerted, Alert: 20, Side: Client})); !ok {
		t.Errorf("judge rejected bad_record_mac from the receiver: %s", why)
	}
}
