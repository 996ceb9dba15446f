package property_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/sanstls/sanstls/adapters/chanpipe"
	"github.com/sanstls/sanstls/machine"
)

// maxSteps bounds a chanpipe run: chunks of one byte need a step each.
const maxSteps = 1 << 22

// maxPlaintext is the most application data one record carries (RFC 5246,
// Section 6.2.1: 2^14 bytes); Send splits larger writes at it.
const maxPlaintext = 1 << 14

// faultAlerts are the alerts a receiver may fail with when the record
// stream was altered: the record layer's own (RFC 5246, Sections 6.2 and
// 7.2.2).
var faultAlerts = []machine.Alert{
	machine.AlertBadRecordMAC,
	machine.AlertDecodeError,
	machine.AlertRecordOverflow,
	machine.AlertUnexpectedMessage,
	machine.AlertProtocolVersion,
}

// drawWire draws the chanpipe seed, chunking and delays.
func drawWire(t *rapid.T) []chanpipe.Option {
	opts := []chanpipe.Option{chanpipe.WithSeed(rapid.Uint64().Draw(t, "wire seed"))}
	for _, side := range []chanpipe.Side{chanpipe.SideClient, chanpipe.SideServer} {
		if rapid.Bool().Draw(t, "rechunk "+side.String()) {
			lo := rapid.IntRange(1, 64).Draw(t, "min chunk")
			opts = append(opts, chanpipe.WithChunks(side, lo, rapid.IntRange(lo, 4096).Draw(t, "max chunk")))
		}
		if rapid.Bool().Draw(t, "delay "+side.String()) {
			opts = append(opts, chanpipe.WithDelay(side, rapid.IntRange(0, 3).Draw(t, "delay")))
		}
	}
	return opts
}

// A fault is one alteration of the bytes one side sends, at an offset of
// its output stream.
type fault struct {
	kind string // "corrupt", "drop", "duplicate" or "truncate"
	from chanpipe.Side
	off  int64
	n    int64 // drop, duplicate: length; corrupt: the bit
}

func (f fault) String() string { return fmt.Sprintf("%s(%v, %d, %d)", f.kind, f.from, f.off, f.n) }

func drawFault(t *rapid.T, from chanpipe.Side, lo, hi int64) fault {
	f := fault{from: from}
	f.kind = rapid.SampledFrom([]string{"corrupt", "drop", "duplicate", "truncate"}).Draw(t, "fault")
	f.off = rapid.Int64Range(lo, hi).Draw(t, "fault offset")
	switch f.kind {
	case "corrupt":
		f.n = rapid.Int64Range(0, 7).Draw(t, "bit")
	case "drop", "duplicate":
		f.n = rapid.Int64Range(1, 64).Draw(t, "fault length")
	}
	return f
}

func (f fault) option() chanpipe.Option {
	switch f.kind {
	case "corrupt":
		return chanpipe.WithCorrupt(f.from, f.off, uint(f.n))
	case "drop":
		return chanpipe.WithDrop(f.from, f.off, f.n)
	case "duplicate":
		return chanpipe.WithDuplicate(f.from, f.off, f.n)
	}
	return chanpipe.WithTruncate(f.from, f.off)
}

// intact is the stream offset up to which bytes arrive as sent. A stream
// of length total is altered only if intact() < total: a duplicate's copy
// follows the last duplicated byte, so one that ends the stream only adds
// bytes after close_notify, which the receiver ignores.
func (f fault) intact() int64 {
	if f.kind == "duplicate" {
		return f.off + f.n
	}
	return f.off
}

// stream reassembles what side from delivered, from a chanpipe transcript
// (step uvarint, flags byte with bit 0 set for the server, length uvarint,
// bytes; see Pair.Transcript).
func stream(t *rapid.T, transcript []byte, from chanpipe.Side) []byte {
	var out []byte
	for rest := transcript; len(rest) > 0; {
		_, k := binary.Uvarint(rest)
		if k <= 0 || len(rest) < k+1 {
			t.Fatalf("malformed transcript")
		}
		flags := rest[k]
		rest = rest[k+1:]
		n, k := binary.Uvarint(rest)
		if k <= 0 || uint64(len(rest)-k) < n {
			t.Fatalf("malformed transcript")
		}
		if chanpipe.Side(flags&1) == from {
			out = append(out, rest[k:k+int(n)]...)
		}
		rest = rest[k+int(n):]
	}
	return out
}

// recordEnds returns the end offsets of the whole records in s.
func recordEnds(s []byte) []int64 {
	var ends []int64
	off := 0
	for len(s)-off >= recordHeaderLen {
		n := recordHeaderLen + int(binary.BigEndian.Uint16(s[off+3:off+5]))
		if off+n > len(s) {
			break
		}
		off += n
		ends = append(ends, int64(off))
	}
	return ends
}

// recordSizes lists the plaintext sizes of the records Send makes of
// writes of the given lengths.
func recordSizes(lens []int) []int {
	var sizes []int
	for _, n := range lens {
		for ; n > 0; n -= min(n, maxPlaintext) {
			sizes = append(sizes, min(n, maxPlaintext))
		}
	}
	return sizes
}

// closedClean reports whether e ended with the peer's close_notify. Bytes
// after it are ignored: Receive returns machine.ErrClosed, which chanpipe
// records as Endpoint.Err (see the report of the property tests).
func closedClean(e *chanpipe.Endpoint) bool {
	return e.PeerClosed && (e.Err == nil || e.Err == machine.ErrClosed)
}

// checkFailure checks that e's error is nil or a failure the record layer
// may report: a local alert of faultAlerts, a remote alert, or
// ErrTruncated.
func checkFailure(t *rapid.T, e *chanpipe.Endpoint) {
	var ae *machine.AlertError
	name, err := e.Side.String(), e.Err
	switch {
	case err == nil, err == machine.ErrTruncated, closedClean(e):
	case errors.As(err, &ae) && err == error(ae):
		if !ae.Remote && !contains(faultAlerts, ae.Alert) {
			t.Fatalf("%s failed with %v (reason %q), not a record-layer alert", name, ae.Alert, ae.Reason)
		}
	default:
		t.Fatalf("%s failed with %v (%T), neither an *machine.AlertError nor ErrTruncated", name, err, err)
	}
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// faultsAfterHandshake alters one direction's byte stream after a completed
// handshake. The receiver delivers exactly the data of the records that
// precede the fault and then fails, or, if the fault changed nothing,
// delivers everything: it never delivers altered data.
func faultsAfterHandshake(t *rapid.T) {
	sc := drawScenario(t, true)
	ccfg, scfg := sc.configs()
	p, err := chanpipe.NewPair(ccfg, scfg, drawWire(t)...)
	if err != nil {
		t.Fatalf("NewPair: %v", err)
	}
	if err := p.Run(maxSteps); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if !p.Client.HandshakeDone || !p.Server.HandshakeDone || p.Client.Err != nil || p.Server.Err != nil {
		t.Fatalf("[%v] handshake: client %v, server %v", sc, p.Client.Err, p.Server.Err)
	}
	from := chanpipe.Side(rapid.IntRange(0, 1).Draw(t, "sender"))
	sender := p.Endpoint(from)
	receiver := p.Endpoint(1 - from)
	lens := rapid.SliceOfN(rapid.IntRange(0, 40000), 1, 4).Draw(t, "lengths")
	total := 0
	for _, n := range lens {
		total += n
	}
	// Records add at most 5+16+48 bytes (header, explicit IV or nonce,
	// MAC and padding); aim past the end sometimes.
	base := sender.BytesSent
	f := drawFault(t, from, 0, int64(total+len(recordSizes(lens))*69+64))
	f.off += base
	p.Inject(f.option())
	var sent []byte
	for i, n := range lens {
		data := payload(n, uint64(i))
		if err := p.Send(from, data); err != nil {
			t.Fatalf("Send: %v", err)
		}
		sent = append(sent, data...)
	}
	p.Close(from)
	if err := p.Run(maxSteps); err != nil {
		t.Fatalf("[%v] %v: %v", sc, f, err)
	}
	streamLen := sender.BytesSent - base
	f.off -= base
	got := receiver.Received
	if !bytes.HasPrefix(sent, got) {
		t.Fatalf("[%v] %v: the receiver got %d bytes that are not a prefix of the %d sent", sc, f, len(got), len(sent))
	}
	checkFailure(t, receiver)
	checkFailure(t, sender)
	if f.intact() >= streamLen {
		if !closedClean(receiver) || !bytes.Equal(got, sent) {
			t.Fatalf("[%v] %v misses the %d-byte stream, yet the receiver got %d of %d bytes, err %v, closed %v",
				sc, f, streamLen, len(got), len(sent), receiver.Err, receiver.PeerClosed)
		}
		return
	}
	// The records wholly before the fault arrive intact; the receiver
	// delivers their data and nothing after.
	delivered := stream(t, p.Transcript(), from)
	if int64(len(delivered)) < int64(base)+f.intact() {
		t.Fatalf("[%v] %v: only %d bytes were delivered", sc, f, len(delivered))
	}
	intactRecords := 0
	for _, end := range recordEnds(delivered[base:]) {
		if end <= f.intact() {
			intactRecords++
		}
	}
	want := 0
	for _, n := range recordSizes(lens)[:min(intactRecords, len(recordSizes(lens)))] {
		want += n
	}
	if len(got) != want {
		t.Fatalf("[%v] %v: the receiver delivered %d bytes, want the %d of the %d intact records",
			sc, f, len(got), want, intactRecords)
	}
	if receiver.Err == nil {
		t.Fatalf("[%v] %v altered the stream but the receiver did not fail (closed %v)", sc, f, receiver.PeerClosed)
	}
	// An alert goes out exactly when the receiver fails locally.
	ae, local := isLocal(receiver.Err)
	if wantAlerts := map[bool]int{true: 1, false: 0}[local]; receiver.AlertsSent != wantAlerts {
		t.Fatalf("[%v] %v: the receiver failed with %v and sent %d alert records", sc, f, receiver.Err, receiver.AlertsSent)
	}
	if local && sender.Err != machine.ErrTruncated && !isRemote(sender.Err, ae.Alert) {
		t.Fatalf("[%v] %v: the receiver sent %v but the sender reports %v", sc, f, ae.Alert, sender.Err)
	}
	faultStats.add(f.kind, receiver.Err)
}

// faultsDuringHandshake alters one direction's stream from its start, so
// mostly during the handshake. No side completes a handshake with keys its
// peer does not share, failures are alerts or truncation, and data that
// flows afterwards is never altered.
func faultsDuringHandshake(t *rapid.T) {
	sc := drawScenario(t, true)
	ccfg, scfg := sc.configs()
	var keyLog [2]bytes.Buffer
	ccfg.KeyLogWriter, scfg.KeyLogWriter = &keyLog[0], &keyLog[1]
	f := drawFault(t, chanpipe.Side(rapid.IntRange(0, 1).Draw(t, "sender")), 0, 3000)
	p, err := chanpipe.NewPair(ccfg, scfg, append(drawWire(t), f.option())...)
	if err != nil {
		t.Fatalf("NewPair: %v", err)
	}
	if err := p.Run(maxSteps); err != nil {
		t.Fatalf("[%v] %v: %v", sc, f, err)
	}
	// Both sides log the master secret of the handshake they run.
	if p.Client.HandshakeDone && p.Server.HandshakeDone && keyLog[0].String() != keyLog[1].String() {
		t.Fatalf("[%v] %v: both sides completed the handshake with different secrets:\n%s\n%s",
			sc, f, keyLog[0].String(), keyLog[1].String())
	}
	var sent [2][]byte
	if p.Client.HandshakeDone && p.Server.HandshakeDone && p.Client.Err == nil && p.Server.Err == nil {
		ck, cerr := p.Client.Conn.ExportKeyingMaterial(exporterLabel, nil, 32)
		sk, serr := p.Server.Conn.ExportKeyingMaterial(exporterLabel, nil, 32)
		if cerr != nil || serr != nil || !bytes.Equal(ck, sk) {
			t.Fatalf("[%v] %v: exported keying material: client %x %v, server %x %v", sc, f, ck, cerr, sk, serr)
		}
		for _, side := range []chanpipe.Side{chanpipe.SideClient, chanpipe.SideServer} {
			sent[side] = payload(rapid.IntRange(0, 40000).Draw(t, "length"), uint64(side))
			if err := p.Send(side, sent[side]); err != nil {
				t.Fatalf("Send: %v", err)
			}
		}
	}
	p.Close(chanpipe.SideClient)
	p.Close(chanpipe.SideServer)
	if err := p.Run(maxSteps); err != nil {
		t.Fatalf("[%v] %v: %v", sc, f, err)
	}
	for _, e := range []*chanpipe.Endpoint{p.Client, p.Server} {
		if e.Err != nil {
			var ae *machine.AlertError
			if e.Err != machine.ErrTruncated && !errors.As(e.Err, &ae) && !closedClean(e) {
				t.Fatalf("[%v] %v: %v failed with %v (%T)", sc, f, e.Side, e.Err, e.Err)
			}
		}
		peerSent := sent[1-e.Side]
		if !bytes.HasPrefix(peerSent, e.Received) {
			t.Fatalf("[%v] %v: %v received %d bytes that are not a prefix of the %d sent", sc, f, e.Side, len(e.Received), len(peerSent))
		}
		if closedClean(e) && !bytes.Equal(peerSent, e.Received) {
			t.Fatalf("[%v] %v: %v closed cleanly with %d of %d bytes", sc, f, e.Side, len(e.Received), len(peerSent))
		}
	}
}

func TestFaultsAfterHandshake(t *testing.T) {
	rapid.Check(t, faultsAfterHandshake)
	t.Logf("receiver failures by fault: %v", faultStats)
}

func TestFaultsDuringHandshake(t *testing.T) {
	rapid.Check(t, faultsDuringHandshake)
}

func FuzzFaultsAfterHandshake(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(rapid.MakeFuzz(faultsAfterHandshake))
}

func FuzzFaultsDuringHandshake(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(rapid.MakeFuzz(faultsDuringHandshake))
}

// failureStats counts receiver failures by fault kind, for the test log.
type failureStats map[string]int

var faultStats = failureStats{}

func (s failureStats) add(kind string, err error) {
	what := "truncated"
	if ae, ok := err.(*machine.AlertError); ok {
		what = strings.ReplaceAll(ae.Alert.String(), " ", "_")
	}
	s[kind+"/"+what]++
}
