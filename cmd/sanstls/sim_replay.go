package main

// `sanstls sim -replay N`: one connection of a scenario, rerun alone, with
// the demo's message-by-message trace and the virtual time of each flight
// and delivery.

import (
	"fmt"
	"io"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/sim"
)

func replayConnection(w io.Writer, sc sim.Scenario, n int, hexDump bool) error {
	// A silent run first, for what the trace's header says.
	res, err := sim.Replay(sc, n, sim.Observer{})
	if err != nil {
		return err
	}
	p := &printer{w: w, hex: hexDump, resumed: res.Kind == sim.Resumed}
	at := func(t time.Duration) string {
		return fmt.Sprintf("[%8.3f ms]", float64(t-res.Arrive)/float64(time.Millisecond))
	}
	fmt.Fprintf(w, "sanstls sim: connection %d of %d, seed %d, replayed alone (with any earlier connection whose session it resumes)\n",
		n, max(sc.Conns, 1), sc.Seed)
	fmt.Fprintf(w, "it arrives at %.3f ms of virtual time; times below are relative to that\n", float64(res.Arrive)/float64(time.Millisecond))
	fmt.Fprintf(w, "fault: %v\n\n", res.Fault)
	obs := sim.Observer{
		Trace: func(side sim.Side, sent bool, typ machine.ContentType, body []byte) {
			p.trace(side == sim.Client)(sent, typ, body)
		},
		AppData: func(t time.Duration, from sim.Side, data []byte) {
			p.line(14, demoSteps[14], direction(from == sim.Client), plural(len(data), "byte")+" [encrypted]", nil)
		},
		Send: func(t time.Duration, from sim.Side, out []byte) {
			fmt.Fprintf(w, "%s %s sends:\n", at(t), from)
			p.wire(from == sim.Client, out)
		},
		Deliver: func(t time.Duration, to sim.Side, data []byte, eof, reset bool) {
			switch {
			case reset:
				fmt.Fprintf(w, "%s %s: connection reset by the peer\n", at(t), to)
			case eof:
				fmt.Fprintf(w, "%s %s: end of the stream (FIN)\n", at(t), to)
			default:
				fmt.Fprintf(w, "%s %s receives a segment of %s\n", at(t), to, plural(len(data), "byte"))
			}
		},
		Event: func(t time.Duration, side sim.Side, ev machine.Event) {
			if ev.Kind != machine.EventAppData {
				fmt.Fprintf(w, "%s %s: event %v\n", at(t), side, ev.Kind)
			}
		},
	}
	got, err := sim.Replay(sc, n, obs)
	p.flush()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\noutcome: %v\n", got.Outcome)
	if got.Handshake {
		rtt := sc.Network.RTT
		if rtt <= 0 {
			rtt = 50 * time.Millisecond
		}
		fmt.Fprintf(w, "%s handshake in %.3f ms of virtual time (%.2f RTT), %d bytes in %d records\n", got.Kind,
			float64(got.Latency)/float64(time.Millisecond), float64(got.Latency)/float64(rtt), got.HandshakeBytes, got.HandshakeRecords)
	}
	fmt.Fprintf(w, "application data received: client %d bytes, server %d bytes; transcript %016x\n", got.AppBytes[sim.Client], got.AppBytes[sim.Server], got.Transcript)
	if got != res {
		return fmt.Errorf("the traced replay differs from the silent one")
	}
	return nil
}
