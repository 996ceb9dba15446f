package main

// `sanstls sim`: many clients and servers on a simulated network, in one
// goroutine on virtual time (package sim), with a report as a table and
// optionally as an HTML page; -replay reruns one connection with the
// message-by-message trace of `sanstls demo`; -campaign runs a fault
// campaign.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/sanstls/sanstls/sim"
)

// simFlags are the command's flag values.
type simFlags struct {
	preset                  string
	conns                   int
	seed                    uint64
	rtt, jitter             time.Duration
	mbps                    float64
	mtu                     int
	arrival                 string
	rate                    float64
	ramp                    time.Duration
	resume, clientAuth      float64
	resumeBy                string
	requests                int
	requestSize, respSize   int
	renegotiate, lossFaults float64
	faultKinds              commaList
	html                    string
	replay                  int
	hex                     bool
	campaign                int
	quiet                   bool
}

func simCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f simFlags
	fs.StringVar(&f.preset, "preset", "", "start from a preset scenario: "+strings.Join(presetNames(), ", ")+" (flags given explicitly override it)")
	fs.IntVar(&f.conns, "conns", 10000, "number of connections")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of every random choice (same seed, same report)")
	fs.DurationVar(&f.rtt, "rtt", 50*time.Millisecond, "round-trip time of every link")
	fs.DurationVar(&f.jitter, "jitter", -1, "extra one-way delay per segment, uniform in [0, jitter) (default RTT/10; 0 for none)")
	fs.Float64Var(&f.mbps, "bandwidth", 100, "bandwidth of each direction of each connection, Mbit/s")
	fs.IntVar(&f.mtu, "mtu", 1460, "largest segment payload, bytes")
	fs.StringVar(&f.arrival, "arrival", "poisson", "arrival schedule: poisson, all (all at once) or ramp")
	fs.Float64Var(&f.rate, "rate", 1000, "mean Poisson arrival rate, connections per second")
	fs.DurationVar(&f.ramp, "ramp", 0, "length of a ramp (default conns/1000 seconds)")
	fs.Float64Var(&f.resume, "resume", 0.3, "fraction of clients that resume an earlier connection's session")
	fs.StringVar(&f.resumeBy, "resume-by", "ticket", "resumption mechanism: ticket or id")
	fs.Float64Var(&f.clientAuth, "client-auth", 0.1, "fraction of connections with a client certificate")
	fs.IntVar(&f.requests, "requests", 1, "request/response exchanges per connection (0 for none)")
	fs.IntVar(&f.requestSize, "request-size", 200, "request size, bytes")
	fs.IntVar(&f.respSize, "response-size", 2000, "response size, bytes")
	fs.Float64Var(&f.renegotiate, "renegotiate", 0.05, "fraction of connections the server renegotiates")
	fs.Float64Var(&f.lossFaults, "loss-faults", 0.01, "fraction of connections that suffer one fault of the network or the peer")
	fs.Var(&f.faultKinds, "fault-kinds", "comma-separated fault kinds to draw from (default all: corrupt,drop,duplicate,truncate,stall,close,reset)")
	fs.StringVar(&f.html, "html", "", "also write the report as a self-contained HTML page with plots to `FILE`")
	fs.IntVar(&f.replay, "replay", -1, "rerun connection `N` alone and print its messages, as sanstls demo does")
	fs.BoolVar(&f.hex, "hex", false, "with -replay: hex-dump every handshake message")
	fs.IntVar(&f.campaign, "campaign", 0, "run a fault campaign of `N` runs (one fault each) instead of the scenario")
	fs.BoolVar(&f.quiet, "q", false, "no progress bar")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sanstls sim [flags]\n\nSimulates many TLS 1.2 connections on a network, in one goroutine on virtual time, and reports\noutcomes, latency, bytes, CPU time and memory. The same flags and seed give the same report.\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	sc, err := f.scenario(set)
	if err != nil {
		return err
	}
	switch {
	case f.campaign > 0:
		return runCampaign(sc, f, stdout, stderr)
	case f.replay >= 0:
		return replayConnection(stdout, sc, f.replay, f.hex)
	}
	return runSim(sc, f, args, stdout, stderr)
}

func presetNames() []string {
	var names []string
	for n := range sim.Presets {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// scenario builds the scenario: the preset (if any), then every flag that
// was set explicitly, or every flag's value without a preset.
func (f *simFlags) scenario(set map[string]bool) (sim.Scenario, error) {
	var sc sim.Scenario
	use := func(name string) bool { return f.preset == "" || set[name] }
	if f.preset != "" {
		p, ok := sim.Presets[f.preset]
		if !ok {
			return sc, usageError("unknown -preset %q (want one of %s)", f.preset, strings.Join(presetNames(), ", "))
		}
		sc = p
		if !set["conns"] {
			sc.Conns = f.conns
		}
	}
	if use("conns") {
		sc.Conns = f.conns
	}
	if sc.Conns <= 0 {
		return sc, usageError("-conns must be positive")
	}
	sc.Seed = f.seed
	if use("rtt") {
		sc.Network.RTT = f.rtt
	}
	if use("jitter") {
		switch {
		case f.jitter == 0:
			sc.Network.Jitter = -1 // none
		case f.jitter > 0:
			sc.Network.Jitter = f.jitter
		}
	}
	if use("bandwidth") {
		sc.Network.Bandwidth = int64(f.mbps * 1e6)
	}
	if use("mtu") {
		sc.Network.MTU = f.mtu
	}
	if use("arrival") {
		switch f.arrival {
		case "poisson":
			sc.Arrival.Kind = sim.Poisson
		case "all":
			sc.Arrival.Kind = sim.AllAtOnce
		case "ramp":
			sc.Arrival.Kind = sim.Ramp
		default:
			return sc, usageError("unknown -arrival %q (want poisson, all or ramp)", f.arrival)
		}
	}
	if use("rate") {
		sc.Arrival.Rate = f.rate
	}
	if use("ramp") {
		sc.Arrival.Over = f.ramp
	}
	for _, fr := range []struct {
		name string
		v    float64
		dst  *float64
	}{{"resume", f.resume, &sc.Resume}, {"client-auth", f.clientAuth, &sc.ClientAuth},
		{"renegotiate", f.renegotiate, &sc.Renegotiate}, {"loss-faults", f.lossFaults, &sc.Faults}} {
		if fr.v < 0 || fr.v > 1 {
			return sc, usageError("-%s must be a fraction between 0 and 1", fr.name)
		}
		if use(fr.name) {
			*fr.dst = fr.v
		}
	}
	if use("resume-by") {
		switch f.resumeBy {
		case "ticket":
			sc.ResumeBy = sim.Tickets
		case "id":
			sc.ResumeBy = sim.SessionIDs
		default:
			return sc, usageError("unknown -resume-by %q (want ticket or id)", f.resumeBy)
		}
	}
	if use("requests") {
		sc.Requests = f.requests
		if f.requests == 0 {
			sc.Requests = sim.NoRequests
		}
	}
	if use("request-size") {
		sc.RequestSize = f.requestSize
	}
	if use("response-size") {
		sc.ResponseSize = f.respSize
	}
	if len(f.faultKinds) > 0 {
		sc.FaultKinds = nil
		for _, name := range f.faultKinds {
			k, err := sim.ParseFaultKind(name)
			if err != nil {
				return sc, usageError("%v", err)
			}
			sc.FaultKinds = append(sc.FaultKinds, k)
		}
	}
	return sc, nil
}

// progressBar draws a progress bar on w, redrawn in place.
type progressBar struct {
	w     io.Writer
	start time.Time
	what  string
	drawn bool
}

func (p *progressBar) update(done, total int) {
	const width = 32
	n := width * done / max(total, 1)
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d  %.1f s", p.what, strings.Repeat("#", n), strings.Repeat(".", width-n),
		100*done/max(total, 1), done, total, time.Since(p.start).Seconds())
	p.drawn = true
}

func (p *progressBar) end() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

func runSim(sc sim.Scenario, f simFlags, args []string, stdout, stderr io.Writer) error {
	// The simulation runs in this goroutine: pinned to its thread, the
	// thread's CPU time is what the machines and the simulator use.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	sc.CPUTime = cpuClock()
	sc.HeapInUse = liveHeap
	bar := &progressBar{w: stderr, start: time.Now(), what: "sim"}
	if !f.quiet {
		sc.Progress = bar.update
	}
	cpu0 := sc.CPUTime()
	rep, err := sim.Run(sc)
	bar.end()
	if err != nil {
		return err
	}
	wall := time.Since(bar.start)
	cpu := sc.CPUTime() - cpu0
	rep.Format(stdout)
	var hsCPU time.Duration
	hs := 0
	for _, k := range rep.Kinds {
		hsCPU += k.CPU * time.Duration(k.Count)
		hs += k.Count
	}
	fmt.Fprintf(stdout, "\nrun: %.1f s wall, %.1f s CPU of the simulating thread (%s); %d handshakes used %.2f s of it: %.0f handshakes per CPU-second\n",
		wall.Seconds(), cpu.Seconds(), cpuClockName, hs, hsCPU.Seconds(), float64(hs)/max(hsCPU.Seconds(), 1e-9))
	fmt.Fprintf(stdout, "replay one connection with: %s\n", strings.Join(append(append([]string{"sanstls sim"}, replayArgs(args)...), "-replay N"), " "))
	if f.html != "" {
		out, err := os.Create(f.html)
		if err != nil {
			return err
		}
		if err := rep.WriteHTML(out); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "HTML report written to %s\n", f.html)
	}
	if rep.Altered > 0 {
		return fmt.Errorf("%d connections delivered altered application data", rep.Altered)
	}
	return nil
}

// replayArgs returns the command line without the flags that do not
// define the scenario (-html, -q).
func replayArgs(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		name := strings.TrimLeft(args[i], "-")
		switch {
		case name == "q" || strings.HasPrefix(name, "q="), strings.HasPrefix(name, "html="):
		case name == "html":
			i++ // and its value
		default:
			out = append(out, args[i])
		}
	}
	return out
}

// liveHeap is Scenario.HeapInUse: the live heap after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func runCampaign(sc sim.Scenario, f simFlags, stdout, stderr io.Writer) error {
	c := sim.Campaign{Runs: f.campaign, Seed: f.seed, Kinds: sc.FaultKinds}
	bar := &progressBar{w: stderr, start: time.Now(), what: "campaign"}
	if !f.quiet {
		c.Progress = func(done, total int) {
			if done%max(total/100, 1) == 0 || done == total {
				bar.update(done, total)
			}
		}
	}
	rep, err := sim.RunCampaign(c)
	bar.end()
	if err != nil {
		return err
	}
	rep.Format(stdout)
	if !rep.OK() {
		return errors.New("the fault campaign found connections that did not end as their fault allows")
	}
	return nil
}
