package wasm

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// handshake runs a full handshake between a client and a server of m (or of
// two modules) in chunks of at most chunk bytes.
func handshake(t *testing.T, cm, sm *Module, chunk int) (client, server *endpoint) {
	t.Helper()
	pki := loadPKI(t)
	client = newEndpoint(t, cm, true, pki.client())
	server = newEndpoint(t, sm, false, pki.server())
	exchange(t, client, server, client.start(), nil, chunk)
	if client.code != 0 || server.code != 0 {
		t.Fatalf("handshake failed: client %d %q, server %d %q", client.code, client.text, server.code, server.text)
	}
	return client, server
}

func TestHandshakeAndData(t *testing.T) {
	for _, tc := range []struct {
		name       string
		chunk      int
		twoModules bool
	}{
		{"whole flights", 1 << 20, false},
		{"one byte at a time", 1, false},
		{"seven bytes at a time", 7, false},
		{"two modules", 1 << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cm := newTestModule()
			sm := cm
			if tc.twoModules {
				sm = newTestModule()
			}
			client, server := handshake(t, cm, sm, tc.chunk)
			pki := loadPKI(t)

			cs, ss := client.state(), server.state()
			if !cs.HandshakeComplete || !ss.HandshakeComplete {
				t.Fatalf("handshake_complete: client %v, server %v", cs.HandshakeComplete, ss.HandshakeComplete)
			}
			if cs.CipherSuite == "" || cs.CipherSuite != ss.CipherSuite {
				t.Errorf("cipher suites: client %q, server %q", cs.CipherSuite, ss.CipherSuite)
			}
			if cs.ALPN != "http/1.1" || ss.ALPN != "http/1.1" {
				t.Errorf("ALPN: client %q, server %q; want http/1.1", cs.ALPN, ss.ALPN)
			}
			if ss.ServerName != "a.test" {
				t.Errorf("server saw SNI %q, want a.test", ss.ServerName)
			}
			if len(cs.PeerCertificates) != 1 || !bytes.Equal(cs.PeerCertificates[0], pki.leaf.Raw) {
				t.Errorf("client's peer_certificates do not hold the server leaf")
			}
			if cs.Version != 0x0303 || !cs.ExtendedMasterSecret || !cs.SecureRenegotiation {
				t.Errorf("client state %+v: want TLS 1.2 with EMS and RI", cs)
			}

			request := []byte("GET / HTTP/1.1\r\n\r\n")
			response := make([]byte, 40000) // three records
			rand.Read(response)
			exchange(t, client, server, client.send(request), server.send(response), tc.chunk)
			if !bytes.Equal(server.received, request) {
				t.Errorf("server received %q, want %q", server.received, request)
			}
			if !bytes.Equal(client.received, response) {
				t.Errorf("client received %d bytes, not the %d sent", len(client.received), len(response))
			}

			exchange(t, client, server, client.close(), server.close(), tc.chunk)
			for _, e := range []*endpoint{client, server} {
				want := []int32{EventHandshakeDone, EventPeerClosed}
				if !slices.Equal(e.events, want) {
					t.Errorf("events %v, want %v", e.events, want)
				}
				if rc := e.m.ReceiveEOF(e.h); rc != CodeOK {
					t.Errorf("ReceiveEOF: %d: %s", rc, e.m.Text())
				}
				if rc := e.m.Destroy(e.h); rc != CodeOK {
					t.Errorf("Destroy: %d", rc)
				}
			}
			if tc.chunk == 1 && client.maxNeed == 0 {
				t.Error("NeedBytes never reported a partial record under 1-byte chunks")
			}
		})
	}
}

func TestTwoModulesAreIndependent(t *testing.T) {
	a, b := newTestModule(), newTestModule()
	pki := loadPKI(t)
	ha := create(t, a, true, pki.client())
	if rc := b.Start(ha); rc != CodeBadHandle {
		t.Fatalf("module b accepted module a's handle: %d", rc)
	}
	p := a.Alloc(16)
	if _, err := b.Memory(p, 16); err == nil {
		t.Fatal("module b accepted a buffer lent by module a")
	}
}

func TestMutualTLS(t *testing.T) {
	pki := loadPKI(t)
	m := newTestModule()
	scfg := pki.server()
	scfg.ClientAuth, scfg.RootsPEM = "require_and_verify", pki.caPEM

	ccfg := pki.client()
	ccfg.CertPEM, ccfg.KeyPEM = pki.leafPEM, pki.keyPEM
	client, server := newEndpoint(t, m, true, ccfg), newEndpoint(t, m, false, scfg)
	exchange(t, client, server, client.start(), nil, 1<<20)
	if client.code != 0 || server.code != 0 {
		t.Fatalf("client %d %q, server %d %q", client.code, client.text, server.code, server.text)
	}
	if pc := server.state().PeerCertificates; len(pc) != 1 || !bytes.Equal(pc[0], pki.leaf.Raw) {
		t.Fatalf("server's peer_certificates: %d certificates, want the client leaf", len(pc))
	}

	// Without a client certificate the server refuses.
	client, server = newEndpoint(t, m, true, pki.client()), newEndpoint(t, m, false, scfg)
	exchange(t, client, server, client.start(), nil, 1<<20)
	alert, remote, ok := DecodeAlert(server.code)
	if !ok || remote {
		t.Fatalf("server code %d (%q): want a local alert", server.code, server.text)
	}
	if client.code != AlertCode(alert, true) {
		t.Fatalf("client code %d, want the server's alert %v as remote", client.code, alert)
	}
}

func TestExpiredCertificate(t *testing.T) {
	pki := loadPKI(t)
	m := newTestModule()
	client, server := newEndpoint(t, m, true, pki.client()), newEndpoint(t, m, false, pki.server())
	expired := pki.leaf.NotAfter.Add(24 * time.Hour)
	client.mustOK("SetTime", m.SetTime(client.h, expired.UnixMilli()))

	c2s := client.start()
	s2c := server.feed(c2s)
	alertOut := client.feed(s2c)
	want := AlertCode(machine.AlertCertificateExpired, false)
	if client.code != want {
		t.Fatalf("client code %d (%q), want %d", client.code, client.text, want)
	}
	if !strings.Contains(client.text, "expired") {
		t.Errorf("client text %q does not say why", client.text)
	}
	// The output of the failing call is the fatal alert record (RFC 5246,
	// Section 7.2): content type 21, TLS 1.2, length 2, fatal, description.
	wantRecord := []byte{21, 3, 3, 0, 2, 2, byte(machine.AlertCertificateExpired)}
	if !bytes.Equal(alertOut, wantRecord) {
		t.Errorf("alert output %x, want %x", alertOut, wantRecord)
	}
	server.feed(alertOut)
	if server.code != AlertCode(machine.AlertCertificateExpired, true) {
		t.Errorf("server code %d (%q), want the remote alert", server.code, server.text)
	}
	// The error is sticky and every call repeats it, producing nothing.
	if rc := m.Close(client.h); rc != want || m.OutLen(client.h) != 0 {
		t.Errorf("Close after failure: %d with %d bytes out", rc, m.OutLen(client.h))
	}
	p, n := put(t, m, []byte("x"))
	if rc := m.Send(client.h, p, n); rc != want {
		t.Errorf("Send after failure: %d", rc)
	}

	// Back on the module clock, a new client succeeds.
	client, server = newEndpoint(t, m, true, pki.client()), newEndpoint(t, m, false, pki.server())
	client.mustOK("SetTime", m.SetTime(client.h, expired.UnixMilli()))
	client.mustOK("SetTime", m.SetTime(client.h, 0))
	exchange(t, client, server, client.start(), nil, 1<<20)
	if client.code != 0 {
		t.Fatalf("after SetTime(0): %d %q", client.code, client.text)
	}
}

func TestWarningAlertEvent(t *testing.T) {
	pki := loadPKI(t)
	m := newTestModule()
	server := newEndpoint(t, m, false, pki.server())
	// A plaintext warning user_canceled alert (RFC 5246, Section 7.2),
	// which the machine reports and survives.
	server.feed([]byte{21, 3, 3, 0, 2, 1, byte(machine.AlertUserCanceled)})
	if server.code != 0 {
		t.Fatalf("server failed: %d %q", server.code, server.text)
	}
	if len(server.alerts) != 1 || server.alerts[0] != int32(machine.AlertUserCanceled) {
		t.Fatalf("events %v alerts %v: want one EventWarningAlert user_canceled", server.events, server.alerts)
	}
	// Other events report no alert.
	client := newEndpoint(t, m, true, pki.client())
	exchange(t, client, server, client.start(), nil, 1<<20)
	if len(client.events) == 0 || client.events[0] != EventHandshakeDone || m.EventAlert(client.h) != 0 {
		t.Fatalf("client events %v, EventAlert %d", client.events, m.EventAlert(client.h))
	}
}

func TestMisuse(t *testing.T) {
	pki := loadPKI(t)
	m := newTestModule()
	client := create(t, m, true, pki.client())
	server := create(t, m, false, pki.server())
	msg, n := put(t, m, []byte("too early"))

	checks := []struct {
		name string
		got  int32
		want int32
	}{
		{"Send before handshake", m.Send(client, msg, n), CodeNotReady},
		{"Start on a server", m.Start(server), CodeWrongState},
		{"Receive before Start", m.Receive(client, msg, n), CodeWrongState},
		{"Start", m.Start(client), CodeOK},
		{"Start twice", m.Start(client), CodeWrongState},
		{"Receive from an unlent address", m.Receive(client, msg+uintptr(n), 4), CodeBadBuffer},
		{"Receive past the buffer end", m.Receive(client, msg+1, n), CodeBadBuffer},
		{"Receive a negative length", m.Receive(client, msg, -1), CodeBadBuffer},
		{"Send from an unlent address", m.Send(client, 8, 1), CodeBadBuffer},
		{"Free inside a buffer", m.Free(msg + 1), CodeBadBuffer},
		{"Client with an unlent config", m.Client(8, 10), CodeBadBuffer},
		{"unknown handle", m.Start(12345), CodeBadHandle},
		{"handle 0", m.NextEvent(0), CodeBadHandle},
		{"OutLen of an unknown handle", m.OutLen(-3), CodeBadHandle},
		{"EventLen of an unknown handle", m.EventLen(-3), CodeBadHandle},
		{"EventAlert of an unknown handle", m.EventAlert(-3), CodeBadHandle},
		{"NeedBytes of an unknown handle", m.NeedBytes(-3), CodeBadHandle},
		{"State of an unknown handle", m.State(-3), CodeBadHandle},
		{"SetTime of an unknown handle", m.SetTime(-3, 1), CodeBadHandle},
		{"Receive on an unknown handle", m.Receive(-3, msg, n), CodeBadHandle},
		{"Send on an unknown handle", m.Send(-3, msg, n), CodeBadHandle},
		{"Close on an unknown handle", m.Close(-3), CodeBadHandle},
		{"ReceiveEOF on an unknown handle", m.ReceiveEOF(-3), CodeBadHandle},
		{"Destroy", m.Destroy(server), CodeOK},
		{"Destroy twice", m.Destroy(server), CodeBadHandle},
		{"use after Destroy", m.Start(server), CodeBadHandle},
		{"ReceiveEOF without close_notify", m.ReceiveEOF(client), CodeTruncated},
		{"Receive after truncation", m.Receive(client, msg, n), CodeTruncated},
		{"Free", m.Free(msg), CodeOK},
		{"Free twice", m.Free(msg), CodeBadBuffer},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, c.got, c.want)
		}
	}
	if m.OutPtr(-3) != 0 || m.EventPtr(-3) != 0 || m.Out(-3) != nil || m.EventData(-3) != nil {
		t.Error("views of an unknown handle are not empty")
	}
	if !strings.Contains(string(m.Text()), "unknown or destroyed handle") {
		t.Errorf("text register %q does not describe the last failure", m.Text())
	}
	if m.TextPtr() != addrOf(m.Text()) || m.TextLen() != int32(len(m.Text())) {
		t.Error("text view does not match Text")
	}
	if p := m.Alloc(0); p != 0 {
		t.Errorf("Alloc(0) = %#x, want 0", p)
	}
	if p := m.Alloc(MaxBufferSize + 1); p != 0 || !strings.Contains(string(m.Text()), "MaxBufferSize") {
		t.Errorf("Alloc(MaxBufferSize+1) = %#x, text %q", p, m.Text())
	}
}

func TestCreateErrors(t *testing.T) {
	pki := loadPKI(t)
	m := newTestModule()
	raw := func(doc string) (int32, string) {
		p, n := put(t, m, []byte(doc))
		defer free(t, m, p)
		return m.Client(p, n), string(m.Text())
	}
	if h, text := raw(`{"server_name": 7}`); h != CodeBadConfig || !strings.Contains(text, "server_name") {
		t.Errorf("mistyped JSON: %d %q", h, text)
	}
	// The machine's own check: a client must name its server.
	noName := pki.client()
	noName.ServerName = ""
	if h, text := tryCreate(t, m, true, noName); h != CodeBadConfig || !strings.Contains(text, "ServerName") {
		t.Errorf("client without server_name: %d %q", h, text)
	}
	if h, _ := tryCreate(t, m, false, HostConfig{}); h != CodeBadConfig {
		t.Errorf("server without certificate: %d", h)
	}
}

func TestHandleLimit(t *testing.T) {
	pki := loadPKI(t)
	m := newTestModule()
	doc, err := json.Marshal(pki.client())
	if err != nil {
		t.Fatal(err)
	}
	p, n := put(t, m, doc)
	var first int32
	for i := 0; i < MaxHandles; i++ {
		h := m.Client(p, n)
		if h <= 0 {
			t.Fatalf("client %d: %d %s", i, h, m.Text())
		}
		if i == 0 {
			first = h
		}
	}
	if h := m.Client(p, n); h != CodeLimit {
		t.Fatalf("client beyond MaxHandles: %d", h)
	}
	if rc := m.Destroy(first); rc != CodeOK {
		t.Fatal(rc)
	}
	if h := m.Client(p, n); h <= 0 {
		t.Fatalf("after Destroy: %d %s", h, m.Text())
	}
}

func TestLargeOutputIsNotRetained(t *testing.T) {
	m := newTestModule()
	client, server := handshake(t, m, m, 1<<20)
	big := make([]byte, 4*maxRetainedOut)
	out := client.send(big)
	if len(out) <= len(big) {
		t.Fatalf("Send produced %d bytes for %d", len(out), len(big))
	}
	s, err := m.conns.get(client.h)
	if err != nil {
		t.Fatal(err)
	}
	small := client.send([]byte("x"))
	if cap(s.out) > maxRetainedOut {
		t.Errorf("output buffer of %d bytes kept after a large send", cap(s.out))
	}
	exchange(t, client, server, append(out, small...), nil, 1<<20)
	if len(server.received) != len(big)+1 {
		t.Errorf("server received %d bytes, want %d", len(server.received), len(big)+1)
	}
}
