package sim

import "fmt"

// Side names one end of a connection.
type Side uint8

const (
	// Client is the connecting end.
	Client Side = iota
	// Server is the accepting end.
	Server
)

func (s Side) String() string {
	if s == Server {
		return "server"
	}
	return "client"
}

// FaultKind is what a Fault does.
type FaultKind uint8

const (
	// NoFault is the zero Fault.
	NoFault FaultKind = iota
	// Corrupt flips one bit of the byte at Offset.
	Corrupt
	// Drop removes Len bytes from Offset on (a broken middlebox: TCP would
	// retransmit them).
	Drop
	// Duplicate delivers the Len bytes from Offset twice in a row.
	Duplicate
	// Truncate ends the stream at Offset: the bytes before it arrive, then
	// the end of the transport (a FIN), while the sender carries on.
	Truncate
	// Stall makes the sending peer hang once it has sent Offset bytes: it
	// sends and reads nothing more, and keeps the connection open.
	Stall
	// CloseConn makes the sending peer close its connection once it has
	// sent Offset bytes, without close_notify.
	CloseConn
	// ResetConn makes the sending peer abort its connection (a TCP RST) once it
	// has sent Offset bytes: the receiver learns it after the bytes before
	// Offset.
	ResetConn
)

// AllFaultKinds lists every kind of fault.
var AllFaultKinds = []FaultKind{Corrupt, Drop, Duplicate, Truncate, Stall, CloseConn, ResetConn}

var faultNames = [...]string{NoFault: "none", Corrupt: "corrupt", Drop: "drop", Duplicate: "duplicate",
	Truncate: "truncate", Stall: "stall", CloseConn: "close", ResetConn: "reset"}

func (k FaultKind) String() string {
	if int(k) < len(faultNames) {
		return faultNames[k]
	}
	return fmt.Sprintf("FaultKind(%d)", k)
}

// ParseFaultKind returns the kind named by String.
func ParseFaultKind(s string) (FaultKind, error) {
	for k, n := range faultNames {
		if n == s && k != 0 {
			return FaultKind(k), nil
		}
	}
	return NoFault, fmt.Errorf("sim: unknown fault kind %q", s)
}

// A Fault alters the byte stream one side sends, at an offset of what its
// machine produced (before the fault).
type Fault struct {
	Kind   FaultKind
	From   Side
	Offset int64
	Len    int64 // Drop, Duplicate
	Bit    uint8 // Corrupt
}

func (f Fault) String() string {
	switch f.Kind {
	case NoFault:
		return "none"
	case Corrupt:
		return fmt.Sprintf("corrupt %s byte %d bit %d", f.From, f.Offset, f.Bit)
	case Drop, Duplicate:
		return fmt.Sprintf("%s %s bytes %d-%d", f.Kind, f.From, f.Offset, f.Offset+f.Len-1)
	}
	return fmt.Sprintf("%s %s at byte %d", f.Kind, f.From, f.Offset)
}

// cutAfter reports whether the fault ends the sender's stream at Offset.
func (f Fault) cuts() bool { return f.Kind >= Truncate }

// stream is one direction of a connection: the fault that applies to it
// and how far the sender has got.
type stream struct {
	off  int64  // bytes the sending machine produced so far
	dup  []byte // Duplicate: the bytes of the range seen so far
	cut  bool   // the stream was cut by a Truncate/Stall/CloseConn/ResetConn
	hit  bool   // the fault altered something
	free int64  // the link is busy sending until this time
	last int64  // arrival time of the latest segment (streams stay ordered)
	fin  bool   // the end of the stream has been sent
}

// apply returns what becomes on the wire of out, the next bytes the
// sender's machine produced, given the fault f of this direction (a fresh
// slice), and whether the stream is cut after it.
func (st *stream) apply(out []byte, f *Fault) (data []byte, cut bool) {
	start := st.off
	end := start + int64(len(out))
	st.off = end
	if st.cut {
		return nil, false
	}
	switch {
	case f.Kind == Corrupt && f.Offset >= start && f.Offset < end:
		data = append([]byte(nil), out...)
		data[f.Offset-start] ^= 1 << (f.Bit % 8)
		st.hit = true
		return data, false
	case f.Kind == Drop && f.Offset < end && f.Offset+f.Len > start:
		lo, hi := max(f.Offset, start)-start, min(f.Offset+f.Len, end)-start
		data = make([]byte, 0, int64(len(out))-(hi-lo))
		st.hit = true
		return append(append(data, out[:lo]...), out[hi:]...), false
	case f.Kind == Duplicate && f.Offset < end && f.Offset+f.Len > start:
		lo, hi := max(f.Offset, start)-start, min(f.Offset+f.Len, end)-start
		st.dup = append(st.dup, out[lo:hi]...)
		data = append([]byte(nil), out[:hi]...)
		if f.Offset+f.Len <= end {
			data = append(data, st.dup...) // the range is complete: repeat it
			st.dup = nil
			st.hit = true
		}
		return append(data, out[hi:]...), false
	case f.cuts() && f.Offset < end:
		st.cut, st.hit = true, true
		return append([]byte(nil), out[:max(f.Offset-start, 0)]...), true
	}
	return append([]byte(nil), out...), false
}
