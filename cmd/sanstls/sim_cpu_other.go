//go:build !linux

package main

import "time"

const cpuClockName = "monotonic wall clock: no per-thread CPU clock on this system"

// cpuClock falls back to the monotonic clock: the simulation runs in one
// goroutine, so on an idle machine it approximates CPU time.
func cpuClock() func() time.Duration {
	start := time.Now()
	return func() time.Duration { return time.Since(start) }
}
