package machine

import "testing"

// TestEventQueueKeepsOrderBeyondTheRing: events pushed past the inline ring
// spill, and come out in the order they went in, interleaved or not.
func TestEventQueueKeepsOrderBeyondTheRing(t *testing.T) {
	var q eventQueue
	next, want := 0, 0
	push := func(n int) {
		for range n {
			q.push(Event{Kind: EventWarningAlert, Alert: Alert(next)})
			next++
		}
	}
	pop := func(n int) {
		for range n {
			e := q.pop()
			if e.Kind != EventWarningAlert || int(e.Alert) != want {
				t.Fatalf("pop %d: got %v/%d", want, e.Kind, e.Alert)
			}
			want++
		}
	}
	push(5)
	pop(1)
	push(3)
	pop(6)
	push(1)
	pop(2)
	if e := q.pop(); e.Kind != EventNone || q.spill != nil {
		t.Fatalf("queue not empty: %v, spill %d", e.Kind, len(q.spill))
	}
}
