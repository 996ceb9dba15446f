package netconn

import (
	"crypto/rand"
	"testing"
	"time"
)

func TestTicketRingRotation(t *testing.T) {
	var r ticketRing
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k1, err := r.current(rand.Reader, t0)
	if err != nil || len(k1) != 1 {
		t.Fatalf("first keys: %d, %v", len(k1), err)
	}
	if k, _ := r.current(rand.Reader, t0.Add(23*time.Hour)); &k[0] != &k1[0] {
		t.Fatal("keys rotated before a day")
	}
	k2, _ := r.current(rand.Reader, t0.Add(25*time.Hour))
	if len(k2) != 2 || k2[0] == k1[0] || k2[1] != k1[0] {
		t.Fatalf("after a day: want a new key first and the old one kept, got %d keys", len(k2))
	}
	// After 7 days the first key no longer opens tickets.
	k3, _ := r.current(rand.Reader, t0.Add(7*24*time.Hour+time.Minute))
	for _, k := range k3 {
		if k == k1[0] {
			t.Fatal("a key older than 7 days is still accepted")
		}
	}
	if len(k3) != 2 {
		t.Fatalf("got %d keys after a week, want 2 (the new one and the day-2 key)", len(k3))
	}
	// A clock that goes back does not keep a key alive forever.
	k4, _ := r.current(rand.Reader, t0.Add(-time.Hour))
	if k4[0] == k3[0] {
		t.Fatal("a clock going back reused the newest key")
	}
}

func TestTicketRingPerConfig(t *testing.T) {
	a, b := new(Config), new(Config)
	if ringFor(a) == ringFor(b) {
		t.Fatal("two Configs share ticket keys")
	}
	if ringFor(a) != ringFor(a) {
		t.Fatal("one Config has two rings")
	}
}
