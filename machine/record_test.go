package machine_test

// Record-layer tests (security.md rows 14 and 15): content types, versions,
// length limits, floods of empty records and warning alerts, handshake size
// caps, malformed and remote alerts, corrupted ciphertext, and the sticky
// error contract. Each failure is checked as in attack_test.go: the exact
// alert, the alert record on the wire, and stickiness.
//
// Sequence-number exhaustion (security.md row 13) is not reachable through
// the public API without 2^64 records: the machine's RecordProtection values
// are private and start at 0. It is tested in keys/ (SetSequence).

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// freshServer returns a server endpoint that has received nothing.
func freshServer(t testing.TB) *endpoint {
	t.Helper()
	s, err := machine.Server(serverConfig(t, "fresh"))
	if err != nil {
		t.Fatal(err)
	}
	return &endpoint{name: "server", conn: s}
}

// expectPlainFatal checks a side that failed before sending
// ChangeCipherSpec: error, plaintext alert record, stickiness.
func expectPlainFatal(t testing.TB, e *endpoint, want machine.Alert) {
	t.Helper()
	expectLocal(t, e.err, want)
	f := parseFlight(t, e.wire)
	if len(f) == 0 {
		t.Fatalf("%s sent nothing, want a %v alert", e.name, want)
	}
	last := f[len(f)-1]
	checkAlertRecord(t, plainRecord{typ: last.typ, body: last.data, rawLen: len(last.data)}, want)
	checkSticky(t, e.conn, e.err)
}

// connected returns a harness after a completed handshake. Each side has
// sealed one record (its Finished), so the next sequence number is 1.
func connected(t testing.TB, seed string) *harness {
	t.Helper()
	h := newAttack(t, seed, false)
	h.handshake()
	return h
}

// sealRaw seals payload as e would with sequence number seq, without the
// 2^14 limit that keys.RecordProtection enforces: AES-128-GCM with
// nonce = salt || nonce_explicit and additional data seq_num || type ||
// version || length (RFC 5288, Section 3; RFC 5246, Section 6.2.3.3).
func sealRaw(h *harness, e *endpoint, seq uint64, typ messages.ContentType, payload []byte) []byte {
	h.t.Helper()
	k := h.trafficKeys(e)
	key, salt := k.ServerKey, k.ServerIV
	if e == h.c {
		key, salt = k.ClientKey, k.ClientIV
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		h.t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		h.t.Fatal(err)
	}
	explicit := binary.BigEndian.AppendUint64(nil, seq)
	nonce := append(bytes.Clone(salt), explicit...)
	ad := binary.BigEndian.AppendUint64(nil, seq)
	ad = append(ad, byte(typ))
	ad = binary.BigEndian.AppendUint16(ad, messages.VersionTLS12)
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(payload)))
	return record(typ, messages.VersionTLS12, aead.Seal(explicit, nonce, payload, ad))
}

// TestUnknownContentType: RFC 5246, Section 6: "If a TLS implementation
// receives an unexpected record type, it MUST send an unexpected_message
// alert." (BoGo SendInvalidRecordType; tlsfuzzer
// test-invalid-content-type.)
func TestUnknownContentType(t *testing.T) {
	for _, typ := range []messages.ContentType{0, 19, 24, 99, 255} {
		t.Run(fmt.Sprintf("fresh-server/%d", typ), func(t *testing.T) {
			s := freshServer(t)
			s.feed(t, record(typ, messages.VersionTLS10, []byte{1, 2, 3}))
			expectPlainFatal(t, s, messages.AlertUnexpectedMessage)
		})
		t.Run(fmt.Sprintf("connected/%d", typ), func(t *testing.T) {
			h := connected(t, "ctype")
			h.c.feed(t, record(typ, messages.VersionTLS12, make([]byte, 40)))
			h.expectFatal(h.c, messages.AlertUnexpectedMessage)
		})
	}
}

// TestRecordOverflow: TLSPlaintext.length "MUST NOT exceed 2^14" and
// TLSCiphertext.length "MUST NOT exceed 2^14 + 2048"; otherwise
// record_overflow (RFC 5246, Sections 6.2.1 and 6.2.3; BoGo LargePlaintext,
// LargeCiphertext). Header-only inputs show that the limit is applied
// before the body is waited for.
func TestRecordOverflow(t *testing.T) {
	for _, full := range []bool{false, true} {
		t.Run(fmt.Sprintf("plaintext/full=%v", full), func(t *testing.T) {
			s := freshServer(t)
			rec := record(messages.ContentTypeHandshake, messages.VersionTLS10, make([]byte, messages.MaxPlaintext+1))
			if !full {
				rec = rec[:messages.RecordHeaderLen]
			}
			s.feed(t, rec)
			expectPlainFatal(t, s, messages.AlertRecordOverflow)
		})
		t.Run(fmt.Sprintf("ciphertext/full=%v", full), func(t *testing.T) {
			h := connected(t, "overflow")
			rec := record(messages.ContentTypeApplicationData, messages.VersionTLS12, make([]byte, messages.MaxCiphertext+1))
			if !full {
				rec = rec[:messages.RecordHeaderLen]
			}
			h.s.feed(t, rec)
			h.expectFatal(h.s, messages.AlertRecordOverflow)
		})
	}
	// A ciphertext of exactly the limit is not an overflow; garbage of that
	// size fails authentication.
	t.Run("ciphertext-at-limit", func(t *testing.T) {
		h := connected(t, "overflow")
		h.s.feed(t, record(messages.ContentTypeApplicationData, messages.VersionTLS12, make([]byte, messages.MaxCiphertext)))
		h.expectFatal(h.s, messages.AlertBadRecordMAC)
	})
	// A record that authenticates but decrypts to 2^14+1 bytes.
	t.Run("decrypted-plaintext", func(t *testing.T) {
		h := connected(t, "overflow")
		// The hand-made sealer is right: a normal record sealed with it is
		// delivered.
		h.s.feed(t, sealRaw(h, h.c, 1, messages.ContentTypeApplicationData, []byte("sealRaw works")))
		if h.s.err != nil || string(h.s.data) != "sealRaw works" {
			t.Fatalf("sealRaw record: err %v, data %q", h.s.err, h.s.data)
		}
		h.s.feed(t, sealRaw(h, h.c, 2, messages.ContentTypeApplicationData, make([]byte, messages.MaxPlaintext+1)))
		h.expectFatal(h.s, messages.AlertRecordOverflow)
		if len(h.s.data) != len("sealRaw works") {
			t.Fatal("oversized record was delivered")
		}
	})
	// A ClientHello of exactly 2^14 bytes fits one record, and a larger one
	// spans two (tlsfuzzer test-large-hello): both complete.
	for _, size := range []int{messages.MaxPlaintext, messages.MaxPlaintext + 3000} {
		t.Run(fmt.Sprintf("client-hello-%d", size), func(t *testing.T) {
			ch := rawHello("large")
			ch.HasPadding = true
			raw, err := ch.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			ch.PaddingLen = size - len(raw)
			res := rawHandshake(t, serverConfig(t, "large"), ch, "large")
			expectRawSuccess(t, res)
		})
	}
}

// TestRecordVersion: the record version must be 3.x before the version is
// known and exactly TLS 1.2 after (RFC 5246, Appendix E.1).
func TestRecordVersion(t *testing.T) {
	hello, err := rawHello("vers").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		vers uint16
		ok   bool
	}{
		{0x0200, false}, {0x0002, false}, {0x0400, false}, {0xffff, false},
		{0x0300, true}, {0x0301, true}, {0x0303, true}, {0x03ff, true},
	} {
		t.Run(fmt.Sprintf("client-hello/%#04x", tc.vers), func(t *testing.T) {
			s := freshServer(t)
			out := s.feed(t, record(messages.ContentTypeHandshake, tc.vers, hello))
			if tc.ok {
				if s.err != nil || len(parseFlight(t, out)) < 4 {
					t.Fatalf("server: err %v, %d bytes", s.err, len(out))
				}
				return
			}
			expectPlainFatal(t, s, messages.AlertProtocolVersion)
		})
	}
	for _, vers := range []uint16{messages.VersionTLS10, messages.VersionTLS11, messages.VersionTLS13, 0x0200} {
		t.Run(fmt.Sprintf("connected/%#04x", vers), func(t *testing.T) {
			h := connected(t, "rvers")
			rec := h.send(h.s, []byte("hi"))
			binary.BigEndian.PutUint16(rec[1:], vers)
			h.c.feed(t, rec)
			h.expectFatal(h.c, messages.AlertProtocolVersion)
		})
	}
	// After the ServerHello the client accepts only TLS 1.2 records.
	t.Run("server-flight-tls10", func(t *testing.T) {
		h := newAttack(t, "rvers", false)
		h.run(func(k int, f flight) flight {
			if k != 1 {
				return f
			}
			g := flight{f[0]}
			for _, p := range f[1:] {
				p.vers = messages.VersionTLS10
				g = append(g, p)
			}
			return g
		})
		h.expectFailure(h.c, messages.AlertProtocolVersion)
	})
}

// TestEmptyRecords: zero-length application data is legal but a run of 33 is
// a denial of service (BoringSSL's limit of 32; BoGo SendEmptyRecords);
// zero-length handshake, alert and ChangeCipherSpec records MUST NOT be sent
// (RFC 5246, Section 6.2.1).
func TestEmptyRecords(t *testing.T) {
	run := func(t *testing.T, h *harness, lens []int) {
		t.Helper()
		var in []byte
		for i, n := range lens {
			in = append(in, record(messages.ContentTypeApplicationData, messages.VersionTLS12,
				h.seal(h.c, uint64(1+i), messages.ContentTypeApplicationData, make([]byte, n)).data)...)
		}
		h.s.feed(t, in)
	}
	t.Run("32", func(t *testing.T) {
		h := connected(t, "empty")
		run(t, h, make([]int, 32))
		if h.s.err != nil || len(h.s.kinds) != 1 { // EventHandshakeDone only
			t.Fatalf("err %v, events %v", h.s.err, h.s.kinds)
		}
	})
	t.Run("33", func(t *testing.T) {
		h := connected(t, "empty")
		run(t, h, make([]int, 33))
		h.expectFatal(h.s, messages.AlertUnexpectedMessage)
	})
	t.Run("32-data-32", func(t *testing.T) {
		h := connected(t, "empty")
		lens := make([]int, 65)
		lens[32] = 3
		run(t, h, lens)
		if h.s.err != nil || len(h.s.data) != 3 {
			t.Fatalf("err %v, %d bytes of data", h.s.err, len(h.s.data))
		}
	})
	for _, typ := range []messages.ContentType{messages.ContentTypeHandshake, messages.ContentTypeAlert, messages.ContentTypeChangeCipherSpec} {
		t.Run("plaintext-"+typ.String(), func(t *testing.T) {
			s := freshServer(t)
			s.feed(t, record(typ, messages.VersionTLS10, nil))
			expectPlainFatal(t, s, messages.AlertUnexpectedMessage)
		})
		t.Run("encrypted-"+typ.String(), func(t *testing.T) {
			h := connected(t, "empty")
			h.s.feed(t, record(typ, messages.VersionTLS12, h.seal(h.c, 1, typ, nil).data))
			h.expectFatal(h.s, messages.AlertUnexpectedMessage)
		})
	}
}

// TestWarningAlertFlood: four warning alerts in a row are reported, the
// fifth is unexpected_message (BoringSSL's limit; BoGo
// SendWarningAlerts-TooMany; Go TestWarningAlertFlood). Any other record
// resets the count.
func TestWarningAlertFlood(t *testing.T) {
	warning := []byte{byte(messages.AlertLevelWarning), byte(messages.AlertUserCanceled)}
	t.Run("fresh-server/4", func(t *testing.T) {
		s := freshServer(t)
		s.feed(t, bytes.Repeat(record(messages.ContentTypeAlert, messages.VersionTLS10, warning), 4))
		if s.err != nil || len(s.warn) != 4 || s.warn[3] != messages.AlertUserCanceled {
			t.Fatalf("err %v, warnings %v", s.err, s.warn)
		}
	})
	t.Run("fresh-server/5", func(t *testing.T) {
		s := freshServer(t)
		s.feed(t, bytes.Repeat(record(messages.ContentTypeAlert, messages.VersionTLS10, warning), 5))
		expectPlainFatal(t, s, messages.AlertUnexpectedMessage)
		if len(s.warn) != 4 {
			t.Fatalf("%d warnings reported before failing, want 4", len(s.warn))
		}
	})
	for _, tc := range []struct {
		name string
		seq  []string // "w": warning alert, "d": application data
		fail bool
	}{
		{"4", []string{"w", "w", "w", "w"}, false},
		{"5", []string{"w", "w", "w", "w", "w"}, true},
		{"4-data-4", []string{"w", "w", "w", "w", "d", "w", "w", "w", "w"}, false},
	} {
		t.Run("connected/"+tc.name, func(t *testing.T) {
			h := connected(t, "warn")
			var in []byte
			for i, s := range tc.seq {
				typ, body := messages.ContentTypeAlert, warning
				if s == "d" {
					typ, body = messages.ContentTypeApplicationData, []byte("d")
				}
				in = append(in, record(typ, messages.VersionTLS12, h.seal(h.s, uint64(1+i), typ, body).data)...)
			}
			h.c.feed(t, in)
			if tc.fail {
				h.expectFatal(h.c, messages.AlertUnexpectedMessage)
				return
			}
			if h.c.err != nil || len(h.c.warn) != len(tc.seq)-len(h.c.data) {
				t.Fatalf("err %v, %d warnings", h.c.err, len(h.c.warn))
			}
		})
	}
}

// TestHandshakeSizeCaps: a handshake header that claims more than the cap
// (64 KiB, 256 KiB for Certificate, or Config.MaxHandshakeSize) fails at
// once with illegal_parameter: the machine does not wait for, or buffer,
// the claimed bytes (CVE-2023-39322 class; BoGo LargeMessage-Reject). A
// claim at the cap is waited for. The Certificate cap applies only where a
// Certificate is expected (the client then has its ServerHello); a type
// the state does not expect is unexpected_message whatever it claims.
func TestHandshakeSizeCaps(t *testing.T) {
	header := func(typ messages.HandshakeType, n int) []byte {
		return []byte{byte(typ), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	for _, tc := range []struct {
		name   string
		typ    messages.HandshakeType
		claim  int
		max    int // Config.MaxHandshakeSize
		reject bool
	}{
		{"16MiB-server-hello", messages.HandshakeTypeServerHello, 1<<24 - 1, 0, true},
		{"64KiB+1-server-hello", messages.HandshakeTypeServerHello, 1<<16 + 1, 0, true},
		{"64KiB-server-hello", messages.HandshakeTypeServerHello, 1 << 16, 0, false},
		{"256KiB+1-certificate", messages.HandshakeTypeCertificate, 1<<18 + 1, 0, true},
		{"256KiB-certificate", messages.HandshakeTypeCertificate, 1 << 18, 0, false},
		{"configured-1000", messages.HandshakeTypeServerHello, 1001, 1000, true},
		{"configured-1000-certificate", messages.HandshakeTypeCertificate, 4001, 1000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg, scfg := attackConfigs(t, "caps")
			ccfg.MaxHandshakeSize = tc.max
			h := newHarness(t, ccfg, scfg)
			out, err := h.c.conn.Start(nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.typ == messages.HandshakeTypeCertificate {
				f := parseFlight(t, h.s.feed(t, out))
				h.c.feed(t, flight{f[f.index("ServerHello")]}.bytes())
			}
			h.c.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS12, append(header(tc.typ, tc.claim), 1, 2, 3)))
			if !tc.reject {
				if h.c.err != nil {
					t.Fatalf("a claim at the cap failed: %v", h.c.err)
				}
				return
			}
			expectPlainFatal(t, h.c, messages.AlertIllegalParameter)
		})
	}
	t.Run("unknown-type-16MiB", func(t *testing.T) {
		ccfg, scfg := attackConfigs(t, "caps")
		h := newHarness(t, ccfg, scfg)
		if _, err := h.c.conn.Start(nil); err != nil {
			t.Fatal(err)
		}
		h.c.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS12, header(99, 1<<24-1)))
		expectPlainFatal(t, h.c, messages.AlertUnexpectedMessage)
	})
	t.Run("server-16MiB-client-hello", func(t *testing.T) {
		s := freshServer(t)
		s.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS10, header(messages.HandshakeTypeClientHello, 1<<24-1)))
		expectPlainFatal(t, s, messages.AlertIllegalParameter)
	})
}

// TestMalformedAlerts: an alert record must be exactly one alert (BoGo
// FragmentAlert, DoubleAlert; RFC 5246, Section 7.2); a level other than
// warning or fatal is illegal_parameter (messages.ParseAlert).
func TestMalformedAlerts(t *testing.T) {
	for _, tc := range []struct {
		name string
		recs [][]byte
		want machine.Alert
	}{
		{"fragmented", [][]byte{{2}, {40}}, messages.AlertDecodeError},
		{"two-in-one-record", [][]byte{{1, 90, 1, 90}}, messages.AlertDecodeError},
		{"three-bytes", [][]byte{{2, 40, 0}}, messages.AlertDecodeError},
		{"bad-level", [][]byte{{3, 40}}, messages.AlertIllegalParameter},
		{"level-zero", [][]byte{{0, 0}}, messages.AlertIllegalParameter},
	} {
		t.Run("fresh-server/"+tc.name, func(t *testing.T) {
			s := freshServer(t)
			var in []byte
			for _, r := range tc.recs {
				in = append(in, record(messages.ContentTypeAlert, messages.VersionTLS10, r)...)
			}
			s.feed(t, in)
			expectPlainFatal(t, s, tc.want)
		})
		t.Run("connected/"+tc.name, func(t *testing.T) {
			h := connected(t, "badalert")
			var in []byte
			for i, r := range tc.recs {
				in = append(in, record(messages.ContentTypeAlert, messages.VersionTLS12, h.seal(h.c, uint64(1+i), messages.ContentTypeAlert, r).data)...)
			}
			h.s.feed(t, in)
			h.expectFatal(h.s, tc.want)
		})
	}
}

// TestCorruptedCiphertext: any change to a sealed record is bad_record_mac,
// and nothing of it is delivered (tlsfuzzer test-fuzzed-ciphertext,
// test-fuzzed-MAC).
func TestCorruptedCiphertext(t *testing.T) {
	const hdr = messages.RecordHeaderLen
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
	}{
		{"nonce-explicit", func(r []byte) []byte { r[hdr] ^= 1; return r }},
		{"first-ciphertext-byte", func(r []byte) []byte { r[hdr+8] ^= 0x80; return r }},
		{"last-tag-byte", func(r []byte) []byte { r[len(r)-1] ^= 1; return r }},
		{"content-type", func(r []byte) []byte { r[0] = byte(messages.ContentTypeHandshake); return r }},
		{"truncated-tag", func(r []byte) []byte {
			binary.BigEndian.PutUint16(r[3:], uint16(len(r)-hdr-1))
			return r[:len(r)-1]
		}},
		{"shorter-than-overhead", func(r []byte) []byte {
			binary.BigEndian.PutUint16(r[3:], 10)
			return r[:hdr+10]
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := connected(t, "corrupt")
			rec := tc.edit(h.send(h.c, []byte("attack at dawn")))
			h.s.feed(t, rec)
			h.expectFatal(h.s, messages.AlertBadRecordMAC)
			if len(h.s.data) != 0 || bytes.Contains(h.s.wire, []byte("attack")) {
				t.Fatal("data from a corrupted record was delivered")
			}
		})
	}
}

// TestRemoteFatalAlert: a fatal alert from the peer ends the connection as
// an *AlertError with Remote set; nothing is sent in reply, then or later
// (RFC 5246, Section 7.2.2).
func TestRemoteFatalAlert(t *testing.T) {
	for _, desc := range []machine.Alert{messages.AlertHandshakeFailure, messages.AlertCloseNotify, 255} {
		fatal := []byte{byte(messages.AlertLevelFatal), byte(desc)}
		check := func(t *testing.T, e *endpoint, out []byte) {
			t.Helper()
			var ae *machine.AlertError
			if !errors.As(e.err, &ae) || !ae.Remote || ae.Alert != desc || ae.Err != nil {
				t.Fatalf("error %#v, want remote %v", e.err, desc)
			}
			if len(out) != 0 {
				t.Fatalf("answered a fatal alert with %d bytes", len(out))
			}
			checkSticky(t, e.conn, e.err)
		}
		t.Run(fmt.Sprintf("fresh-server/%v", desc), func(t *testing.T) {
			s := freshServer(t)
			out := s.feed(t, record(messages.ContentTypeAlert, messages.VersionTLS10, fatal))
			check(t, s, out)
		})
		t.Run(fmt.Sprintf("connected/%v", desc), func(t *testing.T) {
			h := connected(t, "remote")
			out := h.c.feed(t, record(messages.ContentTypeAlert, messages.VersionTLS12, h.seal(h.s, 1, messages.ContentTypeAlert, fatal).data))
			check(t, h.c, out)
		})
	}
}

// TestCloseNotifyThenData: after close_notify the peer "MUST NOT" send more
// (RFC 5246, Section 7.2.1); Receive reports further bytes as ErrClosed and
// ReceiveEOF is clean.
func TestCloseNotifyThenData(t *testing.T) {
	h := connected(t, "close")
	in := h.c.conn.Close(nil)
	h.c.wire = append(h.c.wire, in...)
	h.s.feed(t, in)
	if h.s.err != nil || len(h.s.kinds) != 2 || h.s.kinds[1] != machine.EventPeerClosed {
		t.Fatalf("err %v, events %v", h.s.err, h.s.kinds)
	}
	if _, n, err := h.s.conn.Receive(nil, record(messages.ContentTypeApplicationData, messages.VersionTLS12, make([]byte, 30))); !errors.Is(err, machine.ErrClosed) || n != 0 {
		t.Fatalf("Receive after close_notify: n=%d, %v; want ErrClosed", n, err)
	}
	if err := h.s.conn.ReceiveEOF(); err != nil {
		t.Fatalf("ReceiveEOF after close_notify: %v", err)
	}
	if _, err := h.c.conn.Send(nil, []byte("x")); !errors.Is(err, machine.ErrClosed) {
		t.Fatalf("Send after Close: %v, want ErrClosed", err)
	}
	if out := h.c.conn.Close([]byte("dst")); string(out) != "dst" {
		t.Fatalf("second Close appended %d bytes", len(out)-3)
	}
}

// TestCloseNotifyDuringHandshake: a close_notify (even at warning level)
// before the handshake completes ends the connection as a remote
// close_notify, not as a clean close; nothing is sent in reply.
func TestCloseNotifyDuringHandshake(t *testing.T) {
	for k := range 4 {
		t.Run(fmt.Sprintf("before-flight%d", k), func(t *testing.T) {
			h := newAttack(t, "earlyclose", false)
			h.run(func(kk int, f flight) flight {
				if kk != k {
					return f
				}
				var vers uint16 = messages.VersionTLS12
				if k == 0 {
					vers = messages.VersionTLS10
				}
				return flight{{typ: messages.ContentTypeAlert, vers: vers, data: []byte{byte(messages.AlertLevelWarning), byte(messages.AlertCloseNotify)}}}
			})
			recv := h.receiverOf(k)
			expectRemote(t, recv.err, messages.AlertCloseNotify)
			checkSticky(t, recv.conn, recv.err)
			if f := parseFlight(t, recv.wire); len(f) > 0 && f[len(f)-1].typ == messages.ContentTypeAlert {
				t.Fatal("answered close_notify with an alert")
			}
			if err := recv.conn.ReceiveEOF(); err != recv.err {
				t.Fatalf("ReceiveEOF: %v, want the sticky %v", err, recv.err)
			}
		})
	}
}

// TestExportAfterFailure: "From then on every method returns the same
// error" (package doc) includes ExportKeyingMaterial: keying material of a
// connection that a fatal alert ended must not be handed out. (A regression
// test: ExportKeyingMaterial used to ignore the sticky error.)
func TestExportAfterFailure(t *testing.T) {
	h := connected(t, "export")
	if _, err := h.c.conn.ExportKeyingMaterial("EXPORTER-test", nil, 32); err != nil {
		t.Fatalf("export on a healthy connection: %v", err)
	}
	rec := h.send(h.s, []byte("x"))
	rec[len(rec)-1] ^= 1
	h.c.feed(t, rec)
	h.expectFatal(h.c, messages.AlertBadRecordMAC)
	if km, err := h.c.conn.ExportKeyingMaterial("EXPORTER-test", nil, 32); err != h.c.err {
		t.Fatalf("export after a fatal error returned %d bytes and %v, want the sticky error", len(km), err)
	}
}

// runChunked runs the exchange of TestChunkingInvariance with a delivery
// schedule.
func runChunked(t *testing.T, chunk func() int) *pair {
	pr := newPair(t, clientConfig(t, "chunk"), serverConfig(t, "chunk"))
	pr.chunk = chunk
	pr.handshake()
	pr.write(pr.client, bytes.Repeat([]byte{'a'}, 40000))
	pr.write(pr.server, []byte("pong"))
	pr.close(pr.client)
	pr.run()
	return pr
}

// TestChunkingProperty: for any schedule of delivery sizes, both sides emit
// the same bytes, receive the same data and report the same events as when
// every flight is delivered whole (rapid draws the schedule).
func TestChunkingProperty(t *testing.T) {
	whole := runChunked(t, nil)
	rapid.Check(t, func(rt *rapid.T) {
		sizes := rapid.SliceOfN(rapid.IntRange(1, 3*machine.MaxRecordLen), 1, 40).Draw(rt, "sizes")
		i := 0
		pr := runChunked(t, func() int {
			n := sizes[i%len(sizes)]
			i++
			return n
		})
		if !bytes.Equal(pr.client.wire, whole.client.wire) || !bytes.Equal(pr.server.wire, whole.server.wire) {
			rt.Fatalf("chunking changed the bytes sent")
		}
		if !bytes.Equal(pr.server.received, whole.server.received) || !bytes.Equal(pr.client.received, whole.client.received) {
			rt.Fatalf("chunking changed the data received")
		}
		if fmt.Sprint(pr.server.events, pr.client.events) != fmt.Sprint(whole.server.events, whole.client.events) {
			rt.Fatalf("chunking changed the events: %v %v", pr.server.events, pr.client.events)
		}
		if pr.client.err != nil || pr.server.err != nil {
			rt.Fatalf("errors: %v, %v", pr.client.err, pr.server.err)
		}
	})
}
