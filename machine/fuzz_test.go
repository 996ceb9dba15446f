package machine_test

// Fuzz targets for the state machine (security.md, section 4: rustls
// fuzz/fuzzers/client.rs and server.rs, made cheap by sans-IO). Every
// target checks the calling convention on arbitrary input: no panic;
// Receive consumes 0 <= n <= len(in); a bounded number of calls; output is
// whole records; a local failure ends the output with its alert record;
// errors are sticky (every method returns the same error and appends
// nothing). Memory is not measured; TestLargeInputs feeds 1 MiB inputs.

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// fuzzFeed feeds in to c the way a caller would and checks the calling
// convention. It returns everything c emitted.
func fuzzFeed(t *testing.T, c *machine.Conn, in []byte) []byte {
	t.Helper()
	defer watchdog(in)()
	var all []byte
	limit := len(in) + 10
	for calls := 0; ; calls++ {
		if calls > limit {
			t.Fatalf("Receive made no progress after %d calls", calls)
		}
		out, n, err := c.Receive(nil, in)
		if n < 0 || n > len(in) {
			t.Fatalf("Receive consumed %d of %d bytes", n, len(in))
		}
		in = in[n:]
		checkRecords(t, out)
		all = append(all, out...)
		events := 0
		for ev := c.NextEvent(); ev.Kind != machine.EventNone; ev = c.NextEvent() {
			if events++; events > 8 {
				t.Fatal("more events than the queue holds")
			}
		}
		if err != nil {
			checkFuzzError(t, c, err, out)
			return all
		}
		if n == 0 && events == 0 {
			return all
		}
	}
}

// watchdog crashes the process if a fuzz input runs for more than 10
// seconds: Go's fuzzing engine has no hang detection of its own (a hung
// worker just stops counting executions until -fuzztime ends), while a
// panic is reported as a crasher with its input. Call the result to
// disarm it.
func watchdog(in []byte) func() {
	timer := time.AfterFunc(10*time.Second, func() {
		panic(fmt.Sprintf("fuzz input ran for 10s: %x", in))
	})
	return func() { timer.Stop() }
}

// checkRecords requires out to be whole records of the four TLS content
// types, none longer than the protocol allows.
func checkRecords(t *testing.T, out []byte) {
	t.Helper()
	for len(out) > 0 {
		hdr, ok := messages.ParseRecordHeader(out)
		end := messages.RecordHeaderLen + int(hdr.Length)
		if !ok || len(out) < end {
			t.Fatalf("output ends inside a record")
		}
		if hdr.Type < messages.ContentTypeChangeCipherSpec || hdr.Type > messages.ContentTypeApplicationData || hdr.Length > messages.MaxCiphertext {
			t.Fatalf("emitted a record of type %d and length %d", hdr.Type, hdr.Length)
		}
		out = out[end:]
	}
}

// checkFuzzError checks an error Receive returned: ErrClosed and ErrPending
// are not failures; anything else is sticky, and a local alert is the last
// record of the call's output (in the clear, or an AES-GCM or
// ChaCha20-Poly1305 record of its size).
func checkFuzzError(t *testing.T, c *machine.Conn, err error, out []byte) {
	t.Helper()
	if errors.Is(err, machine.ErrClosed) || errors.Is(err, machine.ErrPending) {
		return
	}
	var ae *machine.AlertError
	if !errors.As(err, &ae) {
		t.Fatalf("Receive failed with %v (%T), not an *AlertError", err, err)
	}
	if !ae.Remote {
		var last []byte
		for rest := out; len(rest) > 0; {
			hdr, _ := messages.ParseRecordHeader(rest)
			last = rest[:messages.RecordHeaderLen+int(hdr.Length)]
			rest = rest[len(last):]
		}
		if len(last) == 0 || messages.ContentType(last[0]) != messages.ContentTypeAlert {
			t.Fatalf("failed with %v but the output does not end with an alert", err)
		}
		body := last[messages.RecordHeaderLen:]
		switch len(body) {
		case messages.AlertLen:
			if body[0] != byte(messages.AlertLevelFatal) || body[1] != byte(ae.Alert) {
				t.Fatalf("failed with %v but sent alert %x", err, body)
			}
		case messages.AlertLen + 24, messages.AlertLen + 16:
		default:
			t.Fatalf("alert record of %d bytes", len(body))
		}
	}
	checkSticky(t, c, err)
}

// fuzzStep is one record of the reference exchange and who receives it.
type fuzzStep struct {
	toClient bool
	rec      []byte
}

// fuzzScript is an undisturbed exchange, one record per handshake message:
// the handshake, a record of application data each way and close_notify
// each way.
func fuzzScript(t testing.TB, auth bool) []fuzzStep {
	t.Helper()
	h := newAttack(t, "fuzz", auth)
	h.handshake()
	var steps []fuzzStep
	for k, f := range h.flights {
		for _, p := range f {
			steps = append(steps, fuzzStep{k%2 == 1, flight{p}.bytes()})
		}
	}
	steps = append(steps,
		fuzzStep{false, h.send(h.c, []byte("ping"))},
		fuzzStep{true, h.send(h.s, []byte("pong"))},
		fuzzStep{false, h.c.conn.Close(nil)},
		fuzzStep{true, h.s.conn.Close(nil)})
	return steps
}

// fuzzSeeds adds the reference flights as seeds: all of them, then each
// receiver's own.
func fuzzSeeds(f *testing.F, toClient bool) {
	for _, auth := range []bool{false, true} {
		var all []byte
		for _, s := range fuzzScript(f, auth) {
			if s.toClient == toClient {
				all = append(all, s.rec...)
				f.Add(bytes.Clone(all))
			}
		}
	}
}

// FuzzServer feeds arbitrary bytes to a fresh server. Seeds: a real
// ClientHello and the client's later flights.
func FuzzServer(f *testing.F) {
	fuzzSeeds(f, false)
	f.Fuzz(func(t *testing.T, in []byte) {
		h := newAttack(t, "fuzz", false)
		fuzzFeed(t, h.s.conn, in)
	})
}

// FuzzClient feeds arbitrary bytes to a client after Start. The client's
// random comes from the same seed as the reference, so the real server
// flights in the seeds verify and lead deep into the handshake.
func FuzzClient(f *testing.F) {
	fuzzSeeds(f, true)
	f.Fuzz(func(t *testing.T, in []byte) {
		h := newAttack(t, "fuzz", false)
		if _, err := h.c.conn.Start(nil); err != nil {
			t.Fatal(err)
		}
		fuzzFeed(t, h.c.conn, in)
	})
}

// fuzzScripts holds the reference exchanges, without and with client
// authentication.
var fuzzScripts [2][]fuzzStep

// FuzzStates reaches every state of a real exchange before fuzzing: the
// first input byte picks the exchange (with or without client
// authentication), how many of its records to replay (0 to all, so every
// handshake state, connected, and closed) and which side receives the
// rest of the input.
func FuzzStates(f *testing.F) {
	fuzzScripts[0], fuzzScripts[1] = fuzzScript(f, false), fuzzScript(f, true)
	nStates := 2 * (len(fuzzScripts[0]) + 1 + len(fuzzScripts[1]) + 1)
	for sel := range nStates {
		f.Add([]byte{byte(sel)})
		f.Add([]byte{byte(sel), 22, 3, 3, 0, 4, 0, 0, 0, 0})
	}
	// The next record of the script for every state, as its receiver's
	// input, so that mutations start from the expected message.
	for sel := range nStates {
		auth, j, toClient := fuzzSelect(byte(sel))
		if steps := fuzzScripts[auth]; j < len(steps) && steps[j].toClient == toClient {
			f.Add(append([]byte{byte(sel)}, steps[j].rec...))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		defer watchdog(in)()
		auth, j, toClient := fuzzSelect(in[0])
		h := newAttack(t, "fuzz", auth == 1)
		if _, err := h.c.conn.Start(nil); err != nil {
			t.Fatal(err)
		}
		for i, s := range fuzzScripts[auth][:j] {
			e := h.s
			if s.toClient {
				e = h.c
			}
			e.feed(t, s.rec)
			if e.err != nil {
				t.Fatalf("replaying record %d to the %s: %v", i, e.name, e.err)
			}
		}
		target := h.s.conn
		if toClient {
			target = h.c.conn
		}
		fuzzFeed(t, target, in[1:])
	})
}

// fuzzSelect decodes FuzzStates' first byte: script, number of records to
// replay, and target side.
func fuzzSelect(b byte) (auth, j int, toClient bool) {
	n0, n1 := len(fuzzScripts[0])+1, len(fuzzScripts[1])+1
	v := int(b) % (2 * (n0 + n1))
	toClient, v = v%2 == 1, v/2
	if v < n0 {
		return 0, v, toClient
	}
	return 1, v - n0, toClient
}

// TestFuzzSelectCoversStates: FuzzStates' first byte reaches every
// (script, prefix, side) combination.
func TestFuzzSelectCoversStates(t *testing.T) {
	fuzzScripts[0], fuzzScripts[1] = fuzzScript(t, false), fuzzScript(t, true)
	seen := map[string]bool{}
	for b := range 256 {
		auth, j, c := fuzzSelect(byte(b))
		seen[fmt.Sprint(auth, j, c)] = true
	}
	want := 2 * (len(fuzzScripts[0]) + 1 + len(fuzzScripts[1]) + 1)
	if len(seen) != want || want > 256 {
		t.Fatalf("first byte reaches %d of %d states", len(seen), want)
	}
}

// TestLargeInputs feeds 1 MiB inputs: the machine must stop consuming at
// the first failure, never buffer more than a capped handshake message,
// and stream large volumes of application data.
func TestLargeInputs(t *testing.T) {
	const mib = 1 << 20
	t.Run("random-bytes", func(t *testing.T) {
		in := make([]byte, mib)
		if _, err := newRand("large").Read(in); err != nil {
			t.Fatal(err)
		}
		for _, toClient := range []bool{false, true} {
			h := newAttack(t, "large", false)
			e := h.s
			if toClient {
				e = h.c
				h.c.conn.Start(nil)
			}
			fuzzFeed(t, e.conn, in)
			if e.conn.Err() == nil {
				t.Fatalf("%s accepted 1 MiB of random bytes", e.name)
			}
		}
	})
	// A Certificate message claiming the 256 KiB cap, followed by more
	// handshake records, to a client waiting for ServerHello: the type is
	// judged on the header, so the client fails on the first record and
	// leaves the rest unconsumed.
	t.Run("capped-certificate", func(t *testing.T) {
		h := newAttack(t, "large", false)
		h.c.conn.Start(nil)
		hs := make([]byte, mib)
		copy(hs, []byte{byte(messages.HandshakeTypeCertificate), 0x04, 0, 0})
		in := flight{{typ: messages.ContentTypeHandshake, vers: messages.VersionTLS12, data: hs}}.bytes()
		consumed := 0
		for consumed < len(in) {
			_, n, err := h.c.conn.Receive(nil, in[consumed:])
			consumed += n
			if err != nil {
				break
			}
			if n == 0 {
				t.Fatal("client stopped consuming without an error")
			}
		}
		expectLocal(t, h.c.conn.Err(), messages.AlertUnexpectedMessage)
		if limit := messages.RecordHeaderLen + messages.MaxPlaintext; consumed > limit {
			t.Fatalf("client consumed %d bytes before failing, want at most %d", consumed, limit)
		}
	})
	t.Run("application-data", func(t *testing.T) {
		h := connected(t, "large")
		payload := bytes.Repeat([]byte("0123456789abcdef"), mib/16)
		in := h.send(h.c, payload)
		h.s.feed(t, in)
		if h.s.err != nil || !bytes.Equal(h.s.data, payload) {
			t.Fatalf("err %v, %d of %d bytes delivered", h.s.err, len(h.s.data), len(payload))
		}
	})
	// HelloRequest is ignored by a client during a handshake (RFC 5246,
	// Section 7.4.1.1), but a flood of them makes no progress: the client
	// fails after maxNoProgress of them (guard.go), having answered none.
	t.Run("hello-request-flood", func(t *testing.T) {
		h := newAttack(t, "large", false)
		h.c.conn.Start(nil)
		in := flight{{typ: messages.ContentTypeHandshake, vers: messages.VersionTLS12, data: make([]byte, mib)}}.bytes()
		start := time.Now()
		out := fuzzFeed(t, h.c.conn, in)
		expectLocal(t, h.c.conn.Err(), messages.AlertUnexpectedMessage)
		if f := parseFlight(t, out); len(f) != 1 || f[0].typ != messages.ContentTypeAlert {
			t.Fatalf("client answered HelloRequests with %v", f.names())
		}
		t.Logf("1 MiB of HelloRequests took %v", time.Since(start))
	})
}
