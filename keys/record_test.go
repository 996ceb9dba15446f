package keys

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanstls/sanstls/internal/testkit"
)

// ---- Record protections under test ----

// rpKind is one record protection configuration. make returns a fresh
// value with fixed keys, so two calls give a sealer and a matching opener.
type rpKind struct {
	name string
	make func(tb testing.TB) RecordProtection
}

// rpKey returns n fixed key bytes that depend on tag.
func rpKey(tag byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = tag + byte(i)*7
	}
	return b
}

// rpCounterRand is a deterministic, allocation-free random source.
type rpCounterRand struct{ n byte }

func (r *rpCounterRand) Read(p []byte) (int, error) {
	for i := range p {
		r.n++
		p[i] = r.n
	}
	return len(p), nil
}

func rpMustProtection(tb testing.TB, p RecordProtection, err error) RecordProtection {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func rpKinds() []rpKind {
	cbcKind := func(name string, keyLen int, h crypto.Hash, etm bool) rpKind {
		return rpKind{name, func(tb testing.TB) RecordProtection {
			p, err := NewCBC(rpKey(3, keyLen), rpKey(4, h.Size()), h, etm, &rpCounterRand{})
			return rpMustProtection(tb, p, err)
		}}
	}
	return []rpKind{
		{"AES-128-GCM", func(tb testing.TB) RecordProtection {
			p, err := NewAESGCM(rpKey(1, 16), rpKey(2, 4))
			return rpMustProtection(tb, p, err)
		}},
		{"AES-256-GCM", func(tb testing.TB) RecordProtection {
			p, err := NewAESGCM(rpKey(1, 32), rpKey(2, 4))
			return rpMustProtection(tb, p, err)
		}},
		{"ChaCha20-Poly1305", func(tb testing.TB) RecordProtection {
			p, err := NewChaCha20Poly1305(rpKey(1, 32), rpKey(2, 12))
			return rpMustProtection(tb, p, err)
		}},
		cbcKind("AES-128-CBC-SHA1", 16, crypto.SHA1, false),
		cbcKind("AES-128-CBC-SHA256", 16, crypto.SHA256, false),
		cbcKind("AES-256-CBC-SHA384", 32, crypto.SHA384, false),
		cbcKind("AES-128-CBC-SHA1-EtM", 16, crypto.SHA1, true),
		cbcKind("AES-256-CBC-SHA256-EtM", 32, crypto.SHA256, true),
		cbcKind("AES-256-CBC-SHA384-EtM", 32, crypto.SHA384, true),
	}
}

// rpSplitRecord checks the header of a sealed record and returns its fields.
func rpSplitRecord(tb testing.TB, rec []byte) (typ uint8, version uint16, fragment []byte) {
	tb.Helper()
	if len(rec) < 5 || int(binary.BigEndian.Uint16(rec[3:5])) != len(rec)-5 {
		tb.Fatalf("bad record header in %x", rec)
	}
	return rec[0], binary.BigEndian.Uint16(rec[1:3]), rec[5:]
}

// ---- Tests of the RecordProtection contract, for every kind ----

func TestRecordRoundTrip(t *testing.T) {
	for _, k := range rpKinds() {
		t.Run(k.name, func(t *testing.T) {
			s, o := k.make(t), k.make(t)
			for i, n := range []int{0, 1, 15, 16, 17, 100, 1000, maxPlaintext} {
				msg := bytes.Repeat([]byte{byte(i + 1)}, n)
				rec, err := s.Seal([]byte("prefix"), 23, 0x0303, msg)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(rec, []byte("prefix")) {
					t.Fatalf("Seal did not append to dst")
				}
				rec = rec[len("prefix"):]
				if over := len(rec) - n; over > s.MaxOverhead() || over <= 0 {
					t.Errorf("n=%d: overhead %d, MaxOverhead %d", n, over, s.MaxOverhead())
				}
				typ, vers, frag := rpSplitRecord(t, rec)
				if typ != 23 || vers != 0x0303 {
					t.Errorf("header type %d version %#x", typ, vers)
				}
				pt, err := o.Open(typ, vers, frag)
				if err != nil {
					t.Fatalf("n=%d: Open: %v", n, err)
				}
				if !bytes.Equal(pt, msg) {
					t.Fatalf("n=%d: Open returned %x", n, pt)
				}
				if at, ok := relativeStart(frag, pt); len(pt) > 0 && (!ok || at < 0 || at+len(pt) > len(frag)) {
					t.Errorf("Open did not return a sub-slice of fragment")
				}
				if s.Sequence() != uint64(i+1) || o.Sequence() != uint64(i+1) {
					t.Errorf("sequence numbers %d, %d after %d records", s.Sequence(), o.Sequence(), i+1)
				}
			}
		})
	}
}

func TestRecordSealTooLarge(t *testing.T) {
	for _, k := range rpKinds() {
		p := k.make(t)
		dst := []byte("x")
		out, err := p.Seal(dst, 23, 0x0303, make([]byte, maxPlaintext+1))
		if err != ErrPlaintextTooLarge || len(out) != 1 || p.Sequence() != 0 {
			t.Errorf("%s: Seal of 2^14+1 bytes = %d bytes, %v, seq %d", k.name, len(out), err, p.Sequence())
		}
	}
}

func TestRecordSequenceExhausted(t *testing.T) {
	for _, k := range rpKinds() {
		t.Run(k.name, func(t *testing.T) {
			s, o := k.make(t), k.make(t)
			// The last usable sequence number is 2^64-2.
			s.SetSequence(math.MaxUint64 - 1)
			o.SetSequence(math.MaxUint64 - 1)
			rec, err := s.Seal(nil, 23, 0x0303, []byte("last"))
			if err != nil {
				t.Fatal(err)
			}
			typ, vers, frag := rpSplitRecord(t, rec)
			if pt, err := o.Open(typ, vers, frag); err != nil || string(pt) != "last" {
				t.Fatalf("Open at 2^64-2: %q, %v", pt, err)
			}
			if s.Sequence() != math.MaxUint64 || o.Sequence() != math.MaxUint64 {
				t.Fatalf("sequence after 2^64-2: %d, %d", s.Sequence(), o.Sequence())
			}
			// Now neither may go on, and nothing wraps.
			out, err := s.Seal([]byte("d"), 23, 0x0303, []byte("x"))
			if err != ErrSequenceExhausted || string(out) != "d" {
				t.Errorf("Seal at 2^64-1 = %q, %v; want ErrSequenceExhausted", out, err)
			}
			rec2, _ := k.make(t).Seal(nil, 23, 0x0303, []byte("x"))
			if _, err := o.Open(23, 0x0303, rec2[5:]); err != ErrSequenceExhausted {
				t.Errorf("Open at 2^64-1 = %v; want ErrSequenceExhausted", err)
			}
			if s.Sequence() != math.MaxUint64 || o.Sequence() != math.MaxUint64 {
				t.Errorf("sequence moved: %d, %d", s.Sequence(), o.Sequence())
			}
		})
	}
}

func TestRecordOpenAnyLength(t *testing.T) {
	// Fragments of every length up to a few hundred bytes, random or all
	// zero, never panic and fail with ErrBadRecordMAC.
	for _, k := range rpKinds() {
		o := k.make(t)
		buf := make([]byte, 600)
		for n := 0; n <= len(buf); n++ {
			for _, fill := range []func([]byte){func(b []byte) { clear(b) }, func(b []byte) { rand.Read(b) }} {
				frag := buf[:n]
				fill(frag)
				if _, err := o.Open(23, 0x0303, frag); err != ErrBadRecordMAC {
					t.Fatalf("%s: Open of %d bytes: %v", k.name, n, err)
				}
			}
		}
		if o.Sequence() != 0 {
			t.Errorf("%s: failed Opens moved the sequence to %d", k.name, o.Sequence())
		}
	}
}

func TestRecordOpenEveryFlippedBit(t *testing.T) {
	// Flipping any bit of a genuine fragment, or changing the type, version
	// or sequence number, makes Open fail.
	for _, k := range rpKinds() {
		t.Run(k.name, func(t *testing.T) {
			rec, err := k.make(t).Seal(nil, 23, 0x0303, []byte("attack at dawn, bring snacks"))
			if err != nil {
				t.Fatal(err)
			}
			frag := rec[5:]
			for i := range len(frag) * 8 {
				f := bytes.Clone(frag)
				f[i/8] ^= 1 << (i % 8)
				if pt, err := k.make(t).Open(23, 0x0303, f); err != ErrBadRecordMAC {
					t.Fatalf("bit %d flipped: Open = %q, %v", i, pt, err)
				}
			}
			if _, err := k.make(t).Open(22, 0x0303, bytes.Clone(frag)); err != ErrBadRecordMAC {
				t.Errorf("wrong type: %v", err)
			}
			if _, err := k.make(t).Open(23, 0x0302, bytes.Clone(frag)); err != ErrBadRecordMAC {
				t.Errorf("wrong version: %v", err)
			}
			o := k.make(t)
			o.SetSequence(1)
			if _, err := o.Open(23, 0x0303, bytes.Clone(frag)); err != ErrBadRecordMAC {
				t.Errorf("wrong sequence number: %v", err)
			}
			if _, err := k.make(t).Open(23, 0x0303, bytes.Clone(frag)); err != nil {
				t.Errorf("untouched record: %v", err)
			}
		})
	}
}

func TestRecordSealOverlap(t *testing.T) {
	// Seal gives the same record whatever the plaintext's position relative
	// to dst, and never writes past the returned slice.
	const prefix, n = 7, 100
	msg := make([]byte, n)
	for i := range msg {
		msg[i] = byte(i)
	}
	for _, k := range rpKinds() {
		t.Run(k.name, func(t *testing.T) {
			want, err := k.make(t).Seal(bytes.Repeat([]byte{0xaa}, prefix), 23, 0x0303, msg)
			if err != nil {
				t.Fatal(err)
			}
			off, ok := PlaintextOffset(k.make(t))
			if !ok {
				t.Fatal("PlaintextOffset: not ours")
			}
			// Plaintext positions in dst's spare capacity, relative to
			// len(dst): in place, earlier, later, straddling the end.
			for _, at := range []int{off, 0, 1, off - 1, off + 1, off + 20, len(want) - prefix - n, len(want) - prefix - 10, len(want)} {
				buf := bytes.Repeat([]byte{0xaa}, max(prefix+at+n, len(want))+64)
				copy(buf[prefix+at:], msg)
				guard := bytes.Clone(buf[len(want):])
				got, err := k.make(t).Seal(buf[:prefix], 23, 0x0303, buf[prefix+at:prefix+at+n])
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("plaintext at +%d: record differs", at)
				}
				if &got[0] != &buf[0] {
					t.Errorf("plaintext at +%d: Seal reallocated although dst had room", at)
				}
				if !bytes.Equal(buf[len(want):], guard) {
					t.Errorf("plaintext at +%d: Seal wrote past the record", at)
				}
			}
			// No room in dst: Seal allocates and leaves dst alone.
			dst := []byte("abc")
			got, err := k.make(t).Seal(dst[:3:3], 23, 0x0303, msg)
			if err != nil || !bytes.Equal(got[3:], want[prefix:]) || string(dst) != "abc" {
				t.Errorf("growing dst: err %v", err)
			}
		})
	}
}

func TestRelativeStart(t *testing.T) {
	buf := make([]byte, 100)
	for _, c := range []struct {
		a, b []byte
		at   int
		ok   bool
	}{
		{buf, buf[10:20], 10, true},
		{buf[30:40], buf[10:20], -20, true},
		{buf[99:], buf[:0], -99, true},
		{buf, make([]byte, 10), 0, false},
		{buf, buf[10:20:20], 0, false}, // capacity cut: not recognised
		{buf, nil, 0, false},
	} {
		at, ok := relativeStart(c.a, c.b)
		if at != c.at || ok != c.ok {
			t.Errorf("relativeStart(cap %d, cap %d) = %d, %v; want %d, %v", cap(c.a), cap(c.b), at, ok, c.at, c.ok)
		}
	}
}

func TestPlaintextOffset(t *testing.T) {
	want := map[string]int{"AES-128-GCM": 13, "AES-256-GCM": 13, "ChaCha20-Poly1305": 5}
	for _, k := range rpKinds() {
		w, ok := want[k.name]
		if !ok {
			w = 21 // CBC: header + IV
		}
		if off, ok := PlaintextOffset(k.make(t)); !ok || off != w {
			t.Errorf("%s: PlaintextOffset = %d, %v; want %d", k.name, off, ok, w)
		}
	}
	if _, ok := PlaintextOffset(foreignProtection{}); ok {
		t.Error("PlaintextOffset accepted a foreign RecordProtection")
	}
}

type foreignProtection struct{ RecordProtection }

// rpRaceBuild reports whether the test binary was built with -race, under
// which the standard library's AEADs allocate, so that allocation counts
// say nothing about this package.
func rpRaceBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

func TestRecordZeroAllocations(t *testing.T) {
	race := rpRaceBuild()
	for _, k := range rpKinds() {
		t.Run(k.name, func(t *testing.T) {
			check := func(what string, n float64) {
				switch {
				case n == 0:
				case race:
					t.Logf("%s: %v allocations (race build, not checked)", what, n)
				default:
					t.Errorf("%s: %v allocations", what, n)
				}
			}
			s, o := k.make(t), k.make(t)
			msg := make([]byte, 1024)
			dst := make([]byte, 0, len(msg)+s.MaxOverhead())
			frag := make([]byte, 0, len(msg)+s.MaxOverhead())
			var rec []byte
			seal := testing.AllocsPerRun(50, func() {
				rec, _ = s.Seal(dst[:0], 23, 0x0303, msg)
			})
			check("Seal", seal)
			rec, _ = s.Seal(dst[:0], 23, 0x0303, msg)
			o.SetSequence(s.Sequence() - 1)
			var err error
			open := testing.AllocsPerRun(50, func() {
				o.SetSequence(s.Sequence() - 1)
				frag = append(frag[:0], rec[5:]...)
				_, err = o.Open(23, 0x0303, frag)
			})
			if err != nil {
				t.Fatal(err)
			}
			check("Open", open)
			fail := testing.AllocsPerRun(50, func() {
				frag = append(frag[:0], rec[5:]...)
				frag[len(frag)-1] ^= 1
				_, err = o.Open(23, 0x0303, frag)
			})
			if err != ErrBadRecordMAC {
				t.Fatal(err)
			}
			check("failing Open", fail)
		})
	}
}

// ---- Interoperability with crypto/tls ----

// rpWireRecord is one TLS record as seen on the wire.
type rpWireRecord struct {
	typ      uint8
	version  uint16
	fragment []byte
}

func rpParseRecords(tb testing.TB, stream []byte) []rpWireRecord {
	tb.Helper()
	var out []rpWireRecord
	for len(stream) > 0 {
		if len(stream) < 5 {
			tb.Fatalf("truncated record header")
		}
		n := int(binary.BigEndian.Uint16(stream[3:5]))
		if len(stream) < 5+n {
			tb.Fatalf("truncated record")
		}
		out = append(out, rpWireRecord{stream[0], binary.BigEndian.Uint16(stream[1:3]), stream[5 : 5+n]})
		stream = stream[5+n:]
	}
	return out
}

// rpHandshakeMessages splits a concatenation of handshake messages.
func rpHandshakeMessages(tb testing.TB, b []byte) [][]byte {
	tb.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			tb.Fatal("truncated handshake header")
		}
		n := 4 + (int(b[1])<<16 | int(b[2])<<8 | int(b[3]))
		if len(b) < n {
			tb.Fatal("truncated handshake message")
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// rpSide is what one side sent: its plaintext handshake messages before
// ChangeCipherSpec and its encrypted records after it.
type rpSide struct {
	handshake [][]byte
	encrypted []rpWireRecord
}

func rpSplitSide(tb testing.TB, stream []byte) rpSide {
	tb.Helper()
	var s rpSide
	var hs []byte
	ccs := false
	for _, r := range rpParseRecords(tb, stream) {
		switch {
		case ccs:
			s.encrypted = append(s.encrypted, r)
		case r.typ == 20:
			ccs = true
		case r.typ == 22:
			hs = append(hs, r.fragment...)
		default:
			tb.Fatalf("unexpected plaintext record type %d", r.typ)
		}
	}
	s.handshake = rpHandshakeMessages(tb, hs)
	return s
}

// rpTLSRun is a TLS 1.2 connection between crypto/tls client and server,
// as captured on the wire, plus what crypto/tls reported about it.
type rpTLSRun struct {
	suite        uint16
	client       rpSide // records the client sent
	server       rpSide // records the server sent
	clientRandom []byte
	serverRandom []byte
	master       []byte // from the client's key log
	preMaster    []byte // RSA key exchange only
	state        tls.ConnectionState
	clientData   []byte // application data the client sent
	serverData   []byte // application data the server sent
}

// rpRecordingConn records the bytes read and written through a net.Conn.
type rpRecordingConn struct {
	net.Conn
	sent, received bytes.Buffer
}

func (c *rpRecordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.received.Write(p[:n])
	return n, err
}

func (c *rpRecordingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.sent.Write(p[:n])
	return n, err
}

var rpServerCert = sync.OnceValues(func() (tls.Certificate, error) {
	v := testkit.Validity{NotBefore: time.Unix(0, 0), NotAfter: time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)}
	ca, err := testkit.NewCA("keys test CA", testkit.CAOptions{Validity: v})
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := ca.Issue(testkit.LeafOptions{KeyType: testkit.RSA2048, CommonName: "keys test", DNSNames: []string{"example.test"}, Validity: v})
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{leaf.DER}, PrivateKey: leaf.Key}, nil
})

// rpRunTLS12 runs one crypto/tls TLS 1.2 connection with the given suite
// over net.Pipe, sending one application record each way.
func rpRunTLS12(t *testing.T, suite uint16) *rpTLSRun {
	t.Helper()
	cert, err := rpServerCert()
	if err != nil {
		t.Fatal(err)
	}
	cConn, sConn := net.Pipe()
	defer cConn.Close()
	defer sConn.Close()
	rec := &rpRecordingConn{Conn: cConn}
	var keyLog bytes.Buffer
	client := tls.Client(rec, &tls.Config{
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS12,
		MaxVersion:         tls.VersionTLS12,
		CipherSuites:       []uint16{suite},
		KeyLogWriter:       &keyLog,
	})
	server := tls.Server(sConn, &tls.Config{
		Certificates:           []tls.Certificate{cert},
		MinVersion:             tls.VersionTLS12,
		MaxVersion:             tls.VersionTLS12,
		CipherSuites:           []uint16{suite},
		SessionTicketsDisabled: true,
	})
	run := &rpTLSRun{
		suite:      suite,
		clientData: []byte("GET / HTTP/1.1 from the crypto/tls client"),
		serverData: []byte("HTTP/1.1 200 OK from the crypto/tls server, a bit longer"),
	}
	errc := make(chan error, 1)
	go func() {
		buf := make([]byte, len(run.clientData))
		if _, err := io.ReadFull(server, buf); err != nil {
			errc <- err
			return
		}
		_, err := server.Write(run.serverData)
		errc <- err
	}()
	if _, err := client.Write(run.clientData); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(run.serverData))
	if _, err := io.ReadFull(client, buf); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	run.state = client.ConnectionState()
	if run.state.CipherSuite != suite || run.state.Version != tls.VersionTLS12 || run.state.DidResume {
		t.Fatalf("negotiated %#x version %#x", run.state.CipherSuite, run.state.Version)
	}

	run.client = rpSplitSide(t, rec.sent.Bytes())
	run.server = rpSplitSide(t, rec.received.Bytes())
	ch, sh := run.client.handshake[0], run.server.handshake[0]
	if ch[0] != 1 || sh[0] != 2 {
		t.Fatalf("first messages are types %d and %d", ch[0], sh[0])
	}
	run.clientRandom = ch[6:38] // type, length, version, random
	run.serverRandom = sh[6:38]

	// NSS key log format: CLIENT_RANDOM <client_random> <master_secret>.
	sc := bufio.NewScanner(&keyLog)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "CLIENT_RANDOM" && f[1] == hex.EncodeToString(run.clientRandom) {
			run.master = rpHex(t, f[2])
		}
	}
	if len(run.master) != 48 {
		t.Fatalf("no master secret in key log %q", keyLog.String())
	}

	if cke := run.client.handshake[len(run.client.handshake)-1]; cke[0] == 16 && isRSAKex(suite) {
		// ClientKeyExchange: EncryptedPreMasterSecret<0..2^16-1>.
		ct := cke[4+2:]
		run.preMaster, err = rsa.DecryptPKCS1v15(nil, cert.PrivateKey.(*rsa.PrivateKey), ct)
		if err != nil {
			t.Fatal(err)
		}
	}
	return run
}

func isRSAKex(suite uint16) bool {
	return suite == tls.TLS_RSA_WITH_AES_128_GCM_SHA256 || suite == tls.TLS_RSA_WITH_AES_256_GCM_SHA384
}

// transcript returns the handshake messages that the client's Finished
// covers: ClientHello, the server's first flight and ClientKeyExchange.
func (r *rpTLSRun) transcript() []byte {
	var b []byte
	b = append(b, r.client.handshake[0]...)
	for _, m := range r.server.handshake {
		b = append(b, m...)
	}
	for _, m := range r.client.handshake[1:] {
		b = append(b, m...)
	}
	return b
}

// rpSuiteParams describes a crypto/tls suite in terms of this package.
type rpSuiteParams struct {
	suite                 uint16
	prf                   crypto.Hash
	macHash               crypto.Hash // CBC only
	macLen, keyLen, ivLen int
	newProt               func(k, mac, iv []byte, rand io.Reader) (RecordProtection, error)
	explicit              int // explicit nonce or IV length
	transcriptHash        func([]byte) []byte
	name                  string
}

func rpSuites() []rpSuiteParams {
	h256 := func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
	h384 := func(b []byte) []byte { s := sha512.Sum384(b); return s[:] }
	gcm := func(k, _, iv []byte, _ io.Reader) (RecordProtection, error) { return NewAESGCM(k, iv) }
	cc := func(k, _, iv []byte, _ io.Reader) (RecordProtection, error) { return NewChaCha20Poly1305(k, iv) }
	cbcWith := func(h crypto.Hash) func(k, mac, iv []byte, r io.Reader) (RecordProtection, error) {
		return func(k, mac, _ []byte, r io.Reader) (RecordProtection, error) { return NewCBC(k, mac, h, false, r) }
	}
	return []rpSuiteParams{
		{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, crypto.SHA256, 0, 0, 16, 4, gcm, 8, h256, "ECDHE-AES128-GCM-SHA256"},
		{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, crypto.SHA384, 0, 0, 32, 4, gcm, 8, h384, "ECDHE-AES256-GCM-SHA384"},
		{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, crypto.SHA256, 0, 0, 32, 12, cc, 0, h256, "ECDHE-CHACHA20-POLY1305"},
		{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, crypto.SHA256, crypto.SHA1, 20, 16, 0, cbcWith(crypto.SHA1), 16, h256, "ECDHE-AES128-CBC-SHA"},
		{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, crypto.SHA256, crypto.SHA1, 20, 32, 0, cbcWith(crypto.SHA1), 16, h256, "ECDHE-AES256-CBC-SHA"},
		{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, crypto.SHA256, crypto.SHA256, 32, 16, 0, cbcWith(crypto.SHA256), 16, h256, "ECDHE-AES128-CBC-SHA256"},
		{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, crypto.SHA256, 0, 0, 16, 4, gcm, 8, h256, "RSA-AES128-GCM-SHA256"},
		{tls.TLS_RSA_WITH_AES_256_GCM_SHA384, crypto.SHA384, 0, 0, 32, 4, gcm, 8, h384, "RSA-AES256-GCM-SHA384"},
	}
}

// rpReplayReader returns fixed bytes, then fails.
type rpReplayReader struct{ b []byte }

func (r *rpReplayReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, errors.New("replay reader exhausted")
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// TestRecordsMatchCryptoTLS derives the key block from the master secret
// crypto/tls logged, opens every encrypted record crypto/tls sent (Finished
// and application data, both ways), checks both verify_data values, and
// re-seals each plaintext to the identical bytes (for CBC, with the IV read
// back from the record).
func TestRecordsMatchCryptoTLS(t *testing.T) {
	for _, s := range rpSuites() {
		t.Run(s.name, func(t *testing.T) {
			run := rpRunTLS12(t, s.suite)
			tk := KeyBlock(s.prf, run.master, run.clientRandom, run.serverRandom, s.macLen, s.keyLen, s.ivLen)
			transcript := run.transcript()
			var clientFinished []byte
			for _, side := range []struct {
				name       string
				recs       []rpWireRecord
				key, mac   []byte
				iv         []byte
				data       []byte
				fromClient bool
			}{
				{"client", run.client.encrypted, tk.ClientKey, tk.ClientMAC, tk.ClientIV, run.clientData, true},
				{"server", run.server.encrypted, tk.ServerKey, tk.ServerMAC, tk.ServerIV, run.serverData, false},
			} {
				if len(side.recs) != 2 {
					t.Fatalf("%s sent %d encrypted records, want Finished and data", side.name, len(side.recs))
				}
				opener, err := s.newProt(side.key, side.mac, side.iv, &rpCounterRand{})
				if err != nil {
					t.Fatal(err)
				}
				var plaintexts [][]byte
				for i, r := range side.recs {
					pt, err := opener.Open(r.typ, r.version, bytes.Clone(r.fragment))
					if err != nil {
						t.Fatalf("%s record %d (type %d): %v", side.name, i, r.typ, err)
					}
					plaintexts = append(plaintexts, pt)
				}
				// Finished: handshake header, then verify_data over the
				// transcript so far.
				fin := plaintexts[0]
				th := transcript
				if !side.fromClient {
					th = append(bytes.Clone(transcript), clientFinished...)
				}
				want := FinishedVerifyData(s.prf, run.master, side.fromClient, s.transcriptHash(th))
				if len(fin) != 16 || fin[0] != 20 || !bytes.Equal(fin[4:], want) {
					t.Errorf("%s Finished = %x, want verify_data %x", side.name, fin, want)
				}
				if side.fromClient {
					clientFinished = fin
				}
				if !bytes.Equal(plaintexts[1], side.data) {
					t.Errorf("%s data = %q", side.name, plaintexts[1])
				}
				// Re-seal: same keys, same sequence numbers (and IVs).
				var ivs []byte
				for _, r := range side.recs {
					ivs = append(ivs, r.fragment[:s.explicit]...)
				}
				if s.macHash == 0 {
					ivs = nil
				}
				sealer, err := s.newProt(side.key, side.mac, side.iv, &rpReplayReader{ivs})
				if err != nil {
					t.Fatal(err)
				}
				for i, r := range side.recs {
					got, err := sealer.Seal(nil, r.typ, r.version, plaintexts[i])
					if err != nil {
						t.Fatal(err)
					}
					_, _, frag := rpSplitRecord(t, got)
					if !bytes.Equal(frag, r.fragment) {
						t.Errorf("%s record %d: our Seal = %x,\ncrypto/tls sent %x", side.name, i, frag, r.fragment)
					}
				}
			}
		})
	}
}

// ---- Fuzzing Open against an independent reference ----

// rpRefOpen is an independent, straightforward implementation of Open,
// written in the tests with crypto/cipher and crypto/hmac. ok is false when
// the fragment is not a genuine record.
type rpRefOpen func(seq uint64, typ uint8, version uint16, fragment []byte) (pt []byte, ok bool)

// rpFuzzOpen drives a FuzzOpen target. mode selects how data is used:
//   - top two bits 00: data is the fragment, arbitrary bytes;
//   - 10: data is a plaintext that newP seals first; if the low 14 bits are
//     b > 0, bit b-1 (modulo the fragment's bits) of the fragment is flipped;
//   - 01: if structured is not nil, it builds the fragment from data and the
//     low 14 bits (for CBC: chosen padding behind a valid or invalid MAC).
//
// In every case Open must not panic, must agree with ref, must return
// ErrBadRecordMAC on failure and ErrSequenceExhausted at 2^64-1, and must
// move the sequence number only on success.
func rpFuzzOpen(f *testing.F, newP func() RecordProtection, ref rpRefOpen,
	structured func(seq uint64, typ uint8, version uint16, data []byte, k int) []byte) {
	for i, n := range []int{0, 1, 15, 16, 100, 300} {
		seq := uint64(i * 1000)
		msg := bytes.Repeat([]byte{byte(n)}, n)
		s := newP()
		s.SetSequence(seq)
		rec, err := s.Seal(nil, 23, 0x0303, msg)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seq, uint8(23), uint16(0x0303), rec[5:], uint16(0))
		f.Add(seq, uint8(22), uint16(0x0303), msg, uint16(0x8000))
		f.Add(seq, uint8(21), uint16(0x0303), msg, uint16(0x8000|uint16(n+1)))
		f.Add(seq, uint8(23), uint16(0x0303), msg, uint16(0x4000|uint16(n/2)))
	}
	f.Add(uint64(math.MaxUint64), uint8(23), uint16(0x0303), []byte("x"), uint16(0x8000))
	f.Add(uint64(7), uint8(23), uint16(0x0303), []byte{}, uint16(0))
	f.Fuzz(func(t *testing.T, seq uint64, typ uint8, version uint16, data []byte, mode uint16) {
		frag := data
		sealed := false
		switch mode >> 14 {
		case 2:
			if len(data) > maxPlaintext {
				return
			}
			s := newP()
			s.SetSequence(seq)
			rec, err := s.Seal(nil, typ, version, data)
			if seq == math.MaxUint64 {
				if err != ErrSequenceExhausted {
					t.Fatalf("Seal at 2^64-1: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			frag = rec[5:]
			if b := int(mode & 0x3fff); b > 0 {
				b = (b - 1) % (len(frag) * 8)
				frag[b/8] ^= 1 << (b % 8)
			} else {
				sealed = true
			}
		case 1:
			if structured != nil {
				frag = structured(seq, typ, version, data, int(mode&0x3fff))
			}
		}
		refPT, refOK := ref(seq, typ, version, bytes.Clone(frag))
		p := newP()
		p.SetSequence(seq)
		pt, err := p.Open(typ, version, frag)
		switch {
		case seq == math.MaxUint64:
			if err != ErrSequenceExhausted || p.Sequence() != seq {
				t.Fatalf("Open at 2^64-1: %v", err)
			}
		case !refOK:
			if err != ErrBadRecordMAC || p.Sequence() != seq {
				t.Fatalf("reference rejects, Open = %x, %v, seq %d", pt, err, p.Sequence())
			}
		default:
			if err != nil || !bytes.Equal(pt, refPT) || p.Sequence() != seq+1 {
				t.Fatalf("reference opens to %x, Open = %x, %v, seq %d", refPT, pt, err, p.Sequence())
			}
		}
		if sealed && (err != nil || !bytes.Equal(pt, data)) {
			t.Fatalf("genuine record: Open = %x, %v", pt, err)
		}
	})
}
