package sim

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
)

// A Campaign is many small seeded runs, each with exactly one fault
// injected into one connection, to show that every fault ends in the
// alert or truncation error it should, that the other connections of the
// run are unharmed, and that no altered application data is ever
// delivered.
type Campaign struct {
	// Base is the scenario of each run (its Seed, Faults and FaultKinds
	// are ignored). Zero means CampaignBase.
	Base Scenario
	// Runs is the number of runs; default 1000.
	Runs int
	// Seed is the seed of the first run; run i uses Seed+i.
	Seed uint64
	// Kinds are the fault kinds, used in turn; default AllFaultKinds.
	Kinds []FaultKind
	// Progress, if set, is called after each run.
	Progress func(done, total int)
}

// CampaignBase is the default scenario of a campaign run: three
// connections, some resuming, some with client certificates, some
// renegotiating, two exchanges each.
var CampaignBase = Scenario{
	Conns: 3, Arrival: Arrival{Kind: Poisson, Rate: 10},
	Resume: 0.4, ClientAuth: 0.3, Renegotiate: 0.3, Requests: 2, RequestSize: 300, ResponseSize: 5000,
}

// A Finding is a connection whose outcome a campaign did not accept.
type Finding struct {
	Seed  uint64
	Index int
	Fault Fault
	Got   Outcome
	Why   string
}

func (f Finding) String() string {
	return fmt.Sprintf("seed %d connection %d, fault %v: %v (%s)", f.Seed, f.Index, f.Fault, f.Got, f.Why)
}

// CampaignReport is the summary of a campaign.
type CampaignReport struct {
	Runs int
	// Faulted counts the faulted connections; Expected those that ended
	// in an outcome their fault allows; Absorbed those whose fault
	// changed only bytes the protocol ignores (a corrupted record
	// version before the version is known) and completed with intact
	// data.
	Faulted, Expected, Absorbed int
	// Clean counts the connections without a fault, CleanOK those that
	// ended OK.
	Clean, CleanOK int
	// ByKind is the outcomes of the faulted connections by fault kind.
	ByKind []FaultRow
	// Findings are the connections whose outcome was not accepted:
	// unexpected outcomes of faulted connections, clean connections that
	// did not end OK, and any altered application data.
	Findings []Finding
}

// OK reports whether the campaign found nothing wrong.
func (r *CampaignReport) OK() bool {
	return len(r.Findings) == 0 && r.Faulted == r.Expected+r.Absorbed && r.Clean == r.CleanOK
}

// recordLayerAlerts are the alerts a receiver may send for a stream
// altered after the handshake, where every record is authenticated (RFC
// 5246, Sections 6.2 and 7.2.2): the authentication failure itself, or
// what a record header shifted by a drop or duplicate says.
var recordLayerAlerts = []string{"bad_record_mac", "unexpected_message", "protocol_version", "record_overflow", "decode_error"}

// judge says whether outcome o is what fault f (of a connection whose
// clean run is clean) allows, and why not.
func judge(f Fault, clean, got ConnResult) (ok, absorbed bool, why string) {
	o := got.Outcome
	if got.Altered {
		return false, false, "altered application data delivered"
	}
	if !got.FaultHit {
		return false, false, "the fault missed the stream"
	}
	afterHandshake := f.Offset >= clean.HandshakeSent[f.From]
	switch f.Kind {
	case Corrupt, Drop, Duplicate:
		switch o.Kind {
		case Alerted:
			name := strings.ReplaceAll(o.Alert.String(), " ", "_")
			if name == "internal_error" {
				return false, false, "internal_error for altered bytes"
			}
			if afterHandshake && !slices.Contains(recordLayerAlerts, name) {
				return false, false, "not a record-layer alert for a fault after the handshake"
			}
			if afterHandshake && o.Side == f.From {
				return false, false, "the sender of the altered stream raised the alert"
			}
			return true, false, ""
		case Stalled, Truncated:
			// A length field that grew, or bytes missing from the last
			// record: the receiver waits for bytes that never come.
			return true, false, ""
		case OK:
			if f.Kind == Corrupt && got.AppBytes == clean.AppBytes {
				return false, true, ""
			}
			return false, false, "the altered stream was accepted"
		}
	case Truncate, CloseConn:
		// The receiver of the cut stream sees its end first.
		if o.Kind == Truncated && o.Side != f.From {
			return true, false, ""
		}
	case Stall:
		if o.Kind == Stalled {
			return true, false, ""
		}
	case ResetConn:
		if o.Kind == Reset && o.Side != f.From {
			return true, false, ""
		}
	}
	return false, false, "not an outcome this fault allows"
}

// RunCampaign runs a fault campaign.
func RunCampaign(c Campaign) (*CampaignReport, error) {
	if c.Runs <= 0 {
		c.Runs = 1000
	}
	if len(c.Kinds) == 0 {
		c.Kinds = AllFaultKinds
	}
	base := c.Base
	if base.Conns == 0 {
		base = CampaignBase
	}
	base.Faults, base.CPUTime, base.HeapInUse, base.Progress = 0, nil, nil, nil
	base = base.withDefaults()
	p, err := newPKI()
	if err != nil {
		return nil, err
	}
	rep := &CampaignReport{Runs: c.Runs}
	rows := map[FaultKind]map[string]int{}
	for r := range c.Runs {
		sc := base
		sc.Seed = c.Seed + uint64(r)
		sc.faults = nil
		clean, err := run(sc, p, nil, nil, 0)
		if err != nil {
			return nil, err
		}
		v := r % sc.Conns
		f := campaignFault(sc.Seed, c.Kinds[r%len(c.Kinds)], clean.Conns[v])
		sc.faults = map[int]Fault{v: f}
		got, err := run(sc, p, nil, nil, 0)
		if err != nil {
			return nil, err
		}
		for i, cr := range got.Conns {
			if i != v {
				rep.Clean++
				switch {
				case cr.Altered:
					rep.Findings = append(rep.Findings, Finding{sc.Seed, i, cr.Fault, cr.Outcome, "altered application data delivered"})
				case cr.Outcome.Kind != OK:
					rep.Findings = append(rep.Findings, Finding{sc.Seed, i, cr.Fault, cr.Outcome, "a clean connection was harmed"})
				default:
					rep.CleanOK++
				}
				continue
			}
			rep.Faulted++
			if rows[f.Kind] == nil {
				rows[f.Kind] = map[string]int{}
			}
			rows[f.Kind][cr.Outcome.Label()]++
			ok, absorbed, why := judge(f, clean.Conns[v], cr)
			switch {
			case ok:
				rep.Expected++
			case absorbed:
				rep.Absorbed++
			default:
				rep.Findings = append(rep.Findings, Finding{sc.Seed, i, f, cr.Outcome, why})
			}
		}
		if c.Progress != nil {
			c.Progress(r+1, c.Runs)
		}
	}
	for _, k := range AllFaultKinds {
		if m := rows[k]; m != nil {
			row := FaultRow{Kind: k.String()}
			for l, n := range m {
				row.Outcomes = append(row.Outcomes, Count{l, n})
			}
			slices.SortFunc(row.Outcomes, func(a, b Count) int {
				if a.N != b.N {
					return b.N - a.N
				}
				return strings.Compare(a.Label, b.Label)
			})
			rep.ByKind = append(rep.ByKind, row)
		}
	}
	return rep, nil
}

const streamCampaign = 4 << 40

// campaignFault draws a fault of kind k that falls inside the stream the
// chosen side sent in the clean run, so that it always hits.
func campaignFault(seed uint64, k FaultKind, clean ConnResult) Fault {
	g := newPCG(seed, streamCampaign)
	r := rand.New(&g)
	f := Fault{Kind: k, From: Side(r.IntN(2)), Bit: uint8(r.IntN(8))}
	total := clean.Sent[f.From]
	if total < 2 {
		f.From = 1 - f.From
		total = clean.Sent[f.From]
	}
	switch k {
	case Drop:
		f.Offset = r.Int64N(total)
		f.Len = 1 + r.Int64N(min(64, total-f.Offset))
	case Duplicate:
		// The copy must come before the end of the stream: a copy after
		// the last byte only repeats what follows close_notify.
		f.Offset = r.Int64N(total - 1)
		f.Len = 1 + r.Int64N(min(64, total-1-f.Offset))
	default:
		f.Offset = r.Int64N(total)
	}
	return f
}

// Format writes the campaign summary.
func (r *CampaignReport) Format(w io.Writer) {
	fmt.Fprintf(w, "fault campaign: %d runs, %d faulted connections, %d clean connections\n", r.Runs, r.Faulted, r.Clean)
	for _, row := range r.ByKind {
		fmt.Fprintf(w, "  %-10s %s\n", row.Kind, countsString(row.Outcomes))
	}
	fmt.Fprintf(w, "faulted connections that ended as their fault allows: %d of %d (absorbed, with intact data: %d)\n",
		r.Expected, r.Faulted, r.Absorbed)
	fmt.Fprintf(w, "clean connections that ended ok: %d of %d\n", r.CleanOK, r.Clean)
	for i, f := range r.Findings {
		if i == 20 {
			fmt.Fprintf(w, "  ... %d more\n", len(r.Findings)-i)
			break
		}
		fmt.Fprintf(w, "  FINDING %v\n", f)
	}
	if r.OK() {
		fmt.Fprintf(w, "verdict: every fault ended in an allowed alert, truncation, reset or stall; no clean connection harmed; no altered data delivered\n")
	} else {
		fmt.Fprintf(w, "verdict: FAILED (%d findings)\n", len(r.Findings))
	}
}
