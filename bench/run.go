package bench

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// Options sets how long and how carefully Run measures.
type Options struct {
	Rounds    int           // interleaved rounds per figure
	Target    time.Duration // length of one sample (k operations)
	AllocOps  int           // operations over which allocations are counted
	MemPairs  int           // pairs per retained-heap measurement
	MemRounds int           // retained-heap measurements per figure
}

// QuickOptions is a smoke run: every row, few and short samples (seconds).
func QuickOptions() Options {
	return Options{Rounds: 2, Target: 500 * time.Microsecond, AllocOps: 2, MemPairs: 10, MemRounds: 1}
}

// FullOptions is the run docs/performance.md comes from (a few minutes).
func FullOptions() Options {
	return Options{Rounds: 11, Target: 100 * time.Millisecond, AllocOps: 100, MemPairs: 2000, MemRounds: 3}
}

// HandshakeRow is a pair of handshakes (client and server) of one kind over
// one transport, for both stacks. Floor is the public-key floor (full
// handshakes only).
type HandshakeRow struct {
	H         Handshake
	Transport Transport
	Stacks    [2]Figure
	Floor     *Stat // CPU ns; nil for resumed handshakes
	FloorWall *Stat
}

// RecordRow is one record sealed by one side and opened by the other.
type RecordRow struct {
	Suite     uint16
	Size      int
	Transport Transport
	Stacks    [2]Figure
	Raw       Figure // the raw AEAD's seal and open
}

// MemoryRow is the heap retained per idle endpoint (bytes), for both stacks.
type MemoryRow struct {
	Transport Transport
	After     string // "handshake" or "16 KiB each way"
	Stacks    [2]Stat
	Errs      [2]error
}

// FloorOp is one of the public-key operations of the floor.
type FloorOp struct {
	Name string
	Fig  Figure
}

// Result is everything Run measured.
type Result struct {
	Options     Options
	Quick       bool
	Started     time.Time
	Took        time.Duration
	GoVersion   string
	Machine     string
	LoadBefore  string
	LoadAfter   string
	Handshakes  []HandshakeRow
	Floors      []FloorOp
	Records     []RecordRow
	Memory      []MemoryRow
	MemoryPairs int
}

// Transports in the order of the tables.
var Transports = []Transport{Direct, Pipe, TCP}

// HandshakeKinds are the handshake rows.
var HandshakeKinds = []Handshake{
	{Key: ECDSA, Group: machine.X25519},
	{Key: ECDSA, Group: machine.CurveP256},
	{Key: RSA2048, Group: machine.X25519},
	{Key: RSA2048, Group: machine.CurveP256},
	{Key: ECDSA, Group: machine.X25519, Resume: Ticket},
	{Key: ECDSA, Group: machine.X25519, Resume: SessionID},
}

// RecordSuites are the record rows' suites (ECDSA certificates).
var RecordSuites = []uint16{
	machine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	machine.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	machine.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
}

// RecordSizes are the record rows' plaintext sizes.
var RecordSizes = []int{1024, 16384}

func handshakeCell(s Stack, t Transport, h Handshake) *cell {
	return newCell(fmt.Sprintf("%v %v %v", s, t, h), func() (func() error, func(), error) {
		m, err := newMaker(s, t, h)
		if err != nil {
			return nil, nil, err
		}
		return func() error {
			p, err := m.handshake()
			if err != nil {
				return err
			}
			p.close()
			return nil
		}, m.close, nil
	})
}

func recordCell(s Stack, t Transport, suite uint16, size int) *cell {
	return newCell(fmt.Sprintf("%v %v %s %d", s, t, machine.CipherSuiteName(suite), size), func() (func() error, func(), error) {
		h := Handshake{Key: ECDSA, Group: machine.X25519, Suite: suite}
		m, err := newMaker(s, t, h)
		if err != nil {
			return nil, nil, err
		}
		p, err := m.handshake()
		if err != nil {
			m.close()
			return nil, nil, err
		}
		msg := make([]byte, size)
		return func() error { return p.transfer(true, msg) }, func() { p.close(); m.close() }, nil
	})
}

func plainCell(name string, op func() error) *cell {
	return newCell(name, func() (func() error, func(), error) { return op, nil, nil })
}

// Run measures every row. progress, if not nil, hears what is going on.
func Run(o Options, progress func(string)) (*Result, error) {
	if progress == nil {
		progress = func(string) {}
	}
	res := &Result{Options: o, Started: time.Now().UTC(), GoVersion: runtime.Version(), Machine: machineDesc(),
		LoadBefore: loadAvg(), MemoryPairs: o.MemPairs}
	began := time.Now()
	_ = getPKI() // key generation is not part of any figure

	// Handshakes and their floors.
	var groups [][]*cell
	type hsCells struct{ stacks [2]*cell }
	var hs []hsCells
	for _, h := range HandshakeKinds {
		for _, t := range Transports {
			var hc hsCells
			for s := range 2 {
				hc.stacks[s] = handshakeCell(Stack(s), t, h)
			}
			hs = append(hs, hc)
			groups = append(groups, hc.stacks[:])
		}
	}
	floorCells := map[string]*cell{}
	var floorGroup []*cell
	addFloor := func(name string, op func() error) {
		c := plainCell(name, op)
		floorCells[name] = c
		floorGroup = append(floorGroup, c)
		res.Floors = append(res.Floors, FloorOp{Name: name})
	}
	for _, k := range []KeyType{ECDSA, RSA2048} {
		addFloor("sign "+k.String(), floorSign(k))
		addFloor("verify "+k.String(), floorVerify(k))
		addFloor("x509 parse+verify "+k.String()+" leaf", floorX509(k))
	}
	for _, g := range []machine.Group{machine.X25519, machine.CurveP256} {
		addFloor("ECDHE "+groupName(g)+" (one side)", floorKex(g))
	}
	groups = append(groups, floorGroup)

	// Records and the raw AEAD.
	type recCells struct{ stacks [2]*cell }
	var recs []recCells
	raws := map[[2]int]*cell{}
	for _, suite := range RecordSuites {
		for _, size := range RecordSizes {
			raw := plainCell(fmt.Sprintf("raw %s %d", machine.CipherSuiteName(suite), size), rawAEAD(suite, size))
			raws[[2]int{int(suite), size}] = raw
			for _, t := range Transports {
				var rc recCells
				for s := range 2 {
					rc.stacks[s] = recordCell(Stack(s), t, suite, size)
				}
				recs = append(recs, rc)
				g := rc.stacks[:]
				if t == Direct {
					g = append(g, raw)
				}
				groups = append(groups, g)
			}
		}
	}

	progress("calibrating")
	runRounds(groups, o, progress)
	progress("counting allocations")
	var errs []error
	i := 0
	for _, h := range HandshakeKinds {
		for _, t := range Transports {
			row := HandshakeRow{H: h, Transport: t}
			for s := range 2 {
				c := hs[i].stacks[s]
				c.countAllocs(o.AllocOps)
				row.Stacks[s] = c.figure()
				c.close()
			}
			res.Handshakes = append(res.Handshakes, row)
			i++
		}
	}
	for j := range res.Floors {
		c := floorCells[res.Floors[j].Name]
		res.Floors[j].Fig = c.figure()
		if c.err != nil {
			errs = append(errs, c.figure().Err)
		}
	}
	for j := range res.Handshakes {
		row := &res.Handshakes[j]
		if row.H.Resume != Full {
			continue
		}
		k, g := row.H.Key.String(), "ECDHE "+groupName(row.H.Group)+" (one side)"
		parts := []struct {
			name string
			n    float64
		}{{"sign " + k, 1}, {"verify " + k, 1}, {"x509 parse+verify " + k + " leaf", 1}, {g, 2}}
		var cpu, wall Stat
		for _, p := range parts {
			f := floorCells[p.name].figure()
			cpu.Median += p.n * f.CPU.Median
			wall.Median += p.n * f.Wall.Median
		}
		row.Floor, row.FloorWall = &cpu, &wall
	}
	i = 0
	for _, suite := range RecordSuites {
		for _, size := range RecordSizes {
			raw := raws[[2]int{int(suite), size}]
			for _, t := range Transports {
				row := RecordRow{Suite: suite, Size: size, Transport: t, Raw: raw.figure()}
				for s := range 2 {
					c := recs[i].stacks[s]
					c.countAllocs(o.AllocOps * 10)
					row.Stacks[s] = c.figure()
					c.close()
				}
				res.Records = append(res.Records, row)
				i++
			}
		}
	}

	progress("retained heap")
	for _, t := range Transports {
		idle := MemoryRow{Transport: t, After: "handshake"}
		after := MemoryRow{Transport: t, After: "16 KiB each way"}
		for s := range 2 {
			var xs, ys []float64
			for range o.MemRounds {
				x, y, err := retained(Stack(s), t, o.MemPairs)
				if err != nil {
					idle.Errs[s], after.Errs[s] = err, err
					break
				}
				xs, ys = append(xs, x), append(ys, y)
			}
			idle.Stacks[s], after.Stacks[s] = summarise(xs), summarise(ys)
		}
		res.Memory = append(res.Memory, idle, after)
	}

	for _, row := range res.Handshakes {
		for s, f := range row.Stacks {
			if f.Err != nil && !(Stack(s) == CryptoTLS && row.H.Resume == SessionID) {
				errs = append(errs, f.Err)
			}
		}
	}
	for _, row := range res.Records {
		for _, f := range append(row.Stacks[:], row.Raw) {
			if f.Err != nil {
				errs = append(errs, f.Err)
			}
		}
	}
	for _, row := range res.Memory {
		for _, err := range row.Errs {
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	res.Took = time.Since(began)
	res.LoadAfter = loadAvg()
	return res, errors.Join(errs...)
}

// machineDesc names the CPU and the number of CPUs Go sees.
func machineDesc() string {
	model := runtime.GOARCH
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d CPUs (GOMAXPROCS %d), %s/%s", model, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
}

// loadAvg is the 1-, 5- and 15-minute load average, where the system says.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
