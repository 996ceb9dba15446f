package bench

import (
	"fmt"
	"runtime"
	"slices"
	"time"
)

// Stat summarises one figure over the rounds.
type Stat struct {
	Median, Min, Max float64
	N                int // rounds
}

func summarise(xs []float64) Stat {
	if len(xs) == 0 {
		return Stat{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stat{Median: m, Min: s[0], Max: s[len(s)-1], N: len(s)}
}

// Figure is the measurement of one operation: wall and CPU time per
// operation (ns) over the rounds, and heap allocations per operation.
type Figure struct {
	Wall, CPU Stat
	Allocs    float64
	Err       error // set if the operation could not be measured
}

// A cell is one operation being measured: it is calibrated once (k
// operations make a sample of about the target duration) and sampled once
// per round.
type cell struct {
	name     string
	op       func() error
	teardown func()
	k        int
	wall     []float64
	cpu      []float64
	allocs   float64
	err      error
}

func newCell(name string, setup func() (func() error, func(), error)) *cell {
	c := &cell{name: name}
	op, teardown, err := setup()
	if err != nil {
		c.err = err
		return c
	}
	c.op, c.teardown = op, teardown
	return c
}

// calibrate warms the operation up and picks k.
func (c *cell) calibrate(target time.Duration) {
	if c.err != nil {
		return
	}
	if c.err = c.op(); c.err != nil {
		return
	}
	n := 1
	for {
		start := time.Now()
		for range n {
			if c.err = c.op(); c.err != nil {
				return
			}
		}
		el := time.Since(start)
		if el >= target/4 || n >= 1<<20 {
			per := float64(el) / float64(n)
			c.k = max(1, int(float64(target)/max(per, 1)))
			return
		}
		n *= 4
	}
}

// sample runs k operations and records the wall and CPU time per operation.
func (c *cell) sample() {
	if c.err != nil || c.k == 0 {
		return
	}
	w0, c0 := time.Now(), cpuTime()
	for range c.k {
		if err := c.op(); err != nil {
			c.err = err
			return
		}
	}
	c1, w1 := cpuTime(), time.Now()
	c.wall = append(c.wall, float64(w1.Sub(w0))/float64(c.k))
	c.cpu = append(c.cpu, float64(c1-c0)/float64(c.k))
}

// countAllocs measures heap allocations per operation over n operations
// (every goroutine's: the server side of a pair counts).
func (c *cell) countAllocs(n int) {
	if c.err != nil {
		return
	}
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	for range n {
		if err := c.op(); err != nil {
			c.err = err
			return
		}
	}
	runtime.ReadMemStats(&b)
	c.allocs = float64(b.Mallocs-a.Mallocs) / float64(n)
}

func (c *cell) figure() Figure {
	f := Figure{Wall: summarise(c.wall), CPU: summarise(c.cpu), Allocs: c.allocs, Err: c.err}
	if c.err != nil {
		f.Err = fmt.Errorf("%s: %w", c.name, c.err)
	}
	return f
}

func (c *cell) close() {
	if c.teardown != nil {
		c.teardown()
		c.teardown = nil
	}
}

// runRounds calibrates every cell, then samples them in rounds. Within a
// round each group's cells run back to back (sanstls, crypto/tls and their
// floor), in an order that alternates from round to round, so that a change
// in the machine's load hits both stacks alike.
func runRounds(groups [][]*cell, o Options, progress func(string)) {
	for _, g := range groups {
		for _, c := range g {
			c.calibrate(o.Target)
		}
	}
	for r := range o.Rounds {
		progress(fmt.Sprintf("round %d of %d", r+1, o.Rounds))
		for _, g := range groups {
			if r%2 == 0 {
				for _, c := range g {
					c.sample()
				}
			} else {
				for i := len(g) - 1; i >= 0; i-- {
					g[i].sample()
				}
			}
		}
	}
}
