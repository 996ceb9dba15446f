package machine_test

// Regression tests for the hardening of issue 9: each test names the attack
// or fault it covers, failed on the tree before the fix, and checks the
// exact alert (security.md rows 3, 4, 14 and 18).

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// hsHeader is a handshake message header claiming n bytes of body.
func hsHeader(typ messages.HandshakeType, n int) []byte {
	return []byte{byte(typ), byte(n >> 16), byte(n >> 8), byte(n)}
}

// warningRecord is a plaintext warning alert record.
func warningRecord(desc messages.AlertDescription) []byte {
	return record(messages.ContentTypeAlert, messages.VersionTLS10, []byte{byte(messages.AlertLevelWarning), byte(desc)})
}

// TestEarlyLargeCertificate: a Certificate header sent to a server that
// waits for a ClientHello used to be held to the 256 KiB Certificate cap, so
// ~288 KiB were buffered per connection before unexpected_message (Go's
// TestEarlyLargeCertMsg). The header's type is now judged against the state
// before the body is buffered or parsed: unexpected_message at once.
func TestEarlyLargeCertificate(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  []byte
	}{
		{"certificate-256KiB", append(hsHeader(messages.HandshakeTypeCertificate, 1<<18-1), make([]byte, 100)...)},
		{"certificate-small", append(hsHeader(messages.HandshakeTypeCertificate, 3), 0, 0, 0)},
		// A body that does not parse: the type is wrong before the body is
		// looked at, so unexpected_message and not decode_error.
		{"certificate-verify-garbage", append(hsHeader(messages.HandshakeTypeCertificateVerify, 3), 0xff, 0xff, 0xff)},
		{"finished-garbage", append(hsHeader(messages.HandshakeTypeFinished, 1), 0xff)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := freshServer(t)
			n := len(s.conn.State().PeerCertificates)
			s.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS10, tc.msg))
			expectPlainFatal(t, s, messages.AlertUnexpectedMessage)
			_ = n
		})
	}
	// The larger cap still applies where a Certificate is expected: a
	// client that has its ServerHello waits for a 256 KiB chain.
	t.Run("expected-certificate-256KiB", func(t *testing.T) {
		h := newAttack(t, "earlycert", false)
		out, err := h.c.conn.Start(nil)
		if err != nil {
			t.Fatal(err)
		}
		f := parseFlight(t, h.s.feed(t, out))
		h.c.feed(t, flight{f[f.index("ServerHello")]}.bytes())
		h.c.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS12, append(hsHeader(messages.HandshakeTypeCertificate, 1<<18), 1, 2, 3)))
		if h.c.err != nil {
			t.Fatalf("a Certificate at the cap, where expected, failed: %v", h.c.err)
		}
	})
}

// TestNoProgressFlood: records that do not advance the connection (empty
// application data, warning alerts, HelloRequests a client ignores) used to
// reset each other's counters, so 5,000 pairs of an empty record and a
// warning alert were consumed without end, and a server could alternate
// HelloRequest and warnings to a handshaking client forever (BoGo
// Alternate*EmptyRecordsAndWarningAlerts, tlsfuzzer test-ssl-death-alert
// style). One counter now covers them all, reset only by application data
// or an accepted handshake message.
func TestNoProgressFlood(t *testing.T) {
	warning := []byte{byte(messages.AlertLevelWarning), byte(messages.AlertUserCanceled)}
	t.Run("empty-and-warning-alternating", func(t *testing.T) {
		h := connected(t, "noprogress")
		var in []byte
		seq := uint64(1)
		for range 5000 {
			in = append(in, record(messages.ContentTypeApplicationData, messages.VersionTLS12, h.seal(h.c, seq, messages.ContentTypeApplicationData, nil).data)...)
			in = append(in, record(messages.ContentTypeAlert, messages.VersionTLS12, h.seal(h.c, seq+1, messages.ContentTypeAlert, warning).data)...)
			seq += 2
		}
		h.s.feed(t, in)
		h.expectFatal(h.s, messages.AlertUnexpectedMessage)
		if len(h.s.warn) > 40 {
			t.Fatalf("%d warnings reported before failing", len(h.s.warn))
		}
	})
	t.Run("data-resets", func(t *testing.T) {
		h := connected(t, "noprogress")
		var in []byte
		seq := uint64(1)
		for i := range 200 {
			body := []byte(nil)
			if i%10 == 9 {
				body = []byte("x")
			}
			in = append(in, record(messages.ContentTypeApplicationData, messages.VersionTLS12, h.seal(h.c, seq, messages.ContentTypeApplicationData, body).data)...)
			in = append(in, record(messages.ContentTypeAlert, messages.VersionTLS12, h.seal(h.c, seq+1, messages.ContentTypeAlert, warning).data)...)
			seq += 2
		}
		h.s.feed(t, in)
		if h.s.err != nil || len(h.s.data) != 20 {
			t.Fatalf("err %v, %d bytes of data", h.s.err, len(h.s.data))
		}
	})
	t.Run("hello-request-and-warning-to-handshaking-client", func(t *testing.T) {
		h := newAttack(t, "noprogress", false)
		if _, err := h.c.conn.Start(nil); err != nil {
			t.Fatal(err)
		}
		var in []byte
		for range 5000 {
			in = append(in, record(messages.ContentTypeHandshake, messages.VersionTLS12, hsHeader(messages.HandshakeTypeHelloRequest, 0))...)
			in = append(in, warningRecord(messages.AlertUserCanceled)...)
		}
		h.c.feed(t, in)
		expectPlainFatal(t, h.c, messages.AlertUnexpectedMessage)
	})
}

// TestRenegotiationRequestFlood: every renegotiation request a default
// server or client refused cost a full ClientHello parse and a warning, with
// no end (5,000 of each were answered). Refusals are now bounded, fatal
// after maxRefusedRenegotiations, and a server refuses on the header,
// without parsing the ClientHello.
func TestRenegotiationRequestFlood(t *testing.T) {
	const refusals = 4
	for _, tc := range []struct {
		name string
		msg  func(h *harness) []byte
		from func(h *harness) *endpoint
	}{
		{"hello-request-to-client", func(*harness) []byte { return hsHeader(messages.HandshakeTypeHelloRequest, 0) }, func(h *harness) *endpoint { return h.s }},
		{"client-hello-to-server", func(h *harness) []byte { return h.flights[0][0].data }, func(h *harness) *endpoint { return h.c }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newAttack(t, "renegflood", false)
			h.handshake()
			from := tc.from(h)
			to := h.other(from)
			var in []byte
			for i := range 5000 {
				in = append(in, record(messages.ContentTypeHandshake, messages.VersionTLS12, h.seal(from, uint64(1+i), messages.ContentTypeHandshake, tc.msg(h)).data)...)
			}
			to.feed(t, in)
			h.expectFatal(to, messages.AlertUnexpectedMessage)
			recs := h.decode(to)
			warnings := 0
			for _, r := range recs {
				if r.typ == messages.ContentTypeAlert && bytes.Equal(r.body, []byte{byte(messages.AlertLevelWarning), byte(messages.AlertNoRenegotiation)}) {
					warnings++
				}
			}
			if warnings != refusals {
				t.Fatalf("%s sent %d no_renegotiation warnings, want %d", to.name, warnings, refusals)
			}
		})
	}
	// A renegotiation ClientHello whose body does not parse is refused all
	// the same: the server decides on the header.
	t.Run("unparsed-client-hello", func(t *testing.T) {
		h := newAttack(t, "renegflood", false)
		h.handshake()
		junk := append(hsHeader(messages.HandshakeTypeClientHello, 5), 0xff, 0xff, 0xff, 0xff, 0xff)
		h.s.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS12, h.seal(h.c, 1, messages.ContentTypeHandshake, junk).data))
		if h.s.err != nil {
			t.Fatalf("server failed on a refused ClientHello: %v", h.s.err)
		}
		recs := h.decode(h.s)
		last := recs[len(recs)-1]
		if !bytes.Equal(last.body, []byte{byte(messages.AlertLevelWarning), byte(messages.AlertNoRenegotiation)}) {
			t.Fatalf("server answered %x, want a warning no_renegotiation", last.body)
		}
		// The connection goes on.
		h.s.feed(t, record(messages.ContentTypeApplicationData, messages.VersionTLS12, h.seal(h.c, 2, messages.ContentTypeApplicationData, []byte("on")).data))
		if h.s.err != nil || string(h.s.data) != "on" {
			t.Fatalf("after the refusal: err %v, data %q", h.s.err, h.s.data)
		}
	})
	// A refused ClientHello split across records: its body is discarded as
	// it arrives, not buffered.
	t.Run("fragmented-client-hello", func(t *testing.T) {
		h := newAttack(t, "renegflood", false)
		h.handshake()
		ch := h.flights[0][0].data
		seq := uint64(1)
		for off := 0; off < len(ch); off += 10 {
			frag := ch[off:min(off+10, len(ch))]
			h.s.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS12, h.seal(h.c, seq, messages.ContentTypeHandshake, frag).data))
			seq++
		}
		h.s.feed(t, record(messages.ContentTypeApplicationData, messages.VersionTLS12, h.seal(h.c, seq, messages.ContentTypeApplicationData, []byte("on")).data))
		if h.s.err != nil || string(h.s.data) != "on" || len(h.s.warn) != 0 {
			t.Fatalf("err %v, data %q", h.s.err, h.s.data)
		}
	})
}

// TestRenegotiationRateLimit: accepted peer renegotiations are limited by
// Config.RenegotiationRateLimit per minute of Config.Time; one more is
// refused with a no_renegotiation warning and the connection goes on.
func TestRenegotiationRateLimit(t *testing.T) {
	scfg := serverConfig(t, "renegrate")
	scfg.AllowClientRenegotiation = true
	scfg.RenegotiationRateLimit = 2
	pr := newPair(t, clientConfig(t, "renegrate"), scfg)
	pr.handshake()
	for i := range 3 {
		out, err := pr.client.conn.Renegotiate(nil)
		if err != nil {
			t.Fatal(err)
		}
		pr.send(pr.client, out)
		pr.run()
		if pr.client.err != nil || pr.server.err != nil {
			t.Fatalf("renegotiation %d: client %v, server %v", i, pr.client.err, pr.server.err)
		}
	}
	if got := pr.server.conn.State().Renegotiations; got != 2 {
		t.Fatalf("server completed %d renegotiations, want 2", got)
	}
	if len(pr.client.alerts) != 1 || pr.client.alerts[0] != messages.AlertNoRenegotiation {
		t.Fatalf("client warnings %v, want one no_renegotiation", pr.client.alerts)
	}
	pr.write(pr.client, []byte("still"))
	pr.run()
	if string(pr.server.received) != "still" {
		t.Fatalf("server received %q", pr.server.received)
	}
}

// TestResumeNonEMSSessionAfterPolicyChange: a session made without extended
// master secret, while the server allowed that, used to be resumed after the
// server's Config stopped allowing it (security.md row 4, RFC 7627 Section
// 5.3 spirit: the triple handshake needs exactly such a session). The server
// now falls back to a full handshake, which its policy refuses.
func TestResumeNonEMSSessionAfterPolicyChange(t *testing.T) {
	cache := mapServerCache{}
	scfg := serverConfig(t, "nonems")
	scfg.AllowNoExtendedMasterSecret = true
	scfg.SessionCache = cache
	ch := rawHello("nonems-1")
	ch.ExtendedMasterSecret = false
	res := rawHandshake(t, scfg, ch, "nonems-1")
	expectRawSuccess(t, res)
	if len(res.sh.SessionID) == 0 || len(cache) != 1 {
		t.Fatal("no session was stored")
	}
	strict := serverConfig(t, "nonems")
	strict.SessionCache = cache
	ch = rawHello("nonems-2")
	ch.ExtendedMasterSecret = false
	ch.SessionID = res.sh.SessionID
	expectRawFatal(t, rawHandshake(t, strict, ch, "nonems-2"), messages.AlertHandshakeFailure)
}

// TestExactAlerts: the alerts tlsfuzzer expects where sanstls sent another.
func TestExactAlerts(t *testing.T) {
	// RFC 7919, Section 4: FFDHE groups offered, none acceptable, no other
	// suite usable: insufficient_security.
	t.Run("ffdhe-no-acceptable-group", func(t *testing.T) {
		scfg := serverConfig(t, "ffdhe", getPKI(t).rsa)
		scfg.CipherSuites = []uint16{machine.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256}
		scfg.Groups = []machine.Group{messages.GroupFFDHE3072}
		ch := rawHello("ffdhe")
		ch.CipherSuites = []uint16{machine.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256}
		ch.SupportedGroups = []messages.NamedGroup{messages.GroupFFDHE2048}
		expectRawFatal(t, rawHandshake(t, scfg, ch, "ffdhe"), messages.AlertInsufficientSecurity)
	})
	// RFC 8422, Section 5.1.2: ec_point_formats without uncompressed.
	t.Run("point-formats-without-uncompressed", func(t *testing.T) {
		ch := rawHello("points")
		ch.SupportedPoints = []uint8{1, 2}
		expectRawFatal(t, rawHandshake(t, serverConfig(t, "points"), ch, "points"), messages.AlertIllegalParameter)
	})
	// RFC 6066, Section 3: an unknown name_type is skipped (its data starts
	// with a 16-bit length for that reason).
	t.Run("sni-unknown-name-type", func(t *testing.T) {
		ch := rawHello("sni")
		ch.ServerName = ""
		raw, err := ch.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var list []byte
		list = append(list, 7, 0, 3, 'a', 'b', 'c') // name_type 7
		list = append(list, 0, 0, byte(len("example.com")))
		list = append(list, "example.com"...)
		ext := binary.BigEndian.AppendUint16([]byte{0, 0}, uint16(2+len(list)))
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(list)))
		raw = appendExtension(t, raw, append(ext, list...))
		s := freshServer(t)
		out := s.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS10, raw))
		if s.err != nil {
			t.Fatalf("server refused an unknown SNI name type: %v", s.err)
		}
		if f := parseFlight(t, out); len(f) == 0 || f[0].name() != "ServerHello" {
			t.Fatalf("server answered %v", f.names())
		}
		if got := s.conn.State().ServerName; got != "example.com" {
			t.Fatalf("server name %q", got)
		}
	})
	// ClientHellos of 128 KiB exist (post-quantum shares, GREASE, padding);
	// OpenSSL takes 131,396 bytes.
	t.Run("client-hello-128KiB", func(t *testing.T) {
		ch := rawHello("large")
		for v := uint16(0x1000); len(ch.CipherSuites) < 32767; v++ {
			if v != machine.TLS_FALLBACK_SCSV && v != machine.TLS_EMPTY_RENEGOTIATION_INFO_SCSV {
				ch.CipherSuites = append(ch.CipherSuites, v)
			}
		}
		raw, err := ch.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		// Fill the extensions block to its 2^16-1 maximum.
		fixed := 4 + 2 + 32 + 1 + len(ch.SessionID) + 2 + 2*len(ch.CipherSuites) + 1 + len(ch.CompressionMethods) + 2
		ch.HasPadding = true
		ch.PaddingLen = 0xffff - (len(raw) - fixed) - 4
		raw, err = ch.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) < 128<<10 {
			t.Fatalf("ClientHello is %d bytes", len(raw))
		}
		expectRawSuccess(t, rawHandshake(t, serverConfig(t, "large"), ch, "large"))
	})
}

// TestRenegotiationKeepsEMS: a renegotiation must not drop extended master
// secret when the connection has it (RFC 7627, Section 5.4 spirit; OpenSSL
// refuses the downgrade, BoGo ExtendedMasterSecret-Renego-NoEMS), even when
// the Config tolerates peers without it.
func TestRenegotiationKeepsEMS(t *testing.T) {
	h := newAttack(t, "renegems", false, func(ccfg, scfg *machine.Config) {
		ccfg.AllowNoExtendedMasterSecret = true
		scfg.AllowNoExtendedMasterSecret = true
		scfg.AllowClientRenegotiation = true
	})
	h.handshake()
	if !h.s.conn.State().ExtendedMasterSecret {
		t.Fatal("first handshake without EMS")
	}
	out, err := h.c.conn.Renegotiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	hdr, ok := messages.ParseRecordHeader(out)
	if !ok || len(out) != messages.RecordHeaderLen+int(hdr.Length) {
		t.Fatalf("renegotiation ClientHello is not one record")
	}
	p := piece{typ: hdr.Type, vers: hdr.Version, data: out[messages.RecordHeaderLen:], enc: true}
	var ch messages.ClientHello
	if err := ch.Unmarshal(h.open(h.c, 1, p)); err != nil {
		t.Fatal(err)
	}
	ch.ExtendedMasterSecret = false
	ch.ExtensionOrder = nil
	raw, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	h.s.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS12, h.seal(h.c, 1, messages.ContentTypeHandshake, raw).data))
	h.expectFatal(h.s, messages.AlertHandshakeFailure)
}

// appendExtension adds ext (type, length, data) at the end of a marshalled
// ClientHello's extensions and fixes the lengths.
func appendExtension(t testing.TB, raw, ext []byte) []byte {
	t.Helper()
	off := 4 + 2 + 32
	off += 1 + int(raw[off])
	off += 2 + int(binary.BigEndian.Uint16(raw[off:]))
	off += 1 + int(raw[off])
	extLen := int(binary.BigEndian.Uint16(raw[off:]))
	if off+2+extLen != len(raw) {
		t.Fatal("appendExtension: unexpected layout")
	}
	out := append(bytes.Clone(raw), ext...)
	binary.BigEndian.PutUint16(out[off:], uint16(extLen+len(ext)))
	n := len(out) - 4
	out[1], out[2], out[3] = byte(n>>16), byte(n>>8), byte(n)
	return out
}

// bigChain is cert with its CA certificate repeated until the chain holds
// more than 64 KiB: still a valid chain, and within the 256 KiB
// Certificate cap.
func bigChain(cert machine.Certificate) machine.Certificate {
	ca := cert.Chain[len(cert.Chain)-1]
	chain := [][]byte{cert.Chain[0]}
	for n := len(cert.Chain[0]); n < 70<<10; n += len(ca) {
		chain = append(chain, ca)
	}
	cert.Chain = chain
	return cert
}

// TestLargeSessionState: session caches are bounded in bytes, not only in
// count. A client chain may be 256 KiB: a server used to seal it into a
// ticket too large for NewSessionTicket (internal_error on a good
// connection) and to hand it to SessionCache; a client cached a server's
// chain of any size. Such sessions are now not kept: the server sends an
// empty ticket (RFC 5077, Section 3.3) and stores nothing, the client
// caches nothing, and the connection succeeds.
func TestLargeSessionState(t *testing.T) {
	p := getPKI(t)
	t.Run("server-ticket", func(t *testing.T) {
		ccfg, scfg := clientConfig(t, "bigstate"), serverConfig(t, "bigstate")
		ccfg.Certificates = []machine.Certificate{bigChain(p.client)}
		ccfg.ClientSessionCache = mapClientCache{}
		scfg.ClientAuth = machine.RequireAnyClientCert
		scfg.TicketKeys = [][32]byte{{7}}
		pr := newPair(t, ccfg, scfg)
		pr.handshake()
		if n := len(ccfg.ClientSessionCache.(mapClientCache)); n != 0 {
			t.Fatalf("client cached %d sessions from an empty ticket", n)
		}
	})
	t.Run("server-session-cache", func(t *testing.T) {
		ccfg, scfg := clientConfig(t, "bigstate"), serverConfig(t, "bigstate")
		ccfg.Certificates = []machine.Certificate{bigChain(p.client)}
		cache := mapServerCache{}
		scfg.ClientAuth = machine.RequireAnyClientCert
		scfg.SessionCache = cache
		pr := newPair(t, ccfg, scfg)
		pr.handshake()
		for _, v := range cache {
			t.Fatalf("server cached a %d-byte session", len(v))
		}
	})
	t.Run("client-cache", func(t *testing.T) {
		ccfg, scfg := clientConfig(t, "bigstate"), serverConfig(t, "bigstate", bigChain(p.ecdsa))
		cache := mapClientCache{}
		ccfg.ClientSessionCache = cache
		scfg.TicketKeys = [][32]byte{{7}}
		pr := newPair(t, ccfg, scfg)
		pr.handshake()
		if len(cache) != 0 {
			t.Fatal("client cached a session with a 70 KiB chain")
		}
	})
}

// TestRenegotiationKeepsEMSClient: the client side of the same rule: a
// renegotiation ServerHello without extended_master_secret, on a connection
// that has it, is handshake_failure even with AllowNoExtendedMasterSecret.
func TestRenegotiationKeepsEMSClient(t *testing.T) {
	h := newAttack(t, "renegemsc", false, func(ccfg, scfg *machine.Config) {
		ccfg.AllowNoExtendedMasterSecret = true
		scfg.AllowNoExtendedMasterSecret = true
		scfg.AllowClientRenegotiation = true
	})
	h.handshake()
	out, err := h.c.conn.Renegotiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	h.c.wire = append(h.c.wire, out...)
	reply := h.s.feed(t, out)
	hdr, ok := messages.ParseRecordHeader(reply)
	if !ok || len(reply) != messages.RecordHeaderLen+int(hdr.Length) {
		t.Fatalf("server's renegotiation flight is not one record")
	}
	pt := h.open(h.s, 1, piece{typ: hdr.Type, vers: hdr.Version, data: reply[messages.RecordHeaderLen:], enc: true})
	_, n, _ := messages.ParseHandshakeHeader(pt)
	var sh messages.ServerHello
	if err := sh.Unmarshal(bytes.Clone(pt[:messages.HandshakeHeaderLen+n])); err != nil {
		t.Fatal(err)
	}
	if !sh.ExtendedMasterSecret {
		t.Fatal("server renegotiated without EMS on its own")
	}
	sh.ExtendedMasterSecret = false
	sh.ExtensionOrder = nil
	raw, err := sh.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	flight := append(raw, pt[messages.HandshakeHeaderLen+n:]...)
	h.c.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS12, h.seal(h.s, 1, messages.ContentTypeHandshake, flight).data))
	h.expectFatal(h.c, messages.AlertHandshakeFailure)
}

// TestRenegotiationServerCertificateChange: a renegotiation must not change
// who the server is (security.md row 4, the triple handshake; crypto/tls has
// the same rule). A man in the middle who knows the keys puts another valid
// certificate in the server's renegotiation flight: bad_certificate.
func TestRenegotiationServerCertificateChange(t *testing.T) {
	h := newAttack(t, "renegcert", false, func(_, scfg *machine.Config) { scfg.AllowClientRenegotiation = true })
	h.handshake()
	out, err := h.c.conn.Renegotiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	h.c.wire = append(h.c.wire, out...)
	reply := h.s.feed(t, out)
	hdr, ok := messages.ParseRecordHeader(reply)
	if !ok || len(reply) != messages.RecordHeaderLen+int(hdr.Length) {
		t.Fatalf("server's renegotiation flight is not one record")
	}
	pt := h.open(h.s, 1, piece{typ: hdr.Type, vers: hdr.Version, data: reply[messages.RecordHeaderLen:], enc: true})
	_, n, _ := messages.ParseHandshakeHeader(pt)
	other, err := (&messages.Certificate{Certificates: getPKI(t).otherName.Chain}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// ServerHello, then the substituted Certificate; the rest is dropped.
	flight := append(bytes.Clone(pt[:messages.HandshakeHeaderLen+n]), other...)
	h.c.feed(t, record(messages.ContentTypeHandshake, messages.VersionTLS12, h.seal(h.s, 1, messages.ContentTypeHandshake, flight).data))
	h.expectFatal(h.c, messages.AlertBadCertificate)
	if r := machine.ReasonOf(h.c.err); r != "server_identity_changed" {
		t.Fatalf("failure reason %q, want server_identity_changed", r)
	}
}

// TestExporterNeedsEMS: keying material is exported only from a handshake
// with extended master secret (RFC 7627, Section 5.4; security.md row 4).
func TestExporterNeedsEMS(t *testing.T) {
	scfg := serverConfig(t, "exportems")
	scfg.AllowNoExtendedMasterSecret = true
	ch := rawHello("exportems")
	ch.ExtendedMasterSecret = false
	res := rawHandshake(t, scfg, ch, "exportems")
	expectRawSuccess(t, res)
	if _, err := res.server.conn.ExportKeyingMaterial("EXPORTER-test", nil, 32); err == nil {
		t.Fatal("exported keying material without EMS")
	}
	res = rawHandshake(t, serverConfig(t, "exportems"), rawHello("exportems-2"), "exportems-2")
	expectRawSuccess(t, res)
	if _, err := res.server.conn.ExportKeyingMaterial("EXPORTER-test", nil, 32); err != nil {
		t.Fatalf("no export with EMS: %v", err)
	}
}

// TestUnofferedSignatureScheme: SLOTH (security.md row 8): the server's
// ServerKeyExchange names a scheme the client did not offer (ECDSA-SHA1,
// RFC 9155), which the client refuses with illegal_parameter before it
// looks at the signature.
func TestUnofferedSignatureScheme(t *testing.T) {
	h := newAttack(t, "sloth", false)
	h.run(func(k int, f flight) flight {
		if k != 1 {
			return f
		}
		i := f.index("ServerKeyExchange")
		data := bytes.Clone(f[i].data)
		params, err := messages.ParseECDHEParams(data[messages.HandshakeHeaderLen:])
		if err != nil {
			t.Fatal(err)
		}
		off := messages.HandshakeHeaderLen + len(params.Raw)
		binary.BigEndian.PutUint16(data[off:], uint16(messages.SignatureECDSASHA1))
		return f.replace(i, hsPiece(data))
	})
	h.expectFailure(h.c, messages.AlertIllegalParameter)
	if r := machine.ReasonOf(h.c.err); r != "unoffered_sig_alg" {
		t.Fatalf("reason %q, want unoffered_sig_alg", r)
	}
}
