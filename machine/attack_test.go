package machine_test

// Attack tests (security.md rows 1, 2, 9, 10, 11, 16 and 20): a real client
// and server run flight by flight while a man in the middle skips,
// duplicates, reorders, injects or rewrites what is in flight. Every failure
// is checked three ways: the error (an *AlertError with the exact alert),
// the alert record on the failing side's wire (decrypted when it went out
// after ChangeCipherSpec), and the sticky-error contract of both sides.
//
// The harness pins AES-128-GCM with SHA-256 and collects each side's NSS key
// log, so the man in the middle knows the record keys: it can open the
// encrypted Finished, rewrite it and seal it again with any sequence number.

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/keys"
	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// attackSuite is the suite the harness pins so that it can derive the record
// keys itself: AES-128-GCM, PRF SHA-256 (RFC 5289).
const attackSuite = machine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256

// gcmOverhead is what AES-GCM adds to a TLS 1.2 fragment: an 8-byte
// nonce_explicit and a 16-byte tag (RFC 5288, Section 3).
const gcmOverhead = 8 + 16

// endpoint is one side of a connection under test, with everything it did.
type endpoint struct {
	name   string
	conn   *machine.Conn
	keylog bytes.Buffer
	wire   []byte // every byte it emitted, in order
	err    error  // the first error Receive returned (ErrPending excluded)
	kinds  []machine.EventKind
	warn   []machine.Alert
	data   []byte
	peer   []*machine.PeerCerts // EventVerifyPeer payloads
	unread []byte               // input Receive has not consumed yet
}

// drain pops every queued event and reports whether there was one.
func (e *endpoint) drain() bool {
	got := false
	for ev := e.conn.NextEvent(); ev.Kind != machine.EventNone; ev = e.conn.NextEvent() {
		got = true
		e.kinds = append(e.kinds, ev.Kind)
		switch ev.Kind {
		case machine.EventAppData:
			e.data = append(e.data, ev.Data...)
		case machine.EventWarningAlert:
			e.warn = append(e.warn, ev.Alert)
		case machine.EventVerifyPeer:
			e.peer = append(e.peer, ev.Peer)
		}
	}
	return got
}

// feed appends in to e's unread input and calls Receive until it consumes
// nothing more, draining events in between. It returns what e emitted and
// checks the calling convention on the way: 0 <= n <= len(in), and a
// bounded number of calls.
func (e *endpoint) feed(t testing.TB, in []byte) []byte {
	t.Helper()
	in = append(e.unread, in...)
	defer func() { e.unread = bytes.Clone(in) }()
	var out []byte
	limit := len(in) + 10
	for calls := 0; ; calls++ {
		if calls > limit {
			t.Fatalf("%s: Receive made no progress after %d calls", e.name, calls)
		}
		var n int
		var err error
		out, n, err = e.conn.Receive(out, in)
		if n < 0 || n > len(in) {
			t.Fatalf("%s: Receive consumed %d of %d bytes", e.name, n, len(in))
		}
		in = in[n:]
		got := e.drain()
		if err != nil {
			if !errors.Is(err, machine.ErrPending) && e.err == nil {
				e.err = err
			}
			break
		}
		if n == 0 && !got {
			break
		}
	}
	e.wire = append(e.wire, out...)
	return out
}

// harness runs a client and a server and lets a hook edit every flight.
type harness struct {
	t    testing.TB
	c, s *endpoint
	// flights holds each flight as delivered (after the hook).
	flights []flight
}

// attackConfigs returns a client and a server config pinned to attackSuite.
func attackConfigs(t testing.TB, seed string) (ccfg, scfg *machine.Config) {
	ccfg = clientConfig(t, seed)
	ccfg.CipherSuites = []uint16{attackSuite}
	return ccfg, serverConfig(t, seed)
}

// newHarness creates both sides; the configs get key log writers.
func newHarness(t testing.TB, ccfg, scfg *machine.Config) *harness {
	t.Helper()
	h := &harness{t: t, c: &endpoint{name: "client"}, s: &endpoint{name: "server"}}
	ccfg.KeyLogWriter = &h.c.keylog
	scfg.KeyLogWriter = &h.s.keylog
	var err error
	if h.c.conn, err = machine.Client(ccfg); err != nil {
		t.Fatal(err)
	}
	if h.s.conn, err = machine.Server(scfg); err != nil {
		t.Fatal(err)
	}
	return h
}

// newAttack is newHarness over attackConfigs, with client authentication
// (RequireAndVerifyClientCert and a client certificate) when auth is set,
// then mods applied.
func newAttack(t testing.TB, seed string, auth bool, mods ...func(ccfg, scfg *machine.Config)) *harness {
	ccfg, scfg := attackConfigs(t, seed)
	if auth {
		p := getPKI(t)
		ccfg.Certificates = []machine.Certificate{p.client}
		scfg.ClientAuth = machine.RequireAndVerifyClientCert
		scfg.ClientCAs = p.roots
	}
	for _, m := range mods {
		m(ccfg, scfg)
	}
	return newHarness(t, ccfg, scfg)
}

func (h *harness) other(e *endpoint) *endpoint {
	if e == h.c {
		return h.s
	}
	return h.c
}

// run starts the client and passes flights back and forth until one side
// has nothing to say or fails. hook (if not nil) edits flight k before it is
// delivered: 0 is the ClientHello, 1 the server's first flight, 2 the
// client's second flight, 3 the server's ChangeCipherSpec and Finished.
// When a side fails, its output (with the alert) is delivered to the peer
// unedited, so that the peer's view can be checked too.
func (h *harness) run(hook func(k int, f flight) flight) {
	h.t.Helper()
	out, err := h.c.conn.Start(nil)
	if err != nil {
		h.t.Fatalf("Start: %v", err)
	}
	h.c.wire = append(h.c.wire, out...)
	from, to := h.c, h.s
	for k := 0; len(out) > 0; k++ {
		if k > 8 {
			h.t.Fatal("handshake did not settle")
		}
		f := parseFlight(h.t, out)
		if hook != nil {
			f = hook(k, f)
		}
		h.flights = append(h.flights, f)
		out = to.feed(h.t, f.bytes())
		if to.err != nil {
			if len(out) > 0 && from.err == nil {
				from.feed(h.t, out)
			}
			return
		}
		from, to = to, from
	}
}

// handshake runs without interference and requires success.
func (h *harness) handshake() {
	h.t.Helper()
	h.run(nil)
	if h.c.err != nil || h.s.err != nil {
		h.t.Fatalf("handshake failed: client %v, server %v", h.c.err, h.s.err)
	}
	if !h.c.conn.HandshakeComplete() || !h.s.conn.HandshakeComplete() {
		h.t.Fatal("handshake did not complete")
	}
}

// send seals data from e and returns the records (also recorded on e.wire).
func (h *harness) send(e *endpoint, data []byte) []byte {
	h.t.Helper()
	out, err := e.conn.Send(nil, data)
	if err != nil {
		h.t.Fatalf("%s Send: %v", e.name, err)
	}
	e.wire = append(e.wire, out...)
	return out
}

// trafficKeys derives the key block e used, from e's key log line and the
// server random on the server's wire.
func (h *harness) trafficKeys(e *endpoint) keys.TrafficKeys {
	h.t.Helper()
	lines := strings.Split(strings.TrimSpace(e.keylog.String()), "\n")
	fields := strings.Fields(lines[len(lines)-1])
	if len(fields) != 3 || fields[0] != "CLIENT_RANDOM" {
		h.t.Fatalf("%s key log %q: no CLIENT_RANDOM line", e.name, e.keylog.String())
	}
	cr, err1 := hex.DecodeString(fields[1])
	ms, err2 := hex.DecodeString(fields[2])
	if err1 != nil || err2 != nil {
		h.t.Fatalf("bad key log line %q", lines[len(lines)-1])
	}
	var sr []byte
	for _, p := range parseFlight(h.t, h.s.wire) {
		if p.typ == messages.ContentTypeHandshake && !p.enc && messages.HandshakeType(p.data[0]) == messages.HandshakeTypeServerHello {
			var sh messages.ServerHello
			if err := sh.Unmarshal(bytes.Clone(p.data)); err != nil {
				h.t.Fatal(err)
			}
			sr = sh.Random[:]
			break
		}
	}
	if sr == nil {
		h.t.Fatal("no ServerHello on the server's wire")
	}
	return keys.KeyBlock(crypto.SHA256, ms, cr, sr, 0, 16, 4)
}

// protection returns record protection for what e writes, at sequence
// number seq.
func (h *harness) protection(e *endpoint, seq uint64) keys.RecordProtection {
	h.t.Helper()
	k := h.trafficKeys(e)
	key, iv := k.ServerKey, k.ServerIV
	if e == h.c {
		key, iv = k.ClientKey, k.ClientIV
	}
	p, err := keys.NewAESGCM(key, iv)
	if err != nil {
		h.t.Fatal(err)
	}
	p.SetSequence(seq)
	return p
}

// seal encrypts payload as e would with sequence number seq.
func (h *harness) seal(e *endpoint, seq uint64, typ messages.ContentType, payload []byte) piece {
	h.t.Helper()
	rec, err := h.protection(e, seq).Seal(nil, uint8(typ), messages.VersionTLS12, payload)
	if err != nil {
		h.t.Fatal(err)
	}
	return piece{typ: typ, vers: messages.VersionTLS12, data: rec[messages.RecordHeaderLen:], enc: true}
}

// open decrypts an encrypted piece e sent with sequence number seq.
func (h *harness) open(e *endpoint, seq uint64, p piece) []byte {
	h.t.Helper()
	pt, err := h.protection(e, seq).Open(uint8(p.typ), p.vers, bytes.Clone(p.data))
	if err != nil {
		h.t.Fatalf("cannot open %s's record %d: %v", e.name, seq, err)
	}
	return pt
}

// plainRecord is a record of a side's wire, decrypted if it was encrypted.
type plainRecord struct {
	typ    messages.ContentType
	body   []byte
	rawLen int // fragment length on the wire
	enc    bool
}

// decode returns e's wire as records, decrypting everything after e's
// ChangeCipherSpec with keys from the key log.
func (h *harness) decode(e *endpoint) []plainRecord {
	h.t.Helper()
	var prot keys.RecordProtection
	var recs []plainRecord
	b := bytes.Clone(e.wire)
	for len(b) > 0 {
		hdr, ok := messages.ParseRecordHeader(b)
		end := messages.RecordHeaderLen + int(hdr.Length)
		if !ok || len(b) < end {
			h.t.Fatalf("%s's wire ends inside a record", e.name)
		}
		frag := b[messages.RecordHeaderLen:end]
		b = b[end:]
		r := plainRecord{typ: hdr.Type, body: frag, rawLen: len(frag)}
		if prot != nil {
			pt, err := prot.Open(uint8(hdr.Type), hdr.Version, frag)
			if err != nil {
				h.t.Fatalf("%s's encrypted record does not open: %v", e.name, err)
			}
			r.body, r.enc = pt, true
		} else if hdr.Type == messages.ContentTypeChangeCipherSpec {
			prot = h.protection(e, 0)
		}
		recs = append(recs, r)
	}
	return recs
}

// expectFailure checks that e failed with a local alert want (error, wire,
// stickiness) and that the peer received it as a remote alert.
func (h *harness) expectFailure(e *endpoint, want machine.Alert) {
	h.t.Helper()
	h.expectFatal(e, want)
	peer := h.other(e)
	expectRemote(h.t, peer.err, want)
	checkSticky(h.t, peer.conn, peer.err)
}

// expectFatal checks e's error, the alert record that ends e's wire, and
// that the error is sticky.
func (h *harness) expectFatal(e *endpoint, want machine.Alert) {
	h.t.Helper()
	expectLocal(h.t, e.err, want)
	recs := h.decode(e)
	if len(recs) == 0 {
		h.t.Fatalf("%s sent nothing, want a %v alert", e.name, want)
	}
	checkAlertRecord(h.t, recs[len(recs)-1], want)
	checkSticky(h.t, e.conn, e.err)
}

// checkAlertRecord checks a fatal alert record: its body (decrypted if need
// be) and the length it had on the wire.
func checkAlertRecord(t testing.TB, r plainRecord, want machine.Alert) {
	t.Helper()
	if r.typ != messages.ContentTypeAlert {
		t.Fatalf("last record is %v, want alert", r.typ)
	}
	wantLen := messages.AlertLen
	if r.enc {
		wantLen += gcmOverhead
	}
	if r.rawLen != wantLen {
		t.Errorf("alert record fragment is %d bytes on the wire, want %d", r.rawLen, wantLen)
	}
	if !bytes.Equal(r.body, []byte{byte(messages.AlertLevelFatal), byte(want)}) {
		t.Fatalf("alert record body %x, want fatal %v", r.body, want)
	}
}

// expectLocal checks that err is an *AlertError we sent with alert want.
func expectLocal(t testing.TB, err error, want machine.Alert) {
	t.Helper()
	var ae *machine.AlertError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T), want a local %v *AlertError", err, err, want)
	}
	if ae.Remote || ae.Alert != want {
		t.Fatalf("error %v (alert %v, remote %v), want local %v", err, ae.Alert, ae.Remote, want)
	}
}

// expectRemote checks that err reports alert want received from the peer.
func expectRemote(t testing.TB, err error, want machine.Alert) {
	t.Helper()
	var ae *machine.AlertError
	if !errors.As(err, &ae) || !ae.Remote || ae.Alert != want {
		t.Fatalf("peer error %v, want remote %v", err, want)
	}
}

// checkSticky asserts the contract of a failed Conn (package doc: "From then
// on every method returns the same error and emits nothing").
func checkSticky(t testing.TB, c *machine.Conn, want error) {
	t.Helper()
	if want == nil {
		t.Fatal("checkSticky: no error to check")
	}
	if got := c.Err(); got != want {
		t.Errorf("Err() = %v, want %v", got, want)
	}
	dst := []byte("unchanged")
	same := func(method string, out []byte, err error) {
		t.Helper()
		if err != want {
			t.Errorf("%s after failure returned %v, want the sticky %v", method, err, want)
		}
		if !bytes.Equal(out, dst) || len(out) != len(dst) {
			t.Errorf("%s after failure appended %d bytes", method, len(out)-len(dst))
		}
	}
	rec := record(messages.ContentTypeApplicationData, messages.VersionTLS12, []byte("more"))
	out, n, err := c.Receive(dst, rec)
	same("Receive", out, err)
	if n != 0 {
		t.Errorf("Receive after failure consumed %d bytes", n)
	}
	out, err = c.Send(dst, []byte("data"))
	same("Send", out, err)
	same("Close", c.Close(dst), want)
	out, err = c.ResolveVerify(dst, nil)
	same("ResolveVerify", out, err)
	out, err = c.Start(dst)
	same("Start", out, err)
	if err := c.ReceiveEOF(); err != want {
		t.Errorf("ReceiveEOF after failure returned %v, want %v", err, want)
	}
}

// expectStall checks that a flight that lost its last message leaves the
// receiver waiting without error, and that the transport ending then is
// reported as truncation (and is sticky).
func (h *harness) expectStall(receiver *endpoint) {
	h.t.Helper()
	if h.c.err != nil || h.s.err != nil {
		h.t.Fatalf("want a stall, got client %v, server %v", h.c.err, h.s.err)
	}
	if receiver.conn.HandshakeComplete() {
		h.t.Fatalf("%s completed a handshake that lost a message", receiver.name)
	}
	if _, err := h.c.conn.Send(nil, []byte("x")); !errors.Is(err, machine.ErrNotReady) {
		h.t.Fatalf("client Send during a stalled handshake: %v, want ErrNotReady", err)
	}
	err := receiver.conn.ReceiveEOF()
	if !errors.Is(err, machine.ErrTruncated) {
		h.t.Fatalf("%s ReceiveEOF: %v, want ErrTruncated", receiver.name, err)
	}
	checkSticky(h.t, receiver.conn, err)
}

// record frames one record.
func record(typ messages.ContentType, vers uint16, body []byte) []byte {
	b := messages.RecordHeader{Type: typ, Version: vers, Length: uint16(len(body))}.Append(nil)
	return append(b, body...)
}

// A piece is one unit of a flight: a plaintext handshake message (or a
// fragment of one), a ChangeCipherSpec body, or an opaque record fragment
// (enc: everything after ChangeCipherSpec, which is encrypted).
type piece struct {
	typ  messages.ContentType
	vers uint16
	data []byte
	enc  bool
}

// name is what the tests call a piece.
func (p piece) name() string {
	switch {
	case p.enc && p.typ == messages.ContentTypeHandshake:
		return "Finished" // the only encrypted handshake message of a full handshake
	case p.enc:
		return "encrypted " + p.typ.String()
	case p.typ == messages.ContentTypeHandshake && len(p.data) > 0:
		return messages.HandshakeType(p.data[0]).String()
	case p.typ == messages.ContentTypeChangeCipherSpec:
		return "ChangeCipherSpec"
	}
	return p.typ.String()
}

// flight is what one side sends in one go.
type flight []piece

// parseFlight splits records into pieces: plaintext handshake records into
// messages, everything after a ChangeCipherSpec into opaque records.
func parseFlight(t testing.TB, b []byte) flight {
	t.Helper()
	var f flight
	var hs []byte
	var hsVers uint16
	enc := false
	for len(b) > 0 {
		hdr, ok := messages.ParseRecordHeader(b)
		end := messages.RecordHeaderLen + int(hdr.Length)
		if !ok || len(b) < end {
			t.Fatalf("flight ends inside a record")
		}
		body := bytes.Clone(b[messages.RecordHeaderLen:end])
		b = b[end:]
		switch {
		case enc || hdr.Type != messages.ContentTypeHandshake:
			f = append(f, piece{typ: hdr.Type, vers: hdr.Version, data: body, enc: enc})
			if hdr.Type == messages.ContentTypeChangeCipherSpec {
				enc = true
			}
		default:
			hs, hsVers = append(hs, body...), hdr.Version
			for {
				_, n, ok := messages.ParseHandshakeHeader(hs)
				if !ok || len(hs) < messages.HandshakeHeaderLen+n {
					break
				}
				msg := hs[:messages.HandshakeHeaderLen+n]
				f = append(f, piece{typ: messages.ContentTypeHandshake, vers: hsVers, data: bytes.Clone(msg)})
				hs = hs[len(msg):]
			}
		}
	}
	if len(hs) > 0 {
		t.Fatal("flight ends inside a handshake message")
	}
	return f
}

// bytes frames the flight: consecutive plaintext handshake pieces of the
// same record version share records (as a real sender coalesces them, split
// at 2^14); every other piece is a record of its own.
func (f flight) bytes() []byte {
	var out, hs []byte
	var hsVers uint16
	flush := func() {
		for len(hs) > 0 {
			n := min(len(hs), messages.MaxPlaintext)
			out = append(out, record(messages.ContentTypeHandshake, hsVers, hs[:n])...)
			hs = hs[n:]
		}
	}
	for _, p := range f {
		if p.typ == messages.ContentTypeHandshake && !p.enc {
			if len(hs) > 0 && p.vers != hsVers {
				flush()
			}
			hs, hsVers = append(hs, p.data...), p.vers
			continue
		}
		flush()
		out = append(out, record(p.typ, p.vers, p.data)...)
	}
	flush()
	return out
}

func (f flight) names() []string {
	var s []string
	for _, p := range f {
		s = append(s, p.name())
	}
	return s
}

// index returns the position of the first piece called name, or -1.
func (f flight) index(name string) int {
	for i, p := range f {
		if p.name() == name {
			return i
		}
	}
	return -1
}

func (f flight) without(i int) flight { return slices.Delete(slices.Clone(f), i, i+1) }

func (f flight) insert(i int, p ...piece) flight { return slices.Insert(slices.Clone(f), i, p...) }

func (f flight) replace(i int, p ...piece) flight {
	return slices.Replace(slices.Clone(f), i, i+1, p...)
}

// ccsPiece is a ChangeCipherSpec record body.
var ccsPiece = piece{typ: messages.ContentTypeChangeCipherSpec, vers: messages.VersionTLS12, data: []byte{1}}

// hsPiece is a plaintext handshake piece.
func hsPiece(data []byte) piece {
	return piece{typ: messages.ContentTypeHandshake, vers: messages.VersionTLS12, data: data}
}

// receiverOf returns the side flight k goes to.
func (h *harness) receiverOf(k int) *endpoint {
	if k%2 == 0 {
		return h.s
	}
	return h.c
}

// referenceFlights runs an undisturbed handshake and returns its flights.
func referenceFlights(t testing.TB, seed string, auth bool) []flight {
	t.Helper()
	h := newAttack(t, seed, auth)
	h.handshake()
	return h.flights
}

// TestMessageSkipDuplicateReorder is the SMACK/SKIP family (security.md row
// 1; BoGo SkipServerKeyExchange, ServerSkipCertificateVerify,
// SkipChangeCipherSpec-*, SkipClientCertificate-*; tlsfuzzer
// test-message-skipping, test-message-duplication). For every message of
// every flight, with and without client authentication, it skips the
// message, duplicates it, and moves it before its predecessor. Each state
// accepts only its own message, so the receiver fails with
// unexpected_message, except for these cases, each with its reason:
//
//   - Skipping the last message of a flight leaves the receiver waiting for
//     it (and the sender waiting for an answer): a stall, which the
//     transport's end reports as truncation.
//   - Skipping CertificateRequest is invisible to the client, which then
//     sends no Certificate; the server, which requires one, fails on the
//     ClientKeyExchange with unexpected_message. Moving ServerHelloDone
//     before CertificateRequest makes the client send its second flight
//     (without Certificate) and then fail on the CertificateRequest; the
//     server fails on that flight by itself, before it reads the client's
//     alert, so both sides report a local unexpected_message.
//   - A duplicated ChangeCipherSpec is a plaintext record arriving after the
//     read side switched to the new keys, and a duplicated Finished is a
//     replayed record (its sequence number no longer matches): both fail
//     authentication with bad_record_mac.
//   - Skipping the client's ChangeCipherSpec (or moving its Finished first)
//     makes the server read the encrypted Finished as plaintext handshake
//     bytes; AES-GCM's nonce_explicit is the sequence number 0, whose eight
//     zero bytes read as two HelloRequests, which a server never expects:
//     unexpected_message.
//   - The client-side counterpart (the server's encrypted Finished without
//     ChangeCipherSpec) depends on the ciphertext and is tested in
//     TestSkipServerChangeCipherSpec.
func TestMessageSkipDuplicateReorder(t *testing.T) {
	type outcome struct {
		fails *endpoint // nil: stall
		alert machine.Alert
	}
	for _, auth := range []bool{false, true} {
		ref := referenceFlights(t, "smack", auth)
		for k, f := range ref {
			for i := range f {
				name := f[i].name()
				ops := map[string]func(flight) flight{
					"skip":      func(f flight) flight { return f.without(i) },
					"duplicate": func(f flight) flight { return f.insert(i, f[i]) },
				}
				if i > 0 {
					ops["early"] = func(f flight) flight {
						g := slices.Clone(f)
						g[i-1], g[i] = g[i], g[i-1]
						return g
					}
				}
				for op, edit := range ops {
					if k == 3 && (op == "skip" && name == "ChangeCipherSpec" || op == "early" && name == "Finished") {
						continue // TestSkipServerChangeCipherSpec
					}
					t.Run(fmt.Sprintf("auth=%v/flight%d/%s/%s", auth, k, op, name), func(t *testing.T) {
						h := newAttack(t, "smack", auth)
						recv := h.receiverOf(k)
						want := outcome{recv, messages.AlertUnexpectedMessage}
						switch {
						case op == "skip" && i == len(f)-1:
							want = outcome{}
						case op == "skip" && name == "CertificateRequest":
							want.fails = h.s
						case op == "duplicate" && (name == "ChangeCipherSpec" || name == "Finished"):
							want.alert = messages.AlertBadRecordMAC
						}
						h.run(func(kk int, g flight) flight {
							if kk != k {
								return g
							}
							if fmt.Sprint(g.names()) != fmt.Sprint(f.names()) {
								t.Fatalf("flight %d is %v, reference %v", k, g.names(), f.names())
							}
							return edit(g)
						})
						switch {
						case want.fails == nil:
							h.expectStall(recv)
						case auth && op == "early" && name == "ServerHelloDone":
							h.expectFatal(h.c, want.alert)
							h.expectFatal(h.s, want.alert)
						default:
							h.expectFailure(want.fails, want.alert)
						}
					})
				}
			}
		}
	}
}

// TestSkipServerChangeCipherSpec: the server's encrypted Finished reaches a
// client that still reads plaintext. The client reads it as handshake bytes:
// the zero nonce_explicit is two HelloRequests, which a client ignores
// during a handshake (RFC 5246, Section 7.4.1.1), and then the ciphertext
// starts a message header of random type and length. The type is judged
// against the state on the header: the test picks the first seed whose
// ciphertext starts a type the client cannot take here (anything but
// HelloRequest and NewSessionTicket), and the client must fail at once with
// unexpected_message, without waiting for the bytes the header claims.
// (With other ciphertexts it may wait, or fail with illegal_parameter or
// decode_error; the Finished is never accepted.)
func TestSkipServerChangeCipherSpec(t *testing.T) {
	for i := range 64 {
		h := newAttack(t, fmt.Sprintf("skipccs-%d", i), false)
		typ := messages.HandshakeTypeHelloRequest
		h.run(func(k int, f flight) flight {
			if k != 3 {
				return f
			}
			fin := f[f.index("Finished")]
			if !bytes.Equal(fin.data[:8], make([]byte, 8)) {
				t.Fatalf("nonce_explicit of the first record is %x, want the sequence number 0", fin.data[:8])
			}
			typ, _, _ = messages.ParseHandshakeHeader(fin.data[8:])
			return flight{fin}
		})
		if typ == messages.HandshakeTypeHelloRequest || typ == messages.HandshakeTypeNewSessionTicket {
			continue
		}
		h.expectFailure(h.c, messages.AlertUnexpectedMessage)
		if h.c.conn.HandshakeComplete() {
			t.Fatal("client completed the handshake without ChangeCipherSpec")
		}
		return
	}
	t.Fatal("no seed gave a ciphertext of an unexpected message type")
}

// TestPlaintextFinished: a Finished sent in the clear, without
// ChangeCipherSpec or before it, arrives in a state that expects
// ChangeCipherSpec: unexpected_message (BoGo SkipChangeCipherSpec-*).
func TestPlaintextFinished(t *testing.T) {
	for _, tc := range []struct {
		name  string
		k     int
		order string // "skip": no CCS; "swap": Finished, then CCS
	}{
		{"client/skip", 2, "skip"},
		{"client/swap", 2, "swap"},
		{"server/skip", 3, "skip"},
		{"server/swap", 3, "swap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newAttack(t, "plainfin", false)
			h.run(func(k int, f flight) flight {
				if k != tc.k {
					return f
				}
				sender := h.other(h.receiverOf(k))
				i := f.index("Finished")
				plain := hsPiece(h.open(sender, 0, f[i]))
				ccs := f.index("ChangeCipherSpec")
				g := f.replace(i, plain).without(ccs)
				if tc.order == "swap" {
					g = append(g, ccsPiece)
				}
				return g
			})
			h.expectFailure(h.receiverOf(tc.k), messages.AlertUnexpectedMessage)
		})
	}
}

// TestEarlyChangeCipherSpec injects a ChangeCipherSpec before every message
// that precedes the real one (CVE-2014-0224; BoGo EarlyChangeCipherSpec-*;
// security.md row 2): the state does not expect it, so unexpected_message,
// and no key is switched.
func TestEarlyChangeCipherSpec(t *testing.T) {
	for _, auth := range []bool{false, true} {
		ref := referenceFlights(t, "earlyccs", auth)
		for k, f := range ref {
			last := len(f)
			if j := f.index("ChangeCipherSpec"); j >= 0 {
				last = j
			}
			for j := range last {
				t.Run(fmt.Sprintf("auth=%v/flight%d/before-%s", auth, k, f[j].name()), func(t *testing.T) {
					h := newAttack(t, "earlyccs", auth)
					h.run(func(kk int, g flight) flight {
						if kk != k {
							return g
						}
						return g.insert(j, ccsPiece)
					})
					h.expectFailure(h.receiverOf(k), messages.AlertUnexpectedMessage)
				})
			}
		}
	}
}

// TestChangeCipherSpecWithPartialMessage: a ChangeCipherSpec that arrives,
// in the state that expects it, while part of a handshake message is
// buffered is unexpected_message (CVE-2014-0224; BoGo
// FragmentAcrossChangeCipherSpec-*, PartialFinishedWithServerHelloDone).
// The fragment is the start of the real Finished, in plaintext; 3 bytes do
// not even make a header, 6 do.
func TestChangeCipherSpecWithPartialMessage(t *testing.T) {
	for _, k := range []int{2, 3} {
		for _, n := range []int{3, 6} {
			t.Run(fmt.Sprintf("flight%d/%d-bytes", k, n), func(t *testing.T) {
				h := newAttack(t, "partial", false)
				h.run(func(kk int, f flight) flight {
					if kk != k {
						return f
					}
					sender := h.other(h.receiverOf(k))
					fin := h.open(sender, 0, f[f.index("Finished")])
					return f.insert(f.index("ChangeCipherSpec"), hsPiece(fin[:n]))
				})
				h.expectFailure(h.receiverOf(k), messages.AlertUnexpectedMessage)
			})
		}
	}
	// A message split across two records with a ChangeCipherSpec between
	// them, in a state that does not expect one.
	t.Run("certificate-split", func(t *testing.T) {
		h := newAttack(t, "partial", false)
		h.run(func(k int, f flight) flight {
			if k != 1 {
				return f
			}
			i := f.index("Certificate")
			cert := f[i].data
			return f.replace(i, hsPiece(cert[:50]), ccsPiece, hsPiece(cert[50:]))
		})
		h.expectFailure(h.c, messages.AlertUnexpectedMessage)
	})
}

// TestBadChangeCipherSpec sends a malformed ChangeCipherSpec where one is
// expected (BoGo BadChangeCipherSpec-1/2): a body other than the single
// byte 1 is unexpected_message (errBadCCS, as OpenSSL and tlsfuzzer
// test-ccs expect, and as messages.ParseChangeCipherSpec documents), and so
// is an empty record (zero-length ChangeCipherSpec fragments MUST NOT be
// sent, RFC 5246, Section 6.2.1). Either way the keys do not change.
func TestBadChangeCipherSpec(t *testing.T) {
	for _, k := range []int{2, 3} {
		for _, tc := range []struct {
			body []byte
			want machine.Alert
		}{
			{[]byte{2}, messages.AlertUnexpectedMessage},
			{[]byte{1, 1}, messages.AlertUnexpectedMessage},
			{[]byte{0}, messages.AlertUnexpectedMessage},
			{[]byte{}, messages.AlertUnexpectedMessage},
		} {
			t.Run(fmt.Sprintf("flight%d/%x", k, tc.body), func(t *testing.T) {
				h := newAttack(t, "badccs", false)
				h.run(func(kk int, f flight) flight {
					if kk != k {
						return f
					}
					bad := ccsPiece
					bad.data = tc.body
					return f.replace(f.index("ChangeCipherSpec"), bad)
				})
				h.expectFailure(h.receiverOf(k), tc.want)
			})
		}
	}
}

// TestAppDataBeforeFinished: application data is accepted only once the
// peer's Finished is verified (security.md row 2; BoGo
// AppDataAfterChangeCipherSpec). Between ChangeCipherSpec and Finished it
// is sealed with the right keys and sequence number, and still
// unexpected_message; so is an empty record there, and plaintext
// application data inside a flight.
func TestAppDataBeforeFinished(t *testing.T) {
	for _, k := range []int{2, 3} {
		for _, data := range []string{"early", ""} {
			t.Run(fmt.Sprintf("flight%d/%q", k, data), func(t *testing.T) {
				h := newAttack(t, "appdata", false)
				h.run(func(kk int, f flight) flight {
					if kk != k {
						return f
					}
					sender := h.other(h.receiverOf(k))
					i := f.index("Finished")
					fin := h.open(sender, 0, f[i])
					return f.replace(i,
						h.seal(sender, 0, messages.ContentTypeApplicationData, []byte(data)),
						h.seal(sender, 1, messages.ContentTypeHandshake, fin))
				})
				h.expectFailure(h.receiverOf(k), messages.AlertUnexpectedMessage)
				if len(h.receiverOf(k).data) != 0 {
					t.Fatal("application data was delivered before Finished")
				}
			})
		}
	}
	for _, k := range []int{0, 1, 2} {
		t.Run(fmt.Sprintf("flight%d/plaintext", k), func(t *testing.T) {
			h := newAttack(t, "appdata", false)
			h.run(func(kk int, f flight) flight {
				if kk != k {
					return f
				}
				return f.insert(len(f)/2, piece{typ: messages.ContentTypeApplicationData, vers: f[0].vers, data: []byte("GET /")})
			})
			h.expectFailure(h.receiverOf(k), messages.AlertUnexpectedMessage)
		})
	}
}

// TestBadFinished: a wrong verify_data, or one of the wrong length, is
// decrypt_error (BoringSSL's choice, which BoGo's
// TrailingMessageData-*Finished tests expect), on either side (security.md row 16; BoGo
// BadFinished-Client/-Server; tlsfuzzer test-fuzzed-finished). The man in
// the middle knows the keys, so the record itself is valid.
func TestBadFinished(t *testing.T) {
	for _, k := range []int{2, 3} {
		for _, tc := range []struct {
			name string
			edit func([]byte) []byte
			want machine.Alert
		}{
			{"flipped-first-bit", func(m []byte) []byte { m[4] ^= 0x80; return m }, messages.AlertDecryptError},
			{"flipped-last-bit", func(m []byte) []byte { m[len(m)-1] ^= 1; return m }, messages.AlertDecryptError},
			{"short", func(m []byte) []byte { m[3]--; return m[:len(m)-1] }, messages.AlertDecryptError},
			{"long", func(m []byte) []byte { m[3]++; return append(m, 0) }, messages.AlertDecryptError},
			{"empty", func(m []byte) []byte { m[3] = 0; return m[:4] }, messages.AlertDecryptError},
		} {
			t.Run(fmt.Sprintf("flight%d/%s", k, tc.name), func(t *testing.T) {
				h := newAttack(t, "badfin", false)
				h.run(func(kk int, f flight) flight {
					if kk != k {
						return f
					}
					sender := h.other(h.receiverOf(k))
					i := f.index("Finished")
					fin := tc.edit(h.open(sender, 0, f[i]))
					return f.replace(i, h.seal(sender, 0, messages.ContentTypeHandshake, fin))
				})
				h.expectFailure(h.receiverOf(k), tc.want)
				if h.receiverOf(k).conn.HandshakeComplete() {
					t.Fatal("handshake completed with a bad Finished")
				}
			})
		}
	}
}

// editServerHello rewrites the ServerHello of flight 1.
func editServerHello(t testing.TB, f flight, edit func(*messages.ServerHello)) flight {
	t.Helper()
	i := f.index("ServerHello")
	var sh messages.ServerHello
	if err := sh.Unmarshal(bytes.Clone(f[i].data)); err != nil {
		t.Fatal(err)
	}
	edit(&sh)
	sh.ExtensionOrder = nil
	raw, err := sh.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return f.replace(i, hsPiece(raw))
}

// editClientHello rewrites the ClientHello of flight 0.
func editClientHello(t testing.TB, f flight, edit func(*messages.ClientHello)) flight {
	t.Helper()
	var ch messages.ClientHello
	if err := ch.Unmarshal(bytes.Clone(f[0].data)); err != nil {
		t.Fatal(err)
	}
	edit(&ch)
	ch.ExtensionOrder = nil
	raw, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	p := f[0]
	p.data = raw
	return f.replace(0, p)
}

// TestTranscriptTampering changes messages that no signature covers, so only
// the Finished exchange (and, with extended master secret, the keys) can
// notice.
func TestTranscriptTampering(t *testing.T) {
	// With EMS the session hash is part of the master secret (RFC 7627,
	// Section 4), so a ServerHello with a session ID the server never sent
	// gives the client other keys: the server cannot even open the client's
	// Finished, bad_record_mac.
	t.Run("session-id/ems", func(t *testing.T) {
		h := newAttack(t, "tamper", false)
		h.run(func(k int, f flight) flight {
			if k != 1 {
				return f
			}
			return editServerHello(t, f, func(sh *messages.ServerHello) { sh.SessionID = bytes.Repeat([]byte{7}, 32) })
		})
		h.expectFailure(h.s, messages.AlertBadRecordMAC)
	})
	// Without EMS (both sides allow it; the man in the middle strips the
	// extension from the ClientHello) the keys agree and the transcripts do
	// not: the server's Finished check fails, decrypt_error. This is also
	// the EMS downgrade (security.md row 4), detected.
	t.Run("strip-ems", func(t *testing.T) {
		ccfg, scfg := attackConfigs(t, "tamper")
		ccfg.AllowNoExtendedMasterSecret = true
		scfg.AllowNoExtendedMasterSecret = true
		h := newHarness(t, ccfg, scfg)
		h.run(func(k int, f flight) flight {
			if k != 0 {
				return f
			}
			return editClientHello(t, f, func(ch *messages.ClientHello) { ch.ExtendedMasterSecret = false })
		})
		h.expectFailure(h.s, messages.AlertDecryptError)
	})
}

// TestServerHelloChecks: what a client must refuse in a ServerHello
// (security.md rows 3, 9, 10, 20; RFC 5246, Section 7.4.1.4; RFC 9325,
// Sections 3.5 and 3.8).
func TestServerHelloChecks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		alpn  []string // client's NextProtos
		edit  func(*messages.ServerHello)
		alert machine.Alert
	}{
		{"unoffered-alpn", []string{"h2"}, func(sh *messages.ServerHello) { sh.ALPNProtocol = "evil" }, messages.AlertIllegalParameter},
		{"alpn-not-offered-at-all", nil, func(sh *messages.ServerHello) { sh.ALPNProtocol = "h2" }, messages.AlertUnsupportedExtension},
		{"session-ticket", nil, func(sh *messages.ServerHello) { sh.SessionTicketSupported = true }, messages.AlertUnsupportedExtension},
		{"encrypt-then-mac", nil, func(sh *messages.ServerHello) { sh.EncryptThenMAC = true }, messages.AlertUnsupportedExtension},
		{"supported-versions", nil, func(sh *messages.ServerHello) { sh.SupportedVersion = messages.VersionTLS12 }, messages.AlertUnsupportedExtension},
		{"unknown-extension", nil, func(sh *messages.ServerHello) {
			sh.Unknown = []messages.Extension{{Type: messages.ExtensionHeartbeat, Data: []byte{1}}}
		}, messages.AlertUnsupportedExtension},
		{"no-renegotiation-info", nil, func(sh *messages.ServerHello) { sh.SecureRenegotiationSupported = false }, messages.AlertHandshakeFailure},
		{"non-empty-renegotiation-info", nil, func(sh *messages.ServerHello) { sh.SecureRenegotiation = make([]byte, 24) }, messages.AlertHandshakeFailure},
		{"no-extended-master-secret", nil, func(sh *messages.ServerHello) { sh.ExtendedMasterSecret = false }, messages.AlertHandshakeFailure},
		{"compression", nil, func(sh *messages.ServerHello) { sh.CompressionMethod = 1 }, messages.AlertIllegalParameter},
		{"unoffered-suite", nil, func(sh *messages.ServerHello) { sh.CipherSuite = machine.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 }, messages.AlertIllegalParameter},
		{"tls11", nil, func(sh *messages.ServerHello) { sh.Version = messages.VersionTLS11 }, messages.AlertProtocolVersion},
		{"tls13", nil, func(sh *messages.ServerHello) { sh.Version = messages.VersionTLS13 }, messages.AlertProtocolVersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg, scfg := attackConfigs(t, "sh")
			ccfg.NextProtos = tc.alpn
			h := newHarness(t, ccfg, scfg)
			h.run(func(k int, f flight) flight {
				if k != 1 {
					return f
				}
				return editServerHello(t, f, tc.edit)
			})
			h.expectFailure(h.c, tc.alert)
		})
	}
}

// TestALPNMismatch: a server that shares no protocol with the client sends
// no_application_protocol (RFC 7301, Section 3.2).
func TestALPNMismatch(t *testing.T) {
	ccfg, scfg := attackConfigs(t, "alpn")
	ccfg.NextProtos = []string{"h2", "http/1.1"}
	scfg.NextProtos = []string{"imap"}
	h := newHarness(t, ccfg, scfg)
	h.run(nil)
	h.expectFailure(h.s, messages.AlertNoApplicationProtocol)
}

// rawHello returns a ClientHello like the machine's client sends, limited
// to the two AES-128-GCM SHA-256 suites so that rawClient can finish the
// handshake.
func rawHello(seed string) *messages.ClientHello {
	ch := &messages.ClientHello{
		Version:                      messages.VersionTLS12,
		CipherSuites:                 []uint16{machine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, machine.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
		CompressionMethods:           []uint8{messages.CompressionNull},
		HasExtensions:                true,
		ServerName:                   "example.com",
		SupportedGroups:              []messages.NamedGroup{messages.GroupX25519, messages.GroupP256},
		SupportedPoints:              []uint8{messages.PointFormatUncompressed},
		SignatureAlgorithms:          slices.Clone(machine.DefaultSignatureSchemes()),
		ExtendedMasterSecret:         true,
		SecureRenegotiationSupported: true,
	}
	if _, err := io.ReadFull(newRand("raw-"+seed), ch.Random[:]); err != nil {
		panic(err)
	}
	return ch
}

// rawResult is what a scripted client saw of a server.
type rawResult struct {
	server *endpoint
	sh     *messages.ServerHello
	done   bool // both Finished messages verified and the server completed
}

// rawHandshake plays a scripted client, built from packages messages and
// keys, against a machine server: it sends ch, and if the server answers
// with its first flight it completes the handshake (ECDHE, extended or
// plain master secret as the server chose, AES-128-GCM) and checks the
// server's Finished. It lets version and extension tests send ClientHellos
// the machine's own client never would and still see the handshake through.
func rawHandshake(t testing.TB, scfg *machine.Config, ch *messages.ClientHello, seed string) rawResult {
	t.Helper()
	s, err := machine.Server(scfg)
	if err != nil {
		t.Fatal(err)
	}
	res := rawResult{server: &endpoint{name: "server", conn: s}}
	hello, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	transcript := slices.Clone(hello)
	out := res.server.feed(t, flight{{typ: messages.ContentTypeHandshake, vers: messages.VersionTLS10, data: hello}}.bytes())
	if res.server.err != nil {
		return res
	}
	msgs := map[messages.HandshakeType]messages.Message{}
	for _, p := range parseFlight(t, out) {
		transcript = append(transcript, p.data...)
		m, err := messages.Parse(p.data)
		if err != nil {
			t.Fatalf("server sent a bad %s: %v", p.name(), err)
		}
		msgs[m.Type()] = m
	}
	sh, _ := msgs[messages.HandshakeTypeServerHello].(*messages.ServerHello)
	ske, _ := msgs[messages.HandshakeTypeServerKeyExchange].(*messages.ServerKeyExchange)
	if sh == nil || ske == nil || msgs[messages.HandshakeTypeServerHelloDone] == nil {
		t.Fatalf("server's first flight is incomplete")
	}
	res.sh = sh
	params, err := messages.ParseECDHEParams(ske.Body)
	if err != nil {
		t.Fatal(err)
	}
	rnd := newRand("raw-kx-" + seed)
	share, err := keys.GenerateKeyShare(uint16(params.Group), rnd)
	if err != nil {
		t.Fatal(err)
	}
	pre, err := share.SharedSecret(params.Public)
	if err != nil {
		t.Fatal(err)
	}
	cke, err := messages.NewECDHEClientKeyExchange(share.PublicKey()).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	transcript = append(transcript, cke...)
	var master []byte
	if sh.ExtendedMasterSecret {
		sum := sha256.Sum256(transcript)
		master = keys.ExtendedMasterSecret(crypto.SHA256, pre, sum[:])
	} else {
		master = keys.MasterSecret(crypto.SHA256, pre, ch.Random[:], sh.Random[:])
	}
	tk := keys.KeyBlock(crypto.SHA256, master, ch.Random[:], sh.Random[:], 0, 16, 4)
	clientProt, err := keys.NewAESGCM(tk.ClientKey, tk.ClientIV)
	if err != nil {
		t.Fatal(err)
	}
	serverProt, err := keys.NewAESGCM(tk.ServerKey, tk.ServerIV)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(transcript)
	fin, err := (&messages.Finished{VerifyData: keys.FinishedVerifyData(crypto.SHA256, master, true, sum[:])}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	transcript = append(transcript, fin...)
	flight2 := record(messages.ContentTypeHandshake, messages.VersionTLS12, cke)
	flight2 = append(flight2, record(messages.ContentTypeChangeCipherSpec, messages.VersionTLS12, []byte{1})...)
	if flight2, err = clientProt.Seal(flight2, uint8(messages.ContentTypeHandshake), messages.VersionTLS12, fin); err != nil {
		t.Fatal(err)
	}
	out = res.server.feed(t, flight2)
	if res.server.err != nil {
		return res
	}
	f := parseFlight(t, out)
	if len(f) != 2 || f[0].name() != "ChangeCipherSpec" {
		t.Fatalf("server's last flight is %v", f.names())
	}
	got, err := serverProt.Open(uint8(f[1].typ), f[1].vers, f[1].data)
	if err != nil {
		t.Fatalf("server's Finished does not open: %v", err)
	}
	sum = sha256.Sum256(transcript)
	want, _ := (&messages.Finished{VerifyData: keys.FinishedVerifyData(crypto.SHA256, master, false, sum[:])}).Marshal()
	res.done = bytes.Equal(got, want) && s.HandshakeComplete()
	return res
}

// expectRawFatal checks a server that a scripted client drove to failure:
// error, plaintext alert record, stickiness.
func expectRawFatal(t testing.TB, res rawResult, want machine.Alert) {
	t.Helper()
	expectLocal(t, res.server.err, want)
	recs := parseFlight(t, res.server.wire)
	last := recs[len(recs)-1]
	checkAlertRecord(t, plainRecord{typ: last.typ, body: last.data, rawLen: len(last.data)}, want)
	checkSticky(t, res.server.conn, res.server.err)
}

// expectRawSuccess checks that the scripted client finished the handshake
// with TLS 1.2 and no downgrade sentinel in the server random (a TLS
// 1.2-only server must not write one; RFC 8446, Section 4.1.3).
func expectRawSuccess(t testing.TB, res rawResult) {
	t.Helper()
	if res.server.err != nil {
		t.Fatalf("server failed: %v", res.server.err)
	}
	if !res.done {
		t.Fatal("handshake did not complete")
	}
	if res.sh.Version != messages.VersionTLS12 || res.sh.SupportedVersion != 0 {
		t.Fatalf("ServerHello version %#04x, supported_versions %#04x; want 0x0303 and none", res.sh.Version, res.sh.SupportedVersion)
	}
	if bytes.HasPrefix(res.sh.Random[24:], []byte("DOWNGRD")) {
		t.Fatalf("server random carries a downgrade sentinel: %x", res.sh.Random[24:])
	}
	if st := res.server.conn.State(); st.Version != messages.VersionTLS12 || !st.HandshakeComplete {
		t.Fatalf("server state %+v", st)
	}
}

// TestClientHelloVersions: version negotiation as a TLS 1.2-only server
// (security.md row 9; RFC 8996, RFC 8446 Section 4.2.1 and Appendix D,
// RFC 7507; BoGo VersionTooLow, MinorVersionTolerance,
// MajorVersionTolerance, FallbackSCSV-VersionMatch-TLS12).
func TestClientHelloVersions(t *testing.T) {
	keyShare := messages.Extension{Type: messages.ExtensionKeyShare, Data: []byte{0, 0}}
	pskModes := messages.Extension{Type: messages.ExtensionPSKKeyExchangeModes, Data: []byte{1, 1}}
	for _, tc := range []struct {
		name string
		edit func(*messages.ClientHello)
		want machine.Alert // 0: success
	}{
		{"tls12", func(*messages.ClientHello) {}, 0},
		{"tls10-only", func(ch *messages.ClientHello) { ch.Version = messages.VersionTLS10 }, messages.AlertProtocolVersion},
		{"tls11-only", func(ch *messages.ClientHello) { ch.Version = messages.VersionTLS11 }, messages.AlertProtocolVersion},
		{"ssl3-only", func(ch *messages.ClientHello) { ch.Version = 0x0300 }, messages.AlertProtocolVersion},
		{"tls13-style", func(ch *messages.ClientHello) {
			ch.SupportedVersions = []uint16{messages.VersionTLS13, messages.VersionTLS12}
			ch.Unknown = []messages.Extension{keyShare, pskModes}
		}, 0},
		{"tls13-style-grease", func(ch *messages.ClientHello) {
			ch.SupportedVersions = []uint16{0x7a7a, messages.VersionTLS13, messages.VersionTLS12, messages.VersionTLS11}
		}, 0},
		{"tls13-only", func(ch *messages.ClientHello) {
			ch.SupportedVersions = []uint16{messages.VersionTLS13}
			ch.Unknown = []messages.Extension{keyShare, pskModes}
		}, messages.AlertProtocolVersion},
		{"supported-versions-tls11", func(ch *messages.ClientHello) {
			ch.SupportedVersions = []uint16{messages.VersionTLS11, messages.VersionTLS10}
		}, messages.AlertProtocolVersion},
		{"minor-version-tolerance", func(ch *messages.ClientHello) { ch.Version = 0x03ff }, 0},
		{"major-version-tolerance", func(ch *messages.ClientHello) { ch.Version = 0x0400 }, 0},
		// RFC 7507: the SCSV with our own version is a normal handshake;
		// with TLS 1.1 the version itself is refused first.
		{"fallback-scsv-tls12", func(ch *messages.ClientHello) {
			ch.CipherSuites = append(ch.CipherSuites, machine.TLS_FALLBACK_SCSV)
		}, 0},
		{"fallback-scsv-tls11", func(ch *messages.ClientHello) {
			ch.Version = messages.VersionTLS11
			ch.CipherSuites = append(ch.CipherSuites, machine.TLS_FALLBACK_SCSV)
		}, messages.AlertInappropriateFallback}, // RFC 7507, checked before the version floor
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := rawHello(tc.name)
			tc.edit(ch)
			res := rawHandshake(t, serverConfig(t, "versions"), ch, tc.name)
			if tc.want == 0 {
				expectRawSuccess(t, res)
				return
			}
			expectRawFatal(t, res, tc.want)
		})
	}
}

// TestClientHelloPolicy: what a server must refuse in a ClientHello
// (security.md rows 3, 4, 8, 10, 20).
func TestClientHelloPolicy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*messages.ClientHello)
		config func(*machine.Config)
		want   machine.Alert // 0: success
	}{
		// RFC 5246, Section 7.4.1.2: the list MUST contain null (CRIME).
		{"no-null-compression", func(ch *messages.ClientHello) { ch.CompressionMethods = []uint8{1} }, nil, messages.AlertIllegalParameter},
		{"deflate-and-null", func(ch *messages.ClientHello) { ch.CompressionMethods = []uint8{1, 0} }, nil, 0},
		// RFC 5746, Section 3.6: an initial renegotiated_connection MUST be
		// empty.
		{"non-empty-renegotiation-info", func(ch *messages.ClientHello) { ch.SecureRenegotiation = make([]byte, 12) }, nil, messages.AlertHandshakeFailure},
		{"renegotiation-scsv", func(ch *messages.ClientHello) {
			ch.SecureRenegotiationSupported = false
			ch.CipherSuites = append(ch.CipherSuites, machine.TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
		}, nil, 0},
		// RFC 7627 required by default (RFC 9325, Section 3.5).
		{"no-ems", func(ch *messages.ClientHello) { ch.ExtendedMasterSecret = false }, nil, messages.AlertHandshakeFailure},
		{"no-ems-allowed", func(ch *messages.ClientHello) { ch.ExtendedMasterSecret = false },
			func(c *machine.Config) { c.AllowNoExtendedMasterSecret = true }, 0},
		{"no-common-suite", func(ch *messages.ClientHello) { ch.CipherSuites = []uint16{0x002f, 0x0035, 0xc013} }, nil, messages.AlertHandshakeFailure},
		{"no-common-group", func(ch *messages.ClientHello) {
			ch.SupportedGroups = []messages.NamedGroup{messages.GroupFFDHE2048, messages.GroupX448}
		}, nil, messages.AlertHandshakeFailure},
		// RFC 9155: no SHA-1 (or MD5) signatures in TLS 1.2.
		{"no-common-signature-scheme", func(ch *messages.ClientHello) {
			ch.SignatureAlgorithms = []messages.SignatureScheme{messages.SignatureRSAPKCS1SHA1, messages.SignatureECDSASHA1, messages.SignatureRSAPKCS1MD5}
		}, nil, messages.AlertHandshakeFailure},
		{"alpn-mismatch", func(ch *messages.ClientHello) { ch.ALPNProtocols = []string{"h3"} },
			func(c *machine.Config) { c.NextProtos = []string{"h2", "http/1.1"} }, messages.AlertNoApplicationProtocol},
		{"alpn-match", func(ch *messages.ClientHello) { ch.ALPNProtocols = []string{"h3", "http/1.1"} },
			func(c *machine.Config) { c.NextProtos = []string{"h2", "http/1.1"} }, 0},
		// GREASE (RFC 8701) is tolerated everywhere.
		{"grease", func(ch *messages.ClientHello) {
			ch.CipherSuites = append([]uint16{0x0a0a}, ch.CipherSuites...)
			ch.SupportedGroups = append([]messages.NamedGroup{0x1a1a}, ch.SupportedGroups...)
			ch.SignatureAlgorithms = append([]messages.SignatureScheme{0x2a2a}, ch.SignatureAlgorithms...)
			ch.Unknown = []messages.Extension{{Type: 0x3a3a, Data: nil}}
		}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := rawHello(tc.name)
			tc.edit(ch)
			scfg := serverConfig(t, "policy")
			if tc.config != nil {
				tc.config(scfg)
			}
			res := rawHandshake(t, scfg, ch, tc.name)
			if tc.want == 0 {
				expectRawSuccess(t, res)
				return
			}
			expectRawFatal(t, res, tc.want)
		})
	}
}

// otherPKI is a CA the test PKI does not trust, with a server and a client
// leaf it signed.
func otherPKI(t testing.TB) (roots *x509.CertPool, server, client machine.Certificate) {
	t.Helper()
	caKey := mustKey(t, "p256", "other-ca")
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(100),
		Subject:               pkix.Name{CommonName: "sanstls other CA"},
		NotBefore:             testNow.Add(-24 * time.Hour),
		NotAfter:              testNow.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(newRand("other-ca-cert"), caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	roots = x509.NewCertPool()
	roots.AddCert(ca)
	leaf := func(name string, eku x509.ExtKeyUsage, serial int64) machine.Certificate {
		key := mustKey(t, "p256", "other-leaf-"+name)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: name},
			DNSNames:     []string{name},
			NotBefore:    testNow.Add(-24 * time.Hour),
			NotAfter:     testNow.Add(30 * 24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{eku},
		}
		der, err := x509.CreateCertificate(newRand("other-cert-"+name), tmpl, ca, key.Public(), caKey)
		if err != nil {
			t.Fatal(err)
		}
		parsed, _ := x509.ParseCertificate(der)
		return machine.Certificate{Chain: [][]byte{der, caDER}, PrivateKey: key, Leaf: parsed}
	}
	return roots, leaf("example.com", x509.ExtKeyUsageServerAuth, 101), leaf("client", x509.ExtKeyUsageClientAuth, 102)
}

// TestServerCertificateVerification: the client's verification of the
// server's chain, and the alert for each failure (security.md row 19;
// RFC 5246, Section 7.2.2).
func TestServerCertificateVerification(t *testing.T) {
	hookErr := errors.New("pinned key mismatch")
	_, otherServer, _ := otherPKI(t)
	for _, tc := range []struct {
		name   string
		client func(*machine.Config)
		server func(*machine.Config)
		want   machine.Alert // 0: success
	}{
		{"wrong-host-name", func(c *machine.Config) { c.ServerName = "www.example.org" }, nil, messages.AlertBadCertificate},
		{"expired", func(c *machine.Config) {
			c.Time = func() time.Time { return testNow.Add(2 * 365 * 24 * time.Hour) }
		}, nil, messages.AlertCertificateExpired},
		// RFC 5246, Section 7.2.2: certificate_expired also means "not
		// currently valid".
		{"not-yet-valid", func(c *machine.Config) {
			c.Time = func() time.Time { return testNow.Add(-48 * time.Hour) }
		}, nil, messages.AlertCertificateExpired},
		{"unknown-ca", nil, func(c *machine.Config) { c.Certificates = []machine.Certificate{otherServer} }, messages.AlertUnknownCA},
		{"empty-root-pool", func(c *machine.Config) { c.RootCAs = x509.NewCertPool() }, nil, messages.AlertUnknownCA},
		{"no-roots", func(c *machine.Config) { c.RootCAs = nil }, nil, messages.AlertUnknownCA},
		{"hook-error", func(c *machine.Config) {
			c.VerifyPeer = func(*machine.PeerCerts) error { return hookErr }
		}, nil, messages.AlertBadCertificate},
		{"hook-alert", func(c *machine.Config) {
			c.VerifyPeer = func(*machine.PeerCerts) error {
				return &machine.AlertError{Alert: messages.AlertCertificateRevoked}
			}
		}, nil, messages.AlertCertificateRevoked},
		{"insecure-skip-verify", func(c *machine.Config) {
			c.ServerName = "www.example.org"
			c.InsecureSkipVerify = true
		}, nil, 0},
		{"insecure-skip-verify-hook-error", func(c *machine.Config) {
			c.RootCAs = nil
			c.InsecureSkipVerify = true
			c.VerifyPeer = func(*machine.PeerCerts) error { return hookErr }
		}, nil, messages.AlertBadCertificate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg, scfg := attackConfigs(t, "verify")
			if tc.client != nil {
				tc.client(ccfg)
			}
			if tc.server != nil {
				tc.server(scfg)
			}
			h := newHarness(t, ccfg, scfg)
			h.run(nil)
			if tc.want == 0 {
				if h.c.err != nil || !h.c.conn.HandshakeComplete() {
					t.Fatalf("handshake failed: %v", h.c.err)
				}
				return
			}
			h.expectFailure(h.c, tc.want)
			if strings.HasPrefix(tc.name, "hook-error") || tc.name == "insecure-skip-verify-hook-error" {
				if !errors.Is(h.c.err, hookErr) {
					t.Errorf("error %v does not wrap the hook's error", h.c.err)
				}
			}
		})
	}
}

// TestVerifyPeerHookSees: the hook runs after default verification with the
// chain and its context.
func TestVerifyPeerHookSees(t *testing.T) {
	ccfg, scfg := attackConfigs(t, "hook")
	var seen *machine.PeerCerts
	var chainLen int
	ccfg.VerifyPeer = func(pc *machine.PeerCerts) error {
		seen, chainLen = pc, len(pc.Chain)
		return nil
	}
	h := newHarness(t, ccfg, scfg)
	h.handshake()
	if seen == nil {
		t.Fatal("VerifyPeer was not called")
	}
	if chainLen != 2 || len(seen.Certificates) != 2 || seen.ServerName != "example.com" || !seen.IsClient || !seen.Now.Equal(testNow) {
		t.Fatalf("hook saw chain of %d, %d parsed, name %q, client %v, now %v", chainLen, len(seen.Certificates), seen.ServerName, seen.IsClient, seen.Now)
	}
	if st := h.c.conn.State(); len(st.VerifiedChains) == 0 || len(st.PeerCertificates) != 2 {
		t.Fatalf("client state: %d verified chains, %d peer certificates", len(st.VerifiedChains), len(st.PeerCertificates))
	}
}

// TestDeferVerify: with DeferVerify the machine pauses after the peer's
// certificates, reports EventVerifyPeer, answers Receive with ErrPending
// (consuming nothing) until ResolveVerify, and then either finishes or
// fails with the caller's alert.
func TestDeferVerify(t *testing.T) {
	for _, side := range []string{"client", "server"} {
		for _, tc := range []struct {
			name    string
			verdict error
			want    machine.Alert // 0: success
		}{
			{"accept", nil, 0},
			{"reject", errors.New("not today"), messages.AlertBadCertificate},
			{"reject-alert", &machine.AlertError{Alert: messages.AlertAccessDenied}, messages.AlertAccessDenied},
		} {
			t.Run(side+"/"+tc.name, func(t *testing.T) {
				h := newAttack(t, "defer", true, func(ccfg, scfg *machine.Config) {
					if side == "client" {
						ccfg.DeferVerify = true
					} else {
						scfg.DeferVerify = true
					}
				})
				verifier := h.c
				if side == "server" {
					verifier = h.s
				}
				peer := h.other(verifier)
				// Pass flights until the verifier pauses.
				out, err := h.c.conn.Start(nil)
				if err != nil {
					t.Fatal(err)
				}
				h.c.wire = append(h.c.wire, out...)
				to := h.s
				for len(verifier.peer) == 0 {
					if len(out) == 0 || h.c.err != nil || h.s.err != nil {
						t.Fatalf("no EventVerifyPeer: client %v, server %v", h.c.err, h.s.err)
					}
					out = to.feed(t, out)
					to = h.other(to)
				}
				if len(verifier.peer) != 1 || len(out) != 0 {
					t.Fatalf("%d EventVerifyPeer, %d bytes emitted while paused", len(verifier.peer), len(out))
				}
				pc := verifier.peer[0]
				if len(pc.Chain) != 2 || len(pc.Certificates) != 2 || pc.IsClient != (side == "client") || !pc.Now.Equal(testNow) {
					t.Fatalf("PeerCerts: chain %d, IsClient %v, Now %v", len(pc.Chain), pc.IsClient, pc.Now)
				}
				// While paused, Receive consumes nothing and says ErrPending.
				for _, in := range [][]byte{nil, []byte("anything at all")} {
					o, n, err := verifier.conn.Receive(nil, in)
					if !errors.Is(err, machine.ErrPending) || n != 0 || len(o) != 0 {
						t.Fatalf("Receive while paused: n=%d, %d bytes out, err %v; want ErrPending", n, len(o), err)
					}
				}
				if _, err := verifier.conn.Send(nil, []byte("x")); !errors.Is(err, machine.ErrNotReady) {
					t.Fatalf("Send while paused: %v, want ErrNotReady", err)
				}
				o, err := verifier.conn.ResolveVerify(nil, tc.verdict)
				verifier.wire = append(verifier.wire, o...)
				if tc.want != 0 {
					if err == nil || err != verifier.conn.Err() {
						t.Fatalf("ResolveVerify returned %v, Err() %v", err, verifier.conn.Err())
					}
					verifier.err = err
					peer.feed(t, o)
					h.expectFailure(verifier, tc.want)
					if !errors.Is(err, tc.verdict) {
						t.Errorf("error %v does not wrap the verdict", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("ResolveVerify(nil): %v", err)
				}
				if _, err := verifier.conn.ResolveVerify(nil, nil); !errors.Is(err, machine.ErrWrongState) {
					t.Fatalf("second ResolveVerify: %v, want ErrWrongState", err)
				}
				// The verifier may still hold unread records of the flight.
				o = append(o, verifier.feed(t, nil)...)
				for e := peer; len(o) > 0; e = h.other(e) {
					o = e.feed(t, o)
				}
				if h.c.err != nil || h.s.err != nil || !h.c.conn.HandshakeComplete() || !h.s.conn.HandshakeComplete() {
					t.Fatalf("handshake after ResolveVerify(nil): client %v, server %v", h.c.err, h.s.err)
				}
				if n := len(h.s.conn.State().PeerCertificates); n != 2 {
					t.Fatalf("server has %d client certificates, want 2", n)
				}
			})
		}
	}
}

// TestClientCertificatePolicy: the server's side of client authentication
// (RFC 5246, Sections 7.4.4 and 7.4.6).
func TestClientCertificatePolicy(t *testing.T) {
	otherRoots, _, otherClient := otherPKI(t)
	p := getPKI(t)
	for _, tc := range []struct {
		name   string
		policy machine.ClientAuthType
		certs  []machine.Certificate
		cas    *x509.CertPool
		want   machine.Alert // 0: success
	}{
		{"require-verify/none", machine.RequireAndVerifyClientCert, nil, p.roots, messages.AlertHandshakeFailure},
		{"require-verify/unknown-ca", machine.RequireAndVerifyClientCert, []machine.Certificate{otherClient}, p.roots, messages.AlertUnknownCA},
		{"require-verify/no-client-cas", machine.RequireAndVerifyClientCert, []machine.Certificate{p.client}, nil, messages.AlertUnknownCA},
		{"require-verify/server-eku", machine.RequireAndVerifyClientCert, []machine.Certificate{p.ecdsa}, p.roots, messages.AlertBadCertificate},
		{"require-verify/good", machine.RequireAndVerifyClientCert, []machine.Certificate{p.client}, p.roots, 0},
		{"require-any/none", machine.RequireAnyClientCert, nil, nil, messages.AlertHandshakeFailure},
		{"require-any/unknown-ca", machine.RequireAnyClientCert, []machine.Certificate{otherClient}, p.roots, 0},
		{"verify-if-given/none", machine.VerifyClientCertIfGiven, nil, p.roots, 0},
		{"verify-if-given/unknown-ca", machine.VerifyClientCertIfGiven, []machine.Certificate{otherClient}, p.roots, messages.AlertUnknownCA},
		{"verify-if-given/other-pool", machine.VerifyClientCertIfGiven, []machine.Certificate{otherClient}, otherRoots, 0},
		{"request/none", machine.RequestClientCert, nil, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newAttack(t, "clientauth", false, func(ccfg, scfg *machine.Config) {
				ccfg.Certificates = tc.certs
				scfg.ClientAuth = tc.policy
				scfg.ClientCAs = tc.cas
			})
			h.run(nil)
			if tc.want != 0 {
				h.expectFailure(h.s, tc.want)
				return
			}
			if h.c.err != nil || h.s.err != nil || !h.s.conn.HandshakeComplete() {
				t.Fatalf("handshake failed: client %v, server %v", h.c.err, h.s.err)
			}
			st := h.s.conn.State()
			if len(st.PeerCertificates) != 2*len(tc.certs) {
				t.Fatalf("server has %d peer certificates, want %d", len(st.PeerCertificates), 2*len(tc.certs))
			}
			if len(tc.certs) > 0 && st.PeerCertificates[0].Subject.CommonName != "client" {
				t.Fatalf("peer leaf is %q", st.PeerCertificates[0].Subject.CommonName)
			}
			verified := tc.policy >= machine.VerifyClientCertIfGiven && len(tc.certs) > 0
			if verified != (len(st.VerifiedChains) > 0) {
				t.Fatalf("%d verified chains", len(st.VerifiedChains))
			}
		})
	}
}

// TestRenegotiationRefused: a connected client answers HelloRequest, and a
// connected server a new ClientHello, with a warning no_renegotiation, and
// the connection stays usable both ways (security.md row 3; RFC 5746,
// Section 4.2; BoGo Renegotiate-Server-Forbidden, StrayHelloRequest). This
// is the default (Config.Renegotiation RenegotiateNever,
// AllowClientRenegotiation false). The injected message replaces a record
// the sender really sealed, so sequence numbers stay in step.
func TestRenegotiationRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  func(h *harness) []byte
		from func(h *harness) *endpoint
	}{
		{"hello-request-to-client", func(*harness) []byte { return []byte{0, 0, 0, 0} }, func(h *harness) *endpoint { return h.s }},
		{"client-hello-to-server", func(h *harness) []byte { return h.flights[0][0].data }, func(h *harness) *endpoint { return h.c }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newAttack(t, "reneg", false)
			h.handshake()
			from := tc.from(h)
			to := h.other(from)
			h.send(from, []byte("dropped")) // sealed with sequence number 1, then replaced
			out := to.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS12, h.seal(from, 1, messages.ContentTypeHandshake, tc.msg(h)).data))
			if to.err != nil {
				t.Fatalf("%s failed: %v", to.name, to.err)
			}
			recs := h.decode(to)
			last := recs[len(recs)-1]
			if len(parseFlight(t, out)) != 1 || last.typ != messages.ContentTypeAlert ||
				!bytes.Equal(last.body, []byte{byte(messages.AlertLevelWarning), byte(messages.AlertNoRenegotiation)}) {
				t.Fatalf("%s answered %x (%v), want one warning no_renegotiation", to.name, last.body, last.typ)
			}
			from.feed(t, out)
			if from.err != nil || len(from.warn) != 1 || from.warn[0] != messages.AlertNoRenegotiation {
				t.Fatalf("%s: err %v, warnings %v", from.name, from.err, from.warn)
			}
			to.feed(t, h.send(from, []byte("still here")))
			from.feed(t, h.send(to, []byte("me too")))
			if string(to.data) != "still here" || string(from.data) != "me too" {
				t.Fatalf("after refusal: %s got %q, %s got %q", to.name, to.data, from.name, from.data)
			}
		})
	}
}

// TestHelloRequestToServer: HelloRequest is a server's message; a server
// that receives one after the handshake fails with unexpected_message
// (tlsfuzzer test-hello-request-by-client).
func TestHelloRequestToServer(t *testing.T) {
	h := newAttack(t, "hrserver", false)
	h.handshake()
	h.s.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS12, h.seal(h.c, 1, messages.ContentTypeHandshake, []byte{0, 0, 0, 0}).data))
	h.expectFatal(h.s, messages.AlertUnexpectedMessage)
}

// resignSKE replaces the ServerKeyExchange of flight 1 with one for group
// and public, signed with the server's real key under the original scheme,
// so that the client's signature check passes and only its checks of the
// key share itself can fail.
func resignSKE(t testing.TB, h *harness, f flight, group messages.NamedGroup, public []byte) flight {
	t.Helper()
	var ch messages.ClientHello
	if err := ch.Unmarshal(bytes.Clone(h.flights[0][0].data)); err != nil {
		t.Fatal(err)
	}
	var sh messages.ServerHello
	if err := sh.Unmarshal(bytes.Clone(f[f.index("ServerHello")].data)); err != nil {
		t.Fatal(err)
	}
	i := f.index("ServerKeyExchange")
	m, err := messages.Parse(bytes.Clone(f[i].data))
	if err != nil {
		t.Fatal(err)
	}
	old, err := messages.ParseECDHEParams(m.(*messages.ServerKeyExchange).Body)
	if err != nil {
		t.Fatal(err)
	}
	params := messages.AppendECDHEParams(nil, group, public)
	signed := append(append(append([]byte(nil), ch.Random[:]...), sh.Random[:]...), params...)
	sig, err := keys.Sign(getPKI(t).ecdsa.PrivateKey, uint16(old.Signature.Algorithm), signed, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := messages.DigitallySigned{Algorithm: old.Signature.Algorithm, Signature: sig}.Append(params)
	raw, err := (&messages.ServerKeyExchange{Body: body}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return f.replace(i, hsPiece(raw))
}

// TestInvalidKeyShares: invalid-curve and low-order points (security.md row
// 11; RFC 8422, Section 5.11; RFC 7748, Section 6.1; BoGo
// CurveTest-Invalid-*, BadECDHECurve; tlsfuzzer
// test-ecdhe-rsa-key-exchange-with-bad-messages, test-x25519). The server
// sees them in ClientKeyExchange (unsigned, so the man in the middle just
// replaces it); the client in a ServerKeyExchange that the man in the middle
// re-signs with the server's key. Every bad share is illegal_parameter.
func TestInvalidKeyShares(t *testing.T) {
	p256Point := func(t testing.TB) []byte {
		t.Helper()
		share, err := keys.GenerateKeyShare(uint16(messages.GroupP256), newRand("point"))
		if err != nil {
			t.Fatal(err)
		}
		return share.PublicKey()
	}
	uP := append(bytes.Repeat([]byte{0xff}, 31), 0x7f) // 2^255-19, little-endian
	uP[0] = 0xed
	type share struct {
		name  string
		group messages.NamedGroup
		point func(t testing.TB) []byte
	}
	shares := []share{
		{"x25519-zero", messages.GroupX25519, func(testing.TB) []byte { return make([]byte, 32) }},
		{"x25519-one", messages.GroupX25519, func(testing.TB) []byte { return append([]byte{1}, make([]byte, 31)...) }},
		{"x25519-p", messages.GroupX25519, func(testing.TB) []byte { return uP }},
		{"x25519-zero-high-bit", messages.GroupX25519, func(testing.TB) []byte { return append(make([]byte, 31), 0x80) }},
		{"x25519-truncated", messages.GroupX25519, func(testing.TB) []byte { return bytes.Repeat([]byte{9}, 31) }},
		{"x25519-padded", messages.GroupX25519, func(testing.TB) []byte { return append([]byte{9}, make([]byte, 32)...) }},
		{"p256-not-on-curve", messages.GroupP256, func(testing.TB) []byte {
			pt := make([]byte, 65)
			pt[0], pt[32], pt[64] = 4, 1, 1
			return pt
		}},
		{"p256-compressed", messages.GroupP256, func(t testing.TB) []byte {
			pt := p256Point(t)
			return append([]byte{2 + pt[64]&1}, pt[1:33]...)
		}},
		{"p256-infinity", messages.GroupP256, func(testing.TB) []byte { return []byte{0} }},
		{"p256-truncated", messages.GroupP256, func(t testing.TB) []byte { return p256Point(t)[:64] }},
		{"p256-padded", messages.GroupP256, func(t testing.TB) []byte { return append(p256Point(t), 0) }},
	}
	groupsFor := func(g messages.NamedGroup) []machine.Group {
		if g == messages.GroupX25519 {
			return []machine.Group{machine.X25519, machine.CurveP256} // P-256 for the certificate
		}
		return []machine.Group{machine.CurveP256}
	}
	for _, sh := range shares {
		t.Run("server/"+sh.name, func(t *testing.T) {
			h := newAttack(t, "badshare", false, func(ccfg, _ *machine.Config) { ccfg.Groups = groupsFor(sh.group) })
			h.run(func(k int, f flight) flight {
				if k != 2 {
					return f
				}
				cke, err := messages.NewECDHEClientKeyExchange(sh.point(t)).Marshal()
				if err != nil {
					t.Fatal(err)
				}
				return f.replace(f.index("ClientKeyExchange"), hsPiece(cke))
			})
			h.expectFailure(h.s, messages.AlertIllegalParameter)
		})
		t.Run("client/"+sh.name, func(t *testing.T) {
			h := newAttack(t, "badshare", false, func(ccfg, _ *machine.Config) { ccfg.Groups = groupsFor(sh.group) })
			h.run(func(k int, f flight) flight {
				if k != 1 {
					return f
				}
				return resignSKE(t, h, f, sh.group, sh.point(t))
			})
			h.expectFailure(h.c, messages.AlertIllegalParameter)
		})
	}
	// The group must be one the client offered, even with a valid point
	// and signature.
	t.Run("client/unoffered-group", func(t *testing.T) {
		h := newAttack(t, "badshare", false, func(ccfg, _ *machine.Config) {
			ccfg.Groups = []machine.Group{machine.X25519, machine.CurveP256}
		})
		h.run(func(k int, f flight) flight {
			if k != 1 {
				return f
			}
			share, err := keys.GenerateKeyShare(uint16(messages.GroupP384), newRand("p384"))
			if err != nil {
				t.Fatal(err)
			}
			return resignSKE(t, h, f, messages.GroupP384, share.PublicKey())
		})
		h.expectFailure(h.c, messages.AlertIllegalParameter)
	})
	// Control: a re-signed ServerKeyExchange with a valid share passes the
	// client's checks (so the failures above are the share's). The client
	// goes on with its flight; its transcript, hence its extended master
	// secret, now differs from the server's: bad_record_mac at the server.
	t.Run("client/control", func(t *testing.T) {
		h := newAttack(t, "badshare", false)
		h.run(func(k int, f flight) flight {
			if k != 1 {
				return f
			}
			share, err := keys.GenerateKeyShare(uint16(messages.GroupX25519), newRand("control"))
			if err != nil {
				t.Fatal(err)
			}
			return resignSKE(t, h, f, messages.GroupX25519, share.PublicKey())
		})
		h.expectFailure(h.s, messages.AlertBadRecordMAC)
	})
}

// TestDuplicateExtensions: RFC 5246, Section 7.4.1.4: "There MUST NOT be
// more than one extension of the same type." Both hellos are decode_error
// (BoGo DuplicateExtensionClient-*, DuplicateExtensionServer-*). The
// duplicate is made by renaming a placeholder extension on the wire.
func TestDuplicateExtensions(t *testing.T) {
	placeholder := []byte{0xfe, 0x01, 0, 0}
	for _, dup := range []messages.ExtensionType{messages.ExtensionExtendedMasterSecret, 0xfe02} {
		rename := func(t *testing.T, raw []byte) []byte {
			t.Helper()
			if bytes.Count(raw, placeholder) != 1 {
				t.Fatal("placeholder extension not unique")
			}
			return bytes.Replace(raw, placeholder, []byte{byte(dup >> 8), byte(dup), 0, 0}, 1)
		}
		t.Run(fmt.Sprintf("client-hello/%v", dup), func(t *testing.T) {
			ch := rawHello("dup")
			ch.Unknown = []messages.Extension{{Type: 0xfe01}, {Type: 0xfe02}}
			raw, err := ch.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			s := freshServer(t)
			s.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS10, rename(t, raw)))
			expectPlainFatal(t, s, messages.AlertDecodeError)
		})
		t.Run(fmt.Sprintf("server-hello/%v", dup), func(t *testing.T) {
			h := newAttack(t, "dup", false)
			h.run(func(k int, f flight) flight {
				if k != 1 {
					return f
				}
				f = editServerHello(t, f, func(sh *messages.ServerHello) {
					sh.Unknown = []messages.Extension{{Type: 0xfe01}, {Type: 0xfe02}}
				})
				i := f.index("ServerHello")
				return f.replace(i, hsPiece(rename(t, f[i].data)))
			})
			h.expectFailure(h.c, messages.AlertDecodeError)
		})
	}
}
