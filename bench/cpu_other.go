//go:build !unix

package bench

import "time"

// cpuTime is not measured on this platform: the report shows wall time only.
func cpuTime() time.Duration { return 0 }

// HaveCPUTime reports whether cpuTime measures anything here.
const HaveCPUTime = false
