package machine_test

import (
	"bytes"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

func countDone(events []machine.EventKind) int {
	n := 0
	for _, e := range events {
		if e == machine.EventHandshakeDone {
			n++
		}
	}
	return n
}

func TestRenegotiationServerInitiated(t *testing.T) {
	ccfg := clientConfig(t, "reneg")
	ccfg.Renegotiation = machine.RenegotiateFreelyAsClient
	pr := newPair(t, ccfg, serverConfig(t, "reneg"))
	pr.handshake()
	for i := range 3 {
		out, err := pr.server.conn.Renegotiate(nil)
		if err != nil {
			t.Fatalf("renegotiation %d: %v (client events %v)", i, err, pr.client.events)
		}
		pr.send(pr.server, out)
		// Data keeps flowing while the renegotiation runs.
		pr.write(pr.client, []byte{byte('a' + i)})
		pr.run()
		if pr.client.err != nil || pr.server.err != nil {
			t.Fatalf("renegotiation %d: client %v, server %v", i, pr.client.err, pr.server.err)
		}
	}
	if got := countDone(pr.client.events); got != 4 {
		t.Fatalf("client saw %d EventHandshakeDone, want 4", got)
	}
	if got := countDone(pr.server.events); got != 4 {
		t.Fatalf("server saw %d EventHandshakeDone, want 4", got)
	}
	pr.write(pr.client, []byte("after"))
	pr.run()
	if string(pr.server.received) != "abcafter" {
		t.Fatalf("server received %q", pr.server.received)
	}
}

func TestRenegotiationClientInitiated(t *testing.T) {
	scfg := serverConfig(t, "reneg-c")
	scfg.AllowClientRenegotiation = true
	pr := newPair(t, clientConfig(t, "reneg-c"), scfg)
	pr.handshake()
	out, err := pr.client.conn.Renegotiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	pr.send(pr.client, out)
	pr.run()
	if pr.client.err != nil || pr.server.err != nil || countDone(pr.client.events) != 2 || countDone(pr.server.events) != 2 {
		t.Fatalf("client %v %v, server %v %v", pr.client.err, pr.client.events, pr.server.err, pr.server.events)
	}
}

func TestRenegotiationRefusedByDefault(t *testing.T) {
	pr := newPair(t, clientConfig(t, "noreneg"), serverConfig(t, "noreneg"))
	pr.handshake()
	out, err := pr.server.conn.Renegotiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	pr.send(pr.server, out)
	pr.run()
	if len(pr.server.alerts) != 1 || pr.server.alerts[0] != machine.AlertNoRenegotiation {
		t.Fatalf("server saw warnings %v, want [no_renegotiation]", pr.server.alerts)
	}
	// The connection is still usable and the server can try again.
	pr.write(pr.client, []byte("still here"))
	pr.write(pr.server, []byte("ok"))
	pr.run()
	if string(pr.server.received) != "still here" || string(pr.client.received) != "ok" {
		t.Fatalf("data after refusal: %q %q", pr.server.received, pr.client.received)
	}
	// A client-initiated renegotiation is refused by a default server.
	out, err = pr.client.conn.Renegotiate(nil)
	if err != nil {
		t.Fatal(err)
	}
	pr.send(pr.client, out)
	pr.run()
	if len(pr.client.alerts) != 1 || pr.client.alerts[0] != machine.AlertNoRenegotiation {
		t.Fatalf("client saw warnings %v, want [no_renegotiation]", pr.client.alerts)
	}
	// The refused client is back to normal: its state is intact and it may
	// ask again.
	if st := pr.client.conn.State(); !st.HandshakeComplete || st.CipherSuite == 0 {
		t.Fatalf("client state after refusal: %+v", st)
	}
	if out, err := pr.client.conn.Renegotiate(nil); err != nil {
		t.Fatalf("second attempt: %v", err)
	} else {
		pr.send(pr.client, out)
	}
	pr.run()
	if len(pr.client.alerts) != 2 || pr.client.err != nil {
		t.Fatalf("second refusal: warnings %v, err %v", pr.client.alerts, pr.client.err)
	}
}

func TestRenegotiateOnceAsClient(t *testing.T) {
	ccfg := clientConfig(t, "once")
	ccfg.Renegotiation = machine.RenegotiateOnceAsClient
	pr := newPair(t, ccfg, serverConfig(t, "once"))
	pr.handshake()
	for range 2 {
		out, err := pr.server.conn.Renegotiate(nil)
		if err != nil {
			t.Fatal(err)
		}
		pr.send(pr.server, out)
		pr.run()
	}
	if countDone(pr.client.events) != 2 || len(pr.server.alerts) != 1 {
		t.Fatalf("events %v, server warnings %v; want one renegotiation then a refusal", pr.client.events, pr.server.alerts)
	}
}

// TestRenegotiationInteropCryptoTLS: crypto/tls as a client accepts our
// server's HelloRequest when configured to.
func (d *netDriver) renegotiated() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.doneEvents >= 2
}

func TestRenegotiationInteropCryptoTLS(t *testing.T) {
	p := getPKI(t)
	cn, sn := net.Pipe()
	defer cn.Close()
	ms, _ := machine.Server(serverConfig(t, "reneg-interop"))
	errc := make(chan error, 1)
	go func() {
		d := newDriver(ms, sn)
		if err := d.handshake(); err != nil {
			errc <- err
			return
		}
		if _, err := d.readN(1); err != nil {
			errc <- err
			return
		}
		// crypto/tls renegotiates inside the Read that finds HelloRequest
		// and refuses application data in the middle of it: send "x" only
		// after the second handshake.
		d.mu.Lock()
		out, err := ms.Renegotiate(nil)
		if err != nil {
			d.mu.Unlock()
			errc <- err
			return
		}
		if err := d.emit(out); err != nil {
			errc <- err
			return
		}
		for !d.renegotiated() {
			if err := d.pump(); err != nil {
				errc <- err
				return
			}
		}
		if err := d.send([]byte("x")); err != nil {
			errc <- err
			return
		}
		got, err := d.readN(1)
		if err == nil && string(got) != "2" {
			err = net.UnknownNetworkError("got " + string(got))
		}
		errc <- err
	}()
	cli := tls.Client(cn, &tls.Config{RootCAs: p.roots, ServerName: "example.com", Time: fixedTime,
		MaxVersion: tls.VersionTLS12, Renegotiation: tls.RenegotiateOnceAsClient})
	cli.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := cli.Write([]byte("1")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	if _, err := cli.Read(buf); err != nil || buf[0] != 'x' {
		t.Fatalf("read %q %v", buf, err)
	}
	if _, err := cli.Write([]byte("2")); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("our server: %v", err)
	}
	if !ms.State().HandshakeComplete || ms.State().CipherSuite == 0 {
		t.Fatal("no handshake state after renegotiation")
	}
}

// TestRenegotiationDetails: regressions found with BoGo.
func TestRenegotiationDetails(t *testing.T) {
	t.Run("no renegotiation after our close_notify", func(t *testing.T) {
		ccfg := clientConfig(t, "late")
		ccfg.Renegotiation = machine.RenegotiateFreelyAsClient
		pr := newPair(t, ccfg, serverConfig(t, "late"))
		pr.handshake()
		pr.close(pr.client)
		sent := len(pr.client.wire)
		out, err := pr.server.conn.Renegotiate(nil)
		if err != nil {
			t.Fatal(err)
		}
		pr.send(pr.server, out)
		pr.run()
		if len(pr.client.wire) != sent {
			t.Fatalf("client sent %d bytes after its close_notify", len(pr.client.wire)-sent)
		}
	})
	t.Run("exporter refuses mid-renegotiation", func(t *testing.T) {
		scfg := serverConfig(t, "exp")
		scfg.AllowClientRenegotiation = true
		pr := newPair(t, clientConfig(t, "exp"), scfg)
		pr.handshake()
		if _, err := pr.client.conn.ExportKeyingMaterial("EXPERIMENTAL x", nil, 16); err != nil {
			t.Fatal(err)
		}
		out, err := pr.client.conn.Renegotiate(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pr.client.conn.ExportKeyingMaterial("EXPERIMENTAL x", nil, 16); !errors.Is(err, machine.ErrNotReady) {
			t.Fatalf("export during renegotiation: %v, want ErrNotReady", err)
		}
		pr.send(pr.client, out)
		pr.run()
		if _, err := pr.client.conn.ExportKeyingMaterial("EXPERIMENTAL x", nil, 16); err != nil {
			t.Fatalf("export after renegotiation: %v", err)
		}
	})
	t.Run("ALPN is kept, not renegotiated", func(t *testing.T) {
		ccfg := clientConfig(t, "alpn")
		ccfg.NextProtos = []string{"h2"}
		ccfg.Renegotiation = machine.RenegotiateOnceAsClient
		scfg := serverConfig(t, "alpn")
		scfg.NextProtos = []string{"h2"}
		pr := newPair(t, ccfg, scfg)
		pr.handshake()
		out, err := pr.server.conn.Renegotiate(nil)
		if err != nil {
			t.Fatal(err)
		}
		pr.send(pr.server, out)
		pr.run()
		if pr.client.err != nil || pr.server.err != nil || countDone(pr.client.events) != 2 {
			t.Fatalf("renegotiation failed: %v / %v", pr.client.err, pr.server.err)
		}
		if got := pr.client.conn.State().NegotiatedProtocol; got != "h2" {
			t.Fatalf("after renegotiation the client reports ALPN %q, want h2", got)
		}
	})
}

func TestSmallRSAKeyRefused(t *testing.T) {
	key, err := rsa.GenerateKey(newRand("small"), 1024)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: testNow, NotAfter: testNow.Add(time.Hour), DNSNames: []string{"example.com"}}
	der, err := x509.CreateCertificate(newRand("small-cert"), tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	_, err = machine.Server(serverConfig(t, "small", machine.Certificate{Chain: [][]byte{der}, PrivateKey: key}))
	if err == nil || !strings.Contains(err.Error(), "1024 bits") {
		t.Fatalf("a server with a 1024-bit RSA certificate: %v, want a key size error", err)
	}
}

// TestRenegotiationPropertyFindings: regressions found by property_test.
func TestRenegotiationPropertyFindings(t *testing.T) {
	t.Run("server keeps ALPN", func(t *testing.T) {
		ccfg := clientConfig(t, "p-alpn")
		ccfg.NextProtos = []string{"h2"}
		ccfg.Renegotiation = machine.RenegotiateOnceAsClient
		scfg := serverConfig(t, "p-alpn")
		scfg.NextProtos = []string{"h2"}
		pr := newPair(t, ccfg, scfg)
		pr.handshake()
		out, _ := pr.server.conn.Renegotiate(nil)
		pr.send(pr.server, out)
		pr.run()
		if got := pr.server.conn.State().NegotiatedProtocol; countDone(pr.server.events) != 2 || got != "h2" {
			t.Fatalf("server after renegotiation: ALPN %q, events %v", got, pr.server.events)
		}
	})
	t.Run("declined renegotiation keeps the exporter", func(t *testing.T) {
		pr := newPair(t, clientConfig(t, "p-exp"), serverConfig(t, "p-exp"))
		pr.handshake()
		out, _ := pr.client.conn.Renegotiate(nil)
		pr.send(pr.client, out)
		pr.run() // the default server declines
		a, err1 := pr.client.conn.ExportKeyingMaterial("EXPERIMENTAL p", nil, 32)
		b, err2 := pr.server.conn.ExportKeyingMaterial("EXPERIMENTAL p", nil, 32)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Fatalf("exporters differ after a declined renegotiation: %v %v", err1, err2)
		}
	})
	t.Run("no answer to a ClientHello after the server's close_notify", func(t *testing.T) {
		scfg := serverConfig(t, "p-close")
		scfg.AllowClientRenegotiation = true
		pr := newPair(t, clientConfig(t, "p-close"), scfg)
		pr.handshake()
		pr.close(pr.server)
		sent := len(pr.server.wire)
		out, _ := pr.client.conn.Renegotiate(nil)
		pr.send(pr.client, out)
		pr.run()
		if len(pr.server.wire) != sent {
			t.Fatalf("server sent %d bytes after its close_notify", len(pr.server.wire)-sent)
		}
	})
}
