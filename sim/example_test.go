package sim_test

import (
	"fmt"
	"math"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/sim"
)

// A scenario in a few lines: 200 connections, half of them resuming an
// earlier connection's session, on a 50 ms network.
func ExampleRun() {
	rep, err := sim.Run(sim.Scenario{Conns: 200, Seed: 7, Resume: 0.5, Arrival: sim.Arrival{Rate: 100}})
	if err != nil {
		panic(err)
	}
	for _, o := range rep.Outcomes {
		fmt.Println(o.Label, o.N)
	}
	for _, k := range []sim.HandshakeKind{sim.Full, sim.Resumed} {
		fmt.Printf("%s handshakes: median %.0f round trip(s)\n", k, math.Round(rep.RTTs(rep.Kinds[k].Latency.P50)))
	}
	// Output:
	// ok 200
	// full handshakes: median 2 round trip(s)
	// resumed handshakes: median 1 round trip(s)
}

// Replay reruns one connection alone, here one whose peer hangs partway
// (a Stall fault drawn from the seed): the stall is found when nothing is
// left to schedule, not by a timeout.
func ExampleReplay() {
	sc := sim.Scenario{Conns: 1, Faults: 1, FaultKinds: []sim.FaultKind{sim.Stall}, Seed: 3}
	var sent int
	res, err := sim.Replay(sc, 0, sim.Observer{
		Trace: func(side sim.Side, isSent bool, typ machine.ContentType, body []byte) {
			if isSent {
				sent++
			}
		},
		Send: func(time.Duration, sim.Side, []byte) {},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Fault.Kind, res.Outcome.Kind)
	fmt.Println(sent > 0)
	// Output:
	// stall stalled
	// true
}

// A small fault campaign: every run injects one fault into one of three
// connections.
func ExampleRunCampaign() {
	rep, err := sim.RunCampaign(sim.Campaign{Runs: 14, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Faulted, rep.Clean, rep.OK())
	// Output:
	// 14 28 true
}
