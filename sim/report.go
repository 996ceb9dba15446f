package sim

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// HandshakeKind is the kind of a connection's first handshake.
type HandshakeKind uint8

const (
	// Full is a full handshake without a client certificate.
	Full HandshakeKind = iota
	// Resumed is an abbreviated handshake (a ticket or session ID).
	Resumed
	// ClientAuth is a full handshake with a client certificate.
	ClientAuth
)

// HandshakeKinds lists the kinds in report order.
var HandshakeKinds = []HandshakeKind{Full, Resumed, ClientAuth}

func (k HandshakeKind) String() string {
	switch k {
	case Resumed:
		return "resumed"
	case ClientAuth:
		return "client-auth"
	}
	return "full"
}

// OutcomeKind is how a connection ended.
type OutcomeKind uint8

const (
	// OK: the script ran, and both sides sent and received close_notify.
	OK OutcomeKind = iota
	// Alerted: a fatal alert, sent by Outcome.Side.
	Alerted
	// Truncated: Outcome.Side saw its transport end without close_notify
	// (machine.ErrTruncated).
	Truncated
	// Reset: Outcome.Side saw the connection reset.
	Reset
	// Stalled: nothing was scheduled while the connection was unfinished;
	// Outcome.Waiting says what each side waited for.
	Stalled
	// Failed: any other error (Outcome.Reason).
	Failed
)

func (k OutcomeKind) String() string {
	return [...]string{"ok", "alert", "truncated", "reset", "stalled", "failed"}[k]
}

// Outcome is how a connection ended: its first abnormal event, or OK.
type Outcome struct {
	Kind    OutcomeKind
	Alert   machine.Alert // Alerted
	Side    Side          // who sent the alert; who saw the truncation or reset; who waited first
	Reason  string        // the machine's reason for a local alert; the error of Failed
	Waiting string        // Stalled: what each side waited for
}

// Label is the outcome without per-connection details, for grouping
// ("alert bad_record_mac from server", "truncated at client").
func (o Outcome) Label() string {
	switch o.Kind {
	case Alerted:
		return fmt.Sprintf("alert %s from %s", strings.ReplaceAll(o.Alert.String(), " ", "_"), o.Side)
	case Truncated, Reset:
		return fmt.Sprintf("%s at %s", o.Kind, o.Side)
	case Stalled:
		return "stalled"
	}
	return o.Kind.String()
}

func (o Outcome) String() string {
	switch o.Kind {
	case Alerted:
		if o.Reason != "" {
			return o.Label() + " (" + o.Reason + ")"
		}
	case Stalled:
		return "stalled: " + o.Waiting
	case Failed:
		return "failed: " + o.Reason
	}
	return o.Label()
}

// ConnResult is what happened to one connection.
type ConnResult struct {
	Index  int
	Arrive time.Duration // virtual time of arrival
	// Handshake reports that both sides completed the first handshake;
	// Kind, Latency, HandshakeBytes and HandshakeRecords describe it.
	Handshake bool
	Kind      HandshakeKind
	// Latency is the virtual time from the ClientHello to the client's
	// EventHandshakeDone.
	Latency time.Duration
	// HandshakeBytes and HandshakeRecords count both sides' output up to
	// the end of the first handshake.
	HandshakeBytes, HandshakeRecords int
	// CPU is the CPU time both machines spent on the first handshake
	// (zero without Scenario.CPUTime).
	CPU          time.Duration
	Renegotiated bool
	Fault        Fault
	FaultHit     bool // the fault altered the stream (it did not miss)
	Outcome      Outcome
	// Altered reports application data delivered that differs from what
	// was sent. It must never happen.
	Altered bool
	// AppBytes is the application data each side received, by side.
	AppBytes [2]int64
	// Sent is the bytes each side's machine produced, by side (before
	// faults); HandshakeSent the part of it up to the end of the first
	// handshake.
	Sent, HandshakeSent [2]int64
	// Transcript is a hash of every delivery: bytes, direction, and time
	// until the run's first quiet point. Replay reproduces it.
	Transcript uint64

	outcomeSet bool
}

// Percentiles of a distribution.
type Percentiles struct {
	P50, P90, P99, Max time.Duration
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	slices.Sort(d)
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
	return Percentiles{at(0.50), at(0.90), at(0.99), d[len(d)-1]}
}

// KindStats summarises the completed handshakes of one kind.
type KindStats struct {
	Kind    HandshakeKind
	Count   int
	Latency Percentiles
	// Bytes and Records are means per handshake (both directions);
	// BytesBySide splits Bytes by sending side.
	Bytes, Records float64
	BytesBySide    [2]float64
	// CPU is the mean CPU time per handshake (both sides); zero without
	// Scenario.CPUTime.
	CPU time.Duration
	// Latencies are the sorted latencies, for plots.
	Latencies []time.Duration
}

// Report is the result of a run.
type Report struct {
	// Scenario is the scenario run, with its defaults filled in.
	Scenario Scenario
	Conns    []ConnResult
	Kinds    []KindStats // by HandshakeKinds
	// Outcomes counts connections by Outcome.Label, most frequent first.
	Outcomes []Count
	// Faulted is the number of connections with a fault, FaultMissed
	// those whose fault fell beyond the end of the stream.
	Faulted, FaultMissed int
	// Altered counts connections with Altered set; it must be zero.
	Altered int
	// VirtualTime is the virtual time of the last event.
	VirtualTime time.Duration
	// IdleEndpoints is the number of endpoints established and idle at the
	// first quiet point (when nothing was scheduled); HeapPerEndpoint the
	// live heap each machine then retained, its receive buffer included:
	// the heap the simulator freed when it dropped the machines, divided
	// by their number (the idle ones, and any a stall left open). Zero
	// without Scenario.HeapInUse.
	IdleEndpoints   int
	HeapPerEndpoint float64
	// Digest is a hash of every virtual (reproducible) figure of every
	// connection, transcripts included: the same scenario gives the same
	// Digest.
	Digest uint64
}

// Count is a label and how many times it occurred.
type Count struct {
	Label string
	N     int
}

// Run runs the scenario and returns its report. An error means the
// scenario could not be set up; what happened to connections is in the
// report.
func Run(sc Scenario) (*Report, error) {
	p, err := newPKI()
	if err != nil {
		return nil, err
	}
	return run(sc.withDefaults(), p, nil, nil, 0)
}

func run(sc Scenario, p *pki, only []int, obs *Observer, obsIdx int) (*Report, error) {
	s, err := newSim(sc, p)
	if err != nil {
		return nil, err
	}
	s.only, s.obs, s.obsIdx = only, obs, obsIdx
	h1, h2, idle, live := s.run()
	r := &Report{Scenario: sc, VirtualTime: time.Duration(s.now), IdleEndpoints: 2 * idle}
	if sc.HeapInUse != nil && live > 0 && h1 > h2 {
		// The heap the machines held at the first quiet point, per
		// machine: the idle ones and the few a stall left open.
		r.HeapPerEndpoint = float64(h1-h2) / float64(live)
	}
	for _, c := range s.conns {
		if c != nil {
			r.Conns = append(r.Conns, c.res)
		}
	}
	r.summarise()
	return r, nil
}

func (r *Report) summarise() {
	counts := map[string]int{}
	r.Kinds = make([]KindStats, len(HandshakeKinds))
	var cpu [3]time.Duration
	h := uint64(fnvOffset)
	for _, c := range r.Conns {
		counts[c.Outcome.Label()]++
		if c.Fault.Kind != NoFault {
			r.Faulted++
			if !c.FaultHit {
				r.FaultMissed++
			}
		}
		if c.Altered {
			r.Altered++
		}
		if c.Handshake {
			k := &r.Kinds[c.Kind]
			k.Count++
			k.Latencies = append(k.Latencies, c.Latency)
			k.Bytes += float64(c.HandshakeBytes)
			k.BytesBySide[Client] += float64(c.HandshakeSent[Client])
			k.BytesBySide[Server] += float64(c.HandshakeSent[Server])
			k.Records += float64(c.HandshakeRecords)
			cpu[c.Kind] += c.CPU
		}
		h = fnvUint(h, c.Transcript)
		h = fnv64(h, []byte(c.Outcome.String()))
		h = fnvUint(h, uint64(c.Latency))
		h = fnvUint(h, uint64(c.HandshakeBytes)<<32|uint64(c.HandshakeRecords))
	}
	r.Digest = h
	for i := range r.Kinds {
		k := &r.Kinds[i]
		k.Kind = HandshakeKind(i)
		if k.Count > 0 {
			k.Bytes /= float64(k.Count)
			k.Records /= float64(k.Count)
			k.BytesBySide[Client] /= float64(k.Count)
			k.BytesBySide[Server] /= float64(k.Count)
			k.CPU = cpu[i] / time.Duration(k.Count)
		}
		k.Latency = percentiles(k.Latencies)
	}
	for l, n := range counts {
		r.Outcomes = append(r.Outcomes, Count{l, n})
	}
	slices.SortFunc(r.Outcomes, func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Label, b.Label)
	})
}

// RTTs expresses d in round trips of the scenario's network.
func (r *Report) RTTs(d time.Duration) float64 {
	return float64(d) / float64(r.Scenario.Network.RTT)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// Format writes the report as text tables.
func (r *Report) Format(w io.Writer) {
	sc := r.Scenario
	n := sc.Network
	fmt.Fprintf(w, "sanstls sim: %d connections, seed %d, %s arrivals; RTT %v, jitter %v, %s, MTU %d\n",
		len(r.Conns), sc.Seed, sc.Arrival.Kind, n.RTT, n.Jitter, bandwidth(n.Bandwidth), n.MTU)
	fmt.Fprintf(w, "resume %.0f%% (%s), client auth %.0f%%, %d × (%d B request, %d B response), renegotiate %.0f%%, faults %.1f%%\n",
		100*sc.Resume, sc.ResumeBy, 100*sc.ClientAuth, sc.Requests, sc.RequestSize, sc.ResponseSize, 100*sc.Renegotiate, 100*sc.Faults)
	fmt.Fprintf(w, "virtual time %s ms; digest %016x\n\n", ms(r.VirtualTime), r.Digest)

	fmt.Fprintf(w, "%-12s %7s %9s %9s %9s %9s %15s %9s %8s %10s\n", "handshake", "count", "p50 ms", "p90 ms", "p99 ms", "max ms",
		"p50/p99 RTT", "bytes", "records", "CPU µs")
	for _, k := range r.Kinds {
		if k.Count == 0 {
			continue
		}
		cpu := "-"
		if sc.CPUTime != nil {
			cpu = fmt.Sprintf("%.0f", float64(k.CPU)/float64(time.Microsecond))
		}
		fmt.Fprintf(w, "%-12s %7d %9s %9s %9s %9s %7.2f/%-7.2f %9.0f %8.1f %10s\n", k.Kind, k.Count,
			ms(k.Latency.P50), ms(k.Latency.P90), ms(k.Latency.P99), ms(k.Latency.Max),
			r.RTTs(k.Latency.P50), r.RTTs(k.Latency.P99), k.Bytes, k.Records, cpu)
	}
	fmt.Fprintf(w, "\n%-44s %7s %7s\n", "outcome", "conns", "share")
	for _, o := range r.Outcomes {
		fmt.Fprintf(w, "%-44s %7d %6.2f%%\n", o.Label, o.N, 100*float64(o.N)/float64(len(r.Conns)))
	}
	if r.Faulted > 0 {
		fmt.Fprintf(w, "\nfaults injected: %d connections (%d missed: beyond the end of the stream)\n", r.Faulted, r.FaultMissed)
		for _, row := range r.FaultTable() {
			fmt.Fprintf(w, "  %-10s %s\n", row.Kind, countsString(row.Outcomes))
		}
	}
	fmt.Fprintf(w, "\naltered plaintext delivered: %d connections\n", r.Altered)
	if sc.HeapInUse != nil {
		fmt.Fprintf(w, "retained heap per idle endpoint: %.0f B (%d idle endpoints)\n", r.HeapPerEndpoint, r.IdleEndpoints)
	}
	stalled := 0
	for _, c := range r.Conns {
		if c.Outcome.Kind == Stalled && stalled < 5 {
			if stalled == 0 {
				fmt.Fprintf(w, "\nstalled connections (first 5):\n")
			}
			stalled++
			fmt.Fprintf(w, "  #%d (fault: %v): %s\n", c.Index, c.Fault, c.Outcome.Waiting)
		}
	}
}

func countsString(cs []Count) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s ×%d", c.Label, c.N)
	}
	return strings.Join(parts, ", ")
}

func bandwidth(bps int64) string {
	switch {
	case bps%1_000_000_000 == 0:
		return fmt.Sprintf("%d Gbit/s", bps/1_000_000_000)
	case bps%1_000_000 == 0:
		return fmt.Sprintf("%d Mbit/s", bps/1_000_000)
	}
	return fmt.Sprintf("%d bit/s", bps)
}

// FaultRow is the outcomes of the connections with one kind of fault.
type FaultRow struct {
	Kind     string // a FaultKind, "missed" for faults beyond the stream, or "none"
	Outcomes []Count
}

// FaultTable groups outcomes by fault kind (faults that missed apart).
func (r *Report) FaultTable() []FaultRow {
	rows := map[string]map[string]int{}
	for _, c := range r.Conns {
		k := c.Fault.Kind.String()
		if c.Fault.Kind != NoFault && !c.FaultHit {
			k = "missed"
		}
		if rows[k] == nil {
			rows[k] = map[string]int{}
		}
		rows[k][c.Outcome.Label()]++
	}
	var out []FaultRow
	order := append([]string{"none"}, func() []string {
		var s []string
		for _, k := range AllFaultKinds {
			s = append(s, k.String())
		}
		return s
	}()...)
	for _, k := range append(order, "missed") {
		m := rows[k]
		if m == nil {
			continue
		}
		row := FaultRow{Kind: k}
		for l, n := range m {
			row.Outcomes = append(row.Outcomes, Count{l, n})
		}
		slices.SortFunc(row.Outcomes, func(a, b Count) int {
			if a.N != b.N {
				return b.N - a.N
			}
			return strings.Compare(a.Label, b.Label)
		})
		out = append(out, row)
	}
	return out
}
