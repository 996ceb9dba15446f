package sim

import (
	"flag"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

var bigConns = flag.Int("sim.conns", 0, "also run a scenario of this many connections (TestLarge)")

// mixed is a scenario that exercises every kind of handshake and script.
func mixed(conns int, seed uint64) Scenario {
	return Scenario{Conns: conns, Seed: seed, Resume: 0.5, ClientAuth: 0.3, Renegotiate: 0.3, Requests: 2,
		Arrival: Arrival{Rate: 200}}
}

func TestMixedScenarioCompletes(t *testing.T) {
	r, err := Run(mixed(150, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Conns) != 150 {
		t.Fatalf("%d connection results, want 150", len(r.Conns))
	}
	reneg := 0
	for _, c := range r.Conns {
		if c.Outcome.Kind != OK || c.Altered || !c.Handshake {
			t.Errorf("connection %d: %v (altered %v, handshake %v)", c.Index, c.Outcome, c.Altered, c.Handshake)
		}
		if want := int64(3 * 2000); c.AppBytes[Client] < int64(2*2000) || c.AppBytes[Client] > want {
			t.Errorf("connection %d: the client received %d bytes", c.Index, c.AppBytes[Client])
		}
		if c.Renegotiated {
			reneg++
			if c.AppBytes[Client] != 3*2000 || c.AppBytes[Server] != 3*200 {
				t.Errorf("connection %d renegotiated but exchanged %v bytes, want a third exchange", c.Index, c.AppBytes)
			}
		}
	}
	if reneg == 0 {
		t.Errorf("no connection renegotiated")
	}
	for _, k := range r.Kinds {
		if k.Count == 0 {
			t.Errorf("no %v handshake completed", k.Kind)
			continue
		}
		// A full handshake takes two round trips, an abbreviated one
		// one, plus jitter (up to RTT/10 each way) and transmission.
		want := 2.0
		if k.Kind == Resumed {
			want = 1
		}
		if got := r.RTTs(k.Latency.P50); got < want || got > want+0.5 {
			t.Errorf("%v: median latency %.2f RTT, want about %v", k.Kind, got, want)
		}
		if k.Bytes < 200 || k.Records < 5 {
			t.Errorf("%v: %.0f bytes in %.1f records per handshake", k.Kind, k.Bytes, k.Records)
		}
	}
	if full, res := r.Kinds[Full], r.Kinds[Resumed]; res.Bytes >= full.Bytes {
		t.Errorf("resumed handshakes (%.0f B) are not smaller than full ones (%.0f B)", res.Bytes, full.Bytes)
	}
	if auth, full := r.Kinds[ClientAuth], r.Kinds[Full]; auth.Bytes <= full.Bytes {
		t.Errorf("client-auth handshakes (%.0f B) are not larger than full ones (%.0f B)", auth.Bytes, full.Bytes)
	}
}

func TestPresets(t *testing.T) {
	for name := range Presets {
		if name == "lossy" {
			continue // faults: see the fault tests
		}
		sc, err := Preset(name, 20, 3)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Arrival.Kind == Poisson {
			sc.Arrival.Rate = 50 // so that sessions exist to resume
		}
		r, err := Run(sc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(r.Outcomes) != 1 || r.Outcomes[0].Label != "ok" {
			t.Errorf("%s: outcomes %v", name, r.Outcomes)
		}
		if sc.Resume > 0 && r.Kinds[Resumed].Count == 0 {
			t.Errorf("%s: nothing resumed", name)
		}
	}
	if _, err := Preset("nope", 1, 1); err == nil {
		t.Errorf("Preset accepted an unknown name")
	}
}

func TestDeterminism(t *testing.T) {
	sc := mixed(120, 9)
	sc.Faults = 0.2
	a, err := Run(sc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(sc)
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest != b.Digest {
		t.Fatalf("two runs of one scenario: digests %x and %x", a.Digest, b.Digest)
	}
	for i := range a.Conns {
		if a.Conns[i] != b.Conns[i] {
			t.Fatalf("connection %d differs:\n%+v\n%+v", i, a.Conns[i], b.Conns[i])
		}
	}
	sc.Seed++
	c, err := Run(sc)
	if err != nil {
		t.Fatal(err)
	}
	if c.Digest == a.Digest {
		t.Fatalf("seeds %d and %d give the same digest", sc.Seed-1, sc.Seed)
	}
}

func TestReplayReproducesConnection(t *testing.T) {
	sc := mixed(120, 5)
	sc.Faults = 0.25
	full, err := Run(sc)
	if err != nil {
		t.Fatal(err)
	}
	// One connection of each outcome and kind, resumed ones included.
	picked := map[string]int{}
	for _, c := range full.Conns {
		key := c.Outcome.Kind.String() + "/" + c.Kind.String()
		if _, ok := picked[key]; !ok {
			picked[key] = c.Index
		}
	}
	if _, ok := picked["ok/resumed"]; !ok {
		t.Fatalf("no resumed connection to replay: %v", picked)
	}
	for key, i := range picked {
		var traced, sent int
		got, err := Replay(sc, i, Observer{
			Trace: func(Side, bool, machine.ContentType, []byte) { traced++ },
			Send:  func(time.Duration, Side, []byte) { sent++ },
		})
		if err != nil {
			t.Fatal(err)
		}
		if got != full.Conns[i] {
			t.Errorf("%s: replay of connection %d:\n%+v\nfull run:\n%+v", key, i, got, full.Conns[i])
		}
		if traced == 0 || sent == 0 {
			t.Errorf("%s: the observer saw %d traces and %d sends", key, traced, sent)
		}
	}
	if _, err := Replay(sc, 120, Observer{}); err == nil {
		t.Errorf("Replay of a connection beyond Conns succeeded")
	}
}

// one runs a single connection with fault f.
func one(t *testing.T, sc Scenario, f Fault) ConnResult {
	t.Helper()
	sc.Conns = 1
	sc.faults = map[int]Fault{0: f}
	p, err := newPKI()
	if err != nil {
		t.Fatal(err)
	}
	r, err := run(sc.withDefaults(), p, nil, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r.Conns[0]
}

func TestFaultOutcomes(t *testing.T) {
	sc := Scenario{Seed: 2, Requests: 1}
	clean := one(t, sc, Fault{})
	if clean.Outcome.Kind != OK {
		t.Fatalf("clean connection: %v", clean.Outcome)
	}
	// An offset inside the client's request, after its handshake.
	inRequest := clean.HandshakeSent[Client] + 20
	for _, tc := range []struct {
		f    Fault
		want string
	}{
		{Fault{Kind: Corrupt, From: Client, Offset: inRequest, Bit: 3}, "alert bad_record_mac from server"},
		{Fault{Kind: Duplicate, From: Client, Offset: inRequest, Len: 7}, "alert bad_record_mac from server"},
		{Fault{Kind: Truncate, From: Client, Offset: inRequest}, "truncated at server"},
		{Fault{Kind: CloseConn, From: Server, Offset: 100}, "truncated at client"},
		{Fault{Kind: ResetConn, From: Server, Offset: 100}, "reset at client"},
		{Fault{Kind: Stall, From: Client, Offset: 0}, "stalled"},
		{Fault{Kind: Corrupt, From: Client, Offset: clean.Sent[Client] + 10}, "ok"}, // beyond the stream
	} {
		got := one(t, sc, tc.f)
		if got.Outcome.Label() != tc.want {
			t.Errorf("%v: %v, want %s", tc.f, got.Outcome, tc.want)
		}
		if got.FaultHit != (tc.want != "ok") {
			t.Errorf("%v: FaultHit %v", tc.f, got.FaultHit)
		}
		if got.Altered {
			t.Errorf("%v: altered data delivered", tc.f)
		}
	}
}

func TestStallDiagnosis(t *testing.T) {
	sc := Scenario{Seed: 4, Requests: 1}
	clean := one(t, sc, Fault{})
	for _, tc := range []struct {
		f    Fault
		want []string
	}{
		// The server never answers the ClientHello.
		{Fault{Kind: Stall, From: Server, Offset: 0}, []string{"client expects ServerHello; holds no partial record", "server hangs"}},
		// The ServerHello arrives, then nothing.
		{Fault{Kind: Stall, From: Server, Offset: 90}, []string{"client expects ServerHello; holds 90 bytes of a record, needs"}},
		// Five bytes of the ClientHello are lost: the server waits for
		// them forever.
		{Fault{Kind: Drop, From: Client, Offset: 50, Len: 5}, []string{"server expects ClientHello; holds", "needs 5 more"}},
		// The response is cut short by a stalled server.
		{Fault{Kind: Stall, From: Server, Offset: clean.HandshakeSent[Server] + 1000},
			[]string{"client expects application data: response 1, 0 of 2000 bytes; holds 1000 bytes of a record, needs"}},
	} {
		got := one(t, sc, tc.f)
		if got.Outcome.Kind != Stalled {
			t.Errorf("%v: %v, want stalled", tc.f, got.Outcome)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(got.Outcome.Waiting, w) {
				t.Errorf("%v: %q does not say %q", tc.f, got.Outcome.Waiting, w)
			}
		}
	}
}

func TestNetworkModel(t *testing.T) {
	// No jitter and a fast link: a full handshake is two round trips
	// plus the transmission time of its flights.
	sc := Scenario{Seed: 1, Requests: NoRequests, Network: Network{RTT: 40 * time.Millisecond, Jitter: -1, Bandwidth: 1e12}}
	r := one(t, sc, Fault{})
	if d := r.Latency - 80*time.Millisecond; d < 0 || d > time.Microsecond {
		t.Errorf("latency %v on an unjittered 40 ms RTT, want 80 ms", r.Latency)
	}
	// A slow link adds the serialisation of each flight: at 1 Mbit/s a
	// byte takes 8 µs.
	sc.Network.Bandwidth = 1e6
	slow := one(t, sc, Fault{})
	if min := 80*time.Millisecond + time.Duration(slow.HandshakeBytes)*8*time.Microsecond*9/10; slow.Latency < min {
		t.Errorf("latency %v at 1 Mbit/s for %d bytes, want at least %v", slow.Latency, slow.HandshakeBytes, min)
	}
	// Small segments change the deliveries, not the result.
	sc.Network = Network{MTU: 16}
	small := one(t, sc, Fault{})
	sc.Network = Network{}
	big := one(t, sc, Fault{})
	if small.Outcome.Kind != OK || small.HandshakeBytes != big.HandshakeBytes || small.Transcript == big.Transcript {
		t.Errorf("MTU 16: %v, %d bytes, transcript %x; MTU 1460: %d bytes, transcript %x",
			small.Outcome, small.HandshakeBytes, small.Transcript, big.HandshakeBytes, big.Transcript)
	}
}

func TestArrivals(t *testing.T) {
	for _, tc := range []struct {
		a    Arrival
		last time.Duration // expected arrival of the last of 1000
		tol  float64
	}{
		{Arrival{Kind: AllAtOnce}, 0, 0},
		{Arrival{Kind: Poisson, Rate: 500}, 2 * time.Second, 0.15},
		{Arrival{Kind: Ramp, Over: 3 * time.Second}, 3 * time.Second, 0.01},
	} {
		ps := plans(Scenario{Conns: 1000, Seed: 8, Arrival: tc.a}.withDefaults())
		for i := 1; i < len(ps); i++ {
			if ps[i].arrive < ps[i-1].arrive {
				t.Fatalf("%v: arrivals out of order at %d", tc.a.Kind, i)
			}
		}
		last := time.Duration(ps[len(ps)-1].arrive)
		if math.Abs(float64(last-tc.last)) > tc.tol*float64(tc.last) {
			t.Errorf("%v: the last connection arrives at %v, want about %v", tc.a.Kind, last, tc.last)
		}
		if tc.a.Kind == Ramp && ps[500].arrive < int64(2*time.Second) {
			t.Errorf("ramp: half the connections arrived by %v, want after 2.1 s", time.Duration(ps[500].arrive))
		}
	}
}

func TestResumeByID(t *testing.T) {
	r, err := Run(Scenario{Conns: 40, Seed: 6, Resume: 1, ResumeBy: SessionIDs, Arrival: Arrival{Rate: 20}, Requests: NoRequests})
	if err != nil {
		t.Fatal(err)
	}
	if r.Kinds[Resumed].Count < 20 || len(r.Outcomes) != 1 {
		t.Errorf("%d of 40 resumed by session ID; outcomes %v", r.Kinds[Resumed].Count, r.Outcomes)
	}
}

func TestMeasurementHooks(t *testing.T) {
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	calls := 0
	var cpu time.Duration
	progress := 0
	r, err := Run(Scenario{Conns: 200, Seed: 3, Arrival: Arrival{Kind: AllAtOnce}, HeapInUse: heap,
		// A fake clock that advances 1 µs per reading: the
		// simulator reads it twice around every machine call.
		CPUTime:  func() time.Duration { calls++; cpu += time.Microsecond; return cpu },
		Progress: func(done, total int) { progress = done },
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.IdleEndpoints != 400 || r.HeapPerEndpoint <= 0 {
		t.Errorf("%d idle endpoints retaining %.0f B each", r.IdleEndpoints, r.HeapPerEndpoint)
	}
	if k := r.Kinds[Full]; k.CPU < 5*time.Microsecond || calls == 0 {
		t.Errorf("CPU per handshake %v from %d clock readings", k.CPU, calls)
	}
	if progress != 200 {
		t.Errorf("progress ended at %d of 200", progress)
	}
}

func TestLarge(t *testing.T) {
	if *bigConns == 0 {
		t.Skip("set -sim.conns to run a large scenario")
	}
	sc := mixed(*bigConns, 7)
	sc.Faults = 0.01
	r, err := Run(sc)
	if err != nil {
		t.Fatal(err)
	}
	if r.Altered != 0 {
		t.Errorf("%d connections delivered altered data", r.Altered)
	}
	var sb strings.Builder
	r.Format(&sb)
	t.Log(sb.String())
}
