package sim

// evKind is what an event does.
type evKind uint8

const (
	evData evKind = iota // a segment arrives at side `to`
	evFIN                // the end of the stream toward `to`
	evRST                // a reset toward `to`
)

// An event happens at a virtual time; seq orders events of equal time by
// when they were scheduled, so the order is a function of the run alone.
type event struct {
	at   int64
	seq  uint64
	conn int32
	kind evKind
	to   Side
	data []byte
}

// queue is a binary min-heap of events by (at, seq).
type queue struct {
	ev  []event
	seq uint64
}

func (q *queue) less(i, j int) bool {
	a, b := &q.ev[i], &q.ev[j]
	return a.at < b.at || a.at == b.at && a.seq < b.seq
}

func (q *queue) push(e event) {
	q.seq++
	e.seq = q.seq
	q.ev = append(q.ev, e)
	for i := len(q.ev) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.ev[i], q.ev[p] = q.ev[p], q.ev[i]
		i = p
	}
}

func (q *queue) pop() event {
	top := q.ev[0]
	last := len(q.ev) - 1
	q.ev[0] = q.ev[last]
	q.ev[last] = event{}
	q.ev = q.ev[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < last && q.less(l, m) {
			m = l
		}
		if r < last && q.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		q.ev[i], q.ev[m] = q.ev[m], q.ev[i]
		i = m
	}
	return top
}

func (q *queue) empty() bool { return len(q.ev) == 0 }
