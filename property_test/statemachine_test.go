package property_test

import (
	"testing"

	"pgregory.net/rapid"
)

// pairStateMachine is the property of TestPairStateMachine: random actions
// on a random configuration, with the invariants of world.check after each.
func pairStateMachine(t *rapid.T) {
	w := newWorld(t, drawScenario(t, false))
	if rapid.Bool().Draw(t, "handshake first") {
		w.deliverAll(rapid.IntRange(1, 1<<15).Draw(t, "chunk"))
		w.check()
	}
	t.Repeat(w.actions())
	// Let everything settle and check once more, so that every run ends
	// with the quiet-state invariants.
	w.deliverAll(1 << 16)
	w.check()
}

func TestPairStateMachine(t *testing.T) {
	rapid.Check(t, pairStateMachine)
}

func FuzzPairStateMachine(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(rapid.MakeFuzz(pairStateMachine))
}

// addFuzzSeeds gives a rapid.MakeFuzz target inputs long enough for a run:
// rapid reads one 8-byte word per draw and skips inputs that run out.
func addFuzzSeeds(f *testing.F) {
	for seed := range uint64(4) {
		f.Add(payload(4096, seed))
	}
}
