package sim

import (
	"math"
	"math/rand/v2"
	"time"
)

// Streams of the PCG generator, combined with Scenario.Seed. Each
// connection's streams depend only on the seed and its index, so one
// connection can be replayed without the others.
const (
	streamArrivals = 1
	streamTickets  = 2
	streamPlan     = 1 << 40
	streamNet      = 2 << 40
	streamEndpoint = 3 << 40 // + 2*index + side
)

// plan is what a connection will do, drawn before the run.
type plan struct {
	arrive     int64 // virtual ns
	resume     bool  // try to resume the session of parent
	parent     int
	clientAuth bool
	reneg      bool
	fault      Fault
}

// plans draws every connection's plan.
func plans(sc Scenario) []plan {
	ps := make([]plan, sc.Conns)
	arr := newPCG(sc.Seed, streamArrivals)
	ar := rand.New(&arr)
	t := 0.0
	for i := range ps {
		switch sc.Arrival.Kind {
		case Poisson:
			t += ar.ExpFloat64() / sc.Arrival.Rate * float64(time.Second)
		case Ramp:
			t = float64(sc.Arrival.Over) * math.Sqrt(float64(i)/float64(sc.Conns))
		}
		ps[i].arrive = int64(t)
	}
	for i := range ps {
		g := newPCG(sc.Seed, streamPlan+uint64(i))
		r := rand.New(&g)
		p := &ps[i]
		if r.Float64() < sc.Resume && i > 0 {
			p.resume, p.parent = true, r.IntN(i)
		}
		p.clientAuth = r.Float64() < sc.ClientAuth
		p.reneg = r.Float64() < sc.Renegotiate
		if r.Float64() < sc.Faults {
			p.fault = drawFault(r, sc, sc.FaultKinds[r.IntN(len(sc.FaultKinds))])
		}
		if f, ok := sc.faults[i]; ok {
			p.fault = f
		}
	}
	return ps
}

// drawFault draws a fault of kind k at an offset within the usual length
// of the chosen side's stream (an estimate: a fault beyond the stream's
// end misses, and the report says so).
func drawFault(r *rand.Rand, sc Scenario, k FaultKind) Fault {
	f := Fault{Kind: k, From: Side(r.IntN(2)), Len: 1 + r.Int64N(64), Bit: uint8(r.IntN(8))}
	span := int64(380 + sc.Requests*(sc.RequestSize+29)) // ClientHello, ClientKeyExchange, Finished, requests
	if f.From == Server {
		span = int64(1100 + sc.Requests*(sc.ResponseSize+29*(1+sc.ResponseSize>>14)))
	}
	f.Offset = r.Int64N(span)
	return f
}
