package wasm

import (
	"errors"
	"math"
	"testing"
)

func TestHandles(t *testing.T) {
	var tab handles
	a, b := &session{}, &session{}
	ha, err := tab.add(a)
	if err != nil || ha <= 0 {
		t.Fatalf("add: %d, %v", ha, err)
	}
	hb, _ := tab.add(b)
	if hb == ha {
		t.Fatalf("two sessions share handle %d", ha)
	}
	if s, err := tab.get(ha); s != a || err != nil {
		t.Errorf("get(%d) = %p, %v; want %p", ha, s, err, a)
	}
	if err := tab.remove(ha); err != nil {
		t.Fatal(err)
	}
	if _, err := tab.get(ha); !errors.Is(err, errBadHandle) {
		t.Errorf("get after remove: %v", err)
	}
	if err := tab.remove(ha); !errors.Is(err, errBadHandle) {
		t.Errorf("remove twice: %v", err)
	}
	// A freed number is not handed out again right away.
	hc, _ := tab.add(&session{})
	if hc == ha || hc == hb {
		t.Errorf("new handle %d reuses %d or %d", hc, ha, hb)
	}
	for _, h := range []int32{0, -1, math.MinInt32} {
		if _, err := tab.get(h); !errors.Is(err, errBadHandle) {
			t.Errorf("get(%d): %v", h, err)
		}
	}
}

func TestHandlesWrap(t *testing.T) {
	var tab handles
	one, _ := tab.add(&session{}) // takes 1
	tab.last = math.MaxInt32 - 1
	h, _ := tab.add(&session{})
	if h != math.MaxInt32 {
		t.Fatalf("handle %d, want MaxInt32", h)
	}
	h, _ = tab.add(&session{})
	if h != 2 || one != 1 {
		t.Fatalf("after wrapping: %d (first %d); want 2, skipping the live 1", h, one)
	}
}

func TestHandlesLimit(t *testing.T) {
	var tab handles
	for i := 0; i < MaxHandles; i++ {
		if _, err := tab.add(&session{}); err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
	}
	if _, err := tab.add(&session{}); !errors.Is(err, errHandleLimit) {
		t.Fatalf("add beyond MaxHandles: %v", err)
	}
}
