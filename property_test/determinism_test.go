package property_test

import (
	"bytes"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/sanstls/sanstls/adapters/chanpipe"
)

// A step of a chanpipe schedule.
type step struct {
	kind string // "run", "send", "close" or "fault"
	side chanpipe.Side
	n    int // run: steps; send: length
	f    fault
}

func drawSchedule(t *rapid.T) []step {
	kinds := rapid.SliceOfN(rapid.SampledFrom([]string{"run", "run", "send", "close", "fault"}), 1, 12).Draw(t, "schedule")
	steps := make([]step, len(kinds))
	for i, k := range kinds {
		s := step{kind: k, side: chanpipe.Side(rapid.IntRange(0, 1).Draw(t, "side"))}
		switch k {
		case "run":
			s.n = rapid.IntRange(1, 64).Draw(t, "steps")
		case "send":
			s.n = rapid.IntRange(0, 40000).Draw(t, "length")
		case "fault":
			s.f = drawFault(t, s.side, 0, 20000)
		}
		steps[i] = s
	}
	return steps
}

// runSchedule runs a schedule on a fresh pair of the scenario and
// summarises everything observable: the transcript, and each side's data,
// events, error and counters.
func runSchedule(t *rapid.T, sc scenario, opts []chanpipe.Option, steps []step) []byte {
	ccfg, scfg := sc.configs()
	p, err := chanpipe.NewPair(ccfg, scfg, opts...)
	if p == nil {
		t.Fatalf("NewPair: %v", err)
	}
	for i, s := range steps {
		switch s.kind {
		case "run":
			for range s.n {
				p.Step()
			}
		case "send":
			_ = p.Send(s.side, payload(s.n, uint64(i))) // ErrNotReady is part of the story
		case "close":
			p.Close(s.side)
		case "fault":
			f := s.f
			f.off += p.Endpoint(f.from).BytesSent
			p.Inject(f.option())
		}
	}
	if err := p.Run(maxSteps); err != nil {
		t.Fatalf("Run: %v", err)
	}
	var sum bytes.Buffer
	sum.Write(p.Transcript())
	for _, e := range []*chanpipe.Endpoint{p.Client, p.Server} {
		fmt.Fprintf(&sum, "\n%v: %x %v %v %v %v %v %d %d %d %v", e.Side, e.Received, e.Events, e.Warnings,
			e.HandshakeDone, e.PeerClosed, e.Err, e.RecordsSent, e.AlertsSent, e.BytesSent, e.EOF)
	}
	fmt.Fprintf(&sum, "\nsteps %d", p.Steps())
	return sum.Bytes()
}

// determinism: the same scenario (Rand seeds), wire seed and schedule give
// byte-identical transcripts.
func determinism(t *rapid.T) {
	sc := drawScenario(t, false)
	opts := drawWire(t)
	steps := drawSchedule(t)
	a := runSchedule(t, sc, opts, steps)
	b := runSchedule(t, sc, opts, steps)
	if !bytes.Equal(a, b) {
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		t.Fatalf("[%v] two runs of one schedule differ at byte %d of %d/%d", sc, i, len(a), len(b))
	}
}

// determinismStateMachine replays one sequence of state-machine actions on
// two worlds built from one scenario; their transcripts must match.
func determinismStateMachine(t *rapid.T) {
	sc := drawScenario(t, false)
	kinds := rapid.SliceOfN(rapid.SampledFrom(opKinds), 1, 40).Draw(t, "actions")
	ops := make([]op, len(kinds))
	for i, k := range kinds {
		ops[i] = drawOp(t, k)
	}
	var logs [2][]byte
	for i := range logs {
		w := newWorld(t, sc)
		for _, o := range ops {
			w.apply(o)
			w.check()
		}
		w.deliverAll(1 << 16)
		w.check()
		logs[i] = w.log
	}
	if !bytes.Equal(logs[0], logs[1]) {
		t.Fatalf("[%v] two runs of %v differ (%d and %d transcript bytes)", sc, ops, len(logs[0]), len(logs[1]))
	}
}

func TestDeterminism(t *testing.T) {
	rapid.Check(t, determinism)
}

func TestDeterminismStateMachine(t *testing.T) {
	rapid.Check(t, determinismStateMachine)
}

func FuzzDeterminism(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(rapid.MakeFuzz(determinism))
}
