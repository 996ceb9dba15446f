package sim

import (
	"fmt"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// A Scenario describes a simulation run. The zero value is usable: every
// zero field takes the default named in its comment, so a scenario is
// usually a few fields:
//
//	rep, err := sim.Run(sim.Scenario{Conns: 10000, Resume: 0.5, Seed: 7})
type Scenario struct {
	// Seed determines everything the run decides.
	Seed uint64
	// Conns is the number of connections; default 1000.
	Conns int
	// Arrival is when connections arrive; default Poisson at 1000/s.
	Arrival Arrival
	// Network is the link every connection runs over.
	Network Network

	// Resume is the fraction of connections whose client tries to resume
	// the session of an earlier connection (chosen at random among those
	// that arrived before it). One whose chosen connection has not finished
	// its handshake by then runs a full handshake.
	Resume float64
	// ResumeBy is the resumption mechanism: Tickets (default) or
	// SessionIDs.
	ResumeBy Resumption
	// ClientAuth is the fraction of connections to a server that requires
	// and verifies a client certificate.
	ClientAuth float64
	// Requests is the number of request/response exchanges each connection
	// makes after its handshake (the client sends RequestSize bytes, the
	// server answers with ResponseSize bytes); default 1, and NoRequests
	// for none.
	Requests int
	// RequestSize and ResponseSize are the exchange sizes in bytes;
	// defaults 200 and 2000.
	RequestSize, ResponseSize int
	// Renegotiate is the fraction of connections on which the server asks
	// for a renegotiation (HelloRequest) after the exchanges; one more
	// exchange then runs under the new keys.
	Renegotiate float64

	// Faults is the fraction of connections that suffer one fault, drawn
	// from FaultKinds (default: all kinds) on a random side at a random
	// offset of that side's stream.
	Faults float64
	// FaultKinds are the kinds Faults draws from.
	FaultKinds []FaultKind

	// CipherSuites and Groups restrict what the client offers; nil means
	// the machine's defaults (AES-GCM first on machines with AES hardware,
	// X25519 first).
	CipherSuites []uint16
	Groups       []machine.Group

	// NoCertCache makes every handshake parse and verify the peer's chain
	// afresh. By default the clients share one machine.NewCertCache and
	// the servers another, as a client process and a server process
	// would; the cache changes CPU time and memory, never the bytes.
	NoCertCache bool

	// CPUTime, if set, is a clock of the CPU time consumed (the caller's
	// choice: the thread's or the process's CPU time, or a monotonic clock
	// in a single-goroutine program). The simulator reads it around every
	// machine call to report CPU time per handshake.
	CPUTime func() time.Duration
	// HeapInUse, if set, returns the bytes of live heap (after a garbage
	// collection, typically runtime.GC and runtime.ReadMemStats). The
	// simulator calls it once when every connection is established and
	// idle and once after it has dropped the machines, and reports the
	// difference per idle endpoint.
	HeapInUse func() uint64
	// Progress, if set, is called as connections finish their scripts
	// (about every 1% of Conns, and at the end) with the count so far.
	Progress func(done, total int)

	// faults, if set, overrides the drawn fault of some connections (fault
	// campaigns).
	faults map[int]Fault
}

// NoRequests as Scenario.Requests asks for no exchange after the
// handshake.
const NoRequests = -1

// Resumption is a session resumption mechanism.
type Resumption uint8

const (
	// Tickets resumes with RFC 5077 session tickets.
	Tickets Resumption = iota
	// SessionIDs resumes with session IDs and a server-side cache (RFC
	// 5246, Section 7.3).
	SessionIDs
)

func (r Resumption) String() string {
	if r == SessionIDs {
		return "session-id"
	}
	return "ticket"
}

// ArrivalKind is a connection arrival schedule.
type ArrivalKind uint8

const (
	// Poisson arrivals at Arrival.Rate per second (exponential gaps).
	Poisson ArrivalKind = iota
	// AllAtOnce: every connection arrives at time zero.
	AllAtOnce
	// Ramp: the arrival rate grows linearly from zero over Arrival.Over,
	// so the i-th of n connections arrives at Over·sqrt(i/n).
	Ramp
)

func (k ArrivalKind) String() string {
	switch k {
	case AllAtOnce:
		return "all-at-once"
	case Ramp:
		return "ramp"
	}
	return "poisson"
}

// Arrival is a connection arrival schedule.
type Arrival struct {
	Kind ArrivalKind
	// Rate is the mean arrival rate of Poisson, per second; default 1000.
	Rate float64
	// Over is the length of a Ramp; default Conns/1000 seconds.
	Over time.Duration
}

// Network is the model of the link each connection runs over. Every
// connection has its own link (its own bandwidth), and each direction of a
// connection is an ordered byte stream, as over TCP: segments of one
// direction arrive in order, while jitter reorders deliveries between
// connections and between the two directions.
type Network struct {
	// RTT is the round-trip time without jitter (one-way latency RTT/2);
	// default 50 ms.
	RTT time.Duration
	// Jitter is an extra one-way delay drawn uniformly from [0, Jitter) for
	// each segment; default RTT/10. Negative means none.
	Jitter time.Duration
	// Bandwidth is each direction's rate in bits per second; default 100
	// Mbit/s.
	Bandwidth int64
	// MTU is the largest segment payload in bytes; default 1460 (the TCP
	// MSS of a 1500-byte Ethernet MTU). Machine output is cut into
	// segments of at most MTU bytes, each a separate delivery.
	MTU int
}

// withDefaults fills in the documented defaults.
func (sc Scenario) withDefaults() Scenario {
	if sc.Conns <= 0 {
		sc.Conns = 1000
	}
	if sc.Arrival.Rate <= 0 {
		sc.Arrival.Rate = 1000
	}
	if sc.Arrival.Over <= 0 {
		sc.Arrival.Over = time.Duration(float64(sc.Conns) / 1000 * float64(time.Second))
	}
	n := &sc.Network
	if n.RTT <= 0 {
		n.RTT = 50 * time.Millisecond
	}
	if n.Jitter == 0 {
		n.Jitter = n.RTT / 10
	}
	if n.Jitter < 0 {
		n.Jitter = 0
	}
	if n.Bandwidth <= 0 {
		n.Bandwidth = 100_000_000
	}
	if n.MTU <= 0 {
		n.MTU = 1460
	}
	switch {
	case sc.Requests == 0:
		sc.Requests = 1
	case sc.Requests < 0:
		sc.Requests = 0
	}
	if sc.RequestSize <= 0 {
		sc.RequestSize = 200
	}
	if sc.ResponseSize <= 0 {
		sc.ResponseSize = 2000
	}
	if len(sc.FaultKinds) == 0 {
		sc.FaultKinds = AllFaultKinds
	}
	return sc
}

// Presets are ready scenarios, by name; each is a starting point to
// adjust (set Conns, Seed, Network...).
var Presets = map[string]Scenario{
	// handshake: full handshakes only, no data.
	"handshake": {Requests: NoRequests},
	// web: half the clients resume with a ticket, one request of 400
	// bytes answered with 16 KiB.
	"web": {Resume: 0.5, RequestSize: 400, ResponseSize: 16 << 10},
	// mutual: every connection authenticates the client.
	"mutual": {ClientAuth: 1},
	// resume-id: half the clients resume by session ID.
	"resume-id": {Resume: 0.5, ResumeBy: SessionIDs},
	// renegotiate: a third of the connections renegotiate after their
	// exchange.
	"renegotiate": {Renegotiate: 0.34, Requests: 2},
	// lossy: 2% of the connections suffer a fault of any kind.
	"lossy": {Faults: 0.02, Resume: 0.3},
	// burst: every connection arrives at once over a slow, jittery link.
	"burst": {Arrival: Arrival{Kind: AllAtOnce}, Network: Network{RTT: 200 * time.Millisecond, Jitter: 50 * time.Millisecond, Bandwidth: 10_000_000}},
}

// Preset returns the named preset with Conns and Seed set.
func Preset(name string, conns int, seed uint64) (Scenario, error) {
	sc, ok := Presets[name]
	if !ok {
		return Scenario{}, fmt.Errorf("sim: no preset %q", name)
	}
	sc.Conns, sc.Seed = conns, seed
	return sc, nil
}
