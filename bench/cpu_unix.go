//go:build unix

package bench

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) this process has used, from
// getrusage(RUSAGE_SELF): every goroutine's work, the garbage collector's
// included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// HaveCPUTime reports whether cpuTime measures anything here.
const HaveCPUTime = true
