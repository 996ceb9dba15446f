package main

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/internal/testkit"
	"github.com/sanstls/sanstls/machine"
)

// These tests play a tiny BoGo runner: they listen on loopback, start the
// shim (in process, through run) with -port and -shim-id, check the shim
// ID, and act as the TLS 1.2 peer with crypto/tls, checking the XOR-0xff
// echo as the real runner does.

// testCert is an ECDSA P-256 certificate for "test" (from a throw-away CA;
// no side here verifies it), as PEM files and as a crypto/tls certificate.
type testCert struct {
	certFile, keyFile string
	tls               tls.Certificate
}

func newTestCert(t *testing.T) testCert {
	t.Helper()
	ca, err := testkit.NewCA("bogo-shim test CA", testkit.CAOptions{})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(testkit.LeafOptions{CommonName: "bogo-shim test", DNSNames: []string{"test"}})
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := testkit.KeyPEM(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := testCert{certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem")}
	certPEM := testkit.CertPEM(leaf.DER)
	if err := os.WriteFile(c.certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	c.tls, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// loopback is one loopback test: the shim's extra flags and the runner's
// side of the connection.
type loopback struct {
	flags  []string
	runner func(conn net.Conn) error
	conns  int // connections to accept (-resume-count + 1); 0 means 1
}

// run starts the fake runner and the shim and returns the shim's exit code
// and stderr, and the runner's error.
func (e loopback) run(t *testing.T) (code int, stderr string, runnerErr error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const shimID = 0x0102030405060708
	done := make(chan error, 1)
	go func() {
		conns := max(e.conns, 1)
		for i := 0; i < conns; i++ {
			if err := e.serve(ln, shimID); err != nil {
				done <- fmt.Errorf("connection %d: %w", i+1, err)
				return
			}
		}
		done <- nil
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	args := append([]string{"-port", port, "-shim-id", strconv.FormatUint(shimID, 10)}, e.flags...)
	code, _, stderr = runShim(args...)
	select {
	case runnerErr = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("runner did not finish")
	}
	return code, stderr, runnerErr
}

// serve accepts one shim connection, checks its shim ID and runs the
// runner's side of it.
func (e loopback) serve(ln net.Listener, shimID uint64) error {
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	var id [8]byte
	if _, err := io.ReadFull(conn, id[:]); err != nil {
		return err
	}
	if got := binary.LittleEndian.Uint64(id[:]); got != shimID {
		return fmt.Errorf("shim ID %#x, want %#x", got, shimID)
	}
	return e.runner(conn)
}

// echoCheck writes a message and checks the shim's XOR-0xff reply.
func echoCheck(c *tls.Conn) error {
	msg := bytes.Repeat([]byte{0x42}, 32)
	if _, err := c.Write(msg); err != nil {
		return err
	}
	reply := make([]byte, len(msg))
	if _, err := io.ReadFull(c, reply); err != nil {
		return err
	}
	for i := range reply {
		if reply[i] != msg[i]^0xff {
			return fmt.Errorf("reply %x is not the XOR-0xff echo of %x", reply, msg)
		}
	}
	return nil
}

func TestLoopbackShimClient(t *testing.T) {
	cert := newTestCert(t)
	code, stderr, rerr := loopback{
		flags: []string{"-expect-curve-id", "23", "-curves", "23", "-expect-peer-signature-algorithm", "1027"},
		runner: func(conn net.Conn) error {
			c := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{cert.tls}, MaxVersion: tls.VersionTLS12})
			if err := c.Handshake(); err != nil {
				return err
			}
			if v := c.ConnectionState().Version; v != tls.VersionTLS12 {
				return fmt.Errorf("version %#x, want TLS 1.2", v)
			}
			if err := echoCheck(c); err != nil {
				return err
			}
			return c.Close()
		},
	}.run(t)
	if code != exitOK || stderr != "" || rerr != nil {
		t.Fatalf("shim exit %d, stderr %q, runner error %v", code, stderr, rerr)
	}
}

func TestLoopbackShimServer(t *testing.T) {
	cert := newTestCert(t)
	for _, async := range []bool{false, true} {
		flags := []string{"-server", "-cert-file", cert.certFile, "-key-file", cert.keyFile,
			"-shim-writes-first", "-select-alpn", "bar", "-expect-server-name", "test",
			"-expect-advertised-alpn", "\x03foo\x03bar", "-require-any-client-certificate"}
		if async {
			flags = append(flags, "-async")
		}
		code, stderr, rerr := loopback{
			flags: flags,
			runner: func(conn net.Conn) error {
				c := tls.Client(conn, &tls.Config{
					InsecureSkipVerify: true, ServerName: "test", NextProtos: []string{"foo", "bar"},
					Certificates: []tls.Certificate{cert.tls}, MaxVersion: tls.VersionTLS12,
				})
				if err := c.Handshake(); err != nil {
					return err
				}
				if p := c.ConnectionState().NegotiatedProtocol; p != "bar" {
					return fmt.Errorf("ALPN %q, want bar", p)
				}
				hello := make([]byte, 5)
				if _, err := io.ReadFull(c, hello); err != nil || string(hello) != "hello" {
					return fmt.Errorf("initial write %q, %v", hello, err)
				}
				if err := echoCheck(c); err != nil {
					return err
				}
				return c.Close()
			},
		}.run(t)
		if code != exitOK || stderr != "" || rerr != nil {
			t.Fatalf("async=%v: shim exit %d, stderr %q, runner error %v", async, code, stderr, rerr)
		}
	}
}

func TestLoopbackExportKeyingMaterial(t *testing.T) {
	cert := newTestCert(t)
	code, stderr, rerr := loopback{
		flags: []string{"-export-keying-material", "20", "-export-label", "EXPERIMENTAL-bogo",
			"-export-context", "ctx", "-use-export-context"},
		runner: func(conn net.Conn) error {
			c := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{cert.tls}, MaxVersion: tls.VersionTLS12})
			if err := c.Handshake(); err != nil {
				return err
			}
			got := make([]byte, 20)
			if _, err := io.ReadFull(c, got); err != nil {
				return err
			}
			st := c.ConnectionState()
			want, err := st.ExportKeyingMaterial("EXPERIMENTAL-bogo", []byte("ctx"), 20)
			if err != nil {
				return err
			}
			if !bytes.Equal(got, want) {
				return fmt.Errorf("keying material %x, want %x", got, want)
			}
			return c.Close()
		},
	}.run(t)
	if code != exitOK || stderr != "" || rerr != nil {
		t.Fatalf("shim exit %d, stderr %q, runner error %v", code, stderr, rerr)
	}
}

func TestLoopbackShimShutsDown(t *testing.T) {
	cert := newTestCert(t)
	code, stderr, rerr := loopback{
		flags: []string{"-shim-shuts-down", "-check-close-notify"},
		runner: func(conn net.Conn) error {
			c := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{cert.tls}, MaxVersion: tls.VersionTLS12})
			if err := c.Handshake(); err != nil {
				return err
			}
			// crypto/tls reports the shim's close_notify as io.EOF.
			if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				return fmt.Errorf("read after shim shutdown = %d, %v; want close_notify", n, err)
			}
			return c.Close() // our close_notify completes the shim's shutdown
		},
	}.run(t)
	if code != exitOK || stderr != "" || rerr != nil {
		t.Fatalf("shim exit %d, stderr %q, runner error %v", code, stderr, rerr)
	}
}

func TestLoopbackNoSharedCipher(t *testing.T) {
	cert := newTestCert(t)
	code, stderr, rerr := loopback{
		flags: []string{"-server", "-cert-file", cert.certFile, "-key-file", cert.keyFile,
			"-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"},
		runner: func(conn net.Conn) error {
			c := tls.Client(conn, &tls.Config{
				InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12,
				CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384},
			})
			return c.Handshake()
		},
	}.run(t)
	if code != exitFailure || !strings.Contains(stderr, ":NO_SHARED_CIPHER:") {
		t.Errorf("shim exit %d, stderr %q; want 1 and :NO_SHARED_CIPHER:", code, stderr)
	}
	if rerr == nil || !strings.Contains(rerr.Error(), "handshake failure") {
		t.Errorf("runner error %v, want the shim's handshake_failure alert", rerr)
	}
}

func TestLoopbackVerifyFail(t *testing.T) {
	cert := newTestCert(t)
	code, stderr, rerr := loopback{
		flags: []string{"-verify-peer", "-verify-fail"},
		runner: func(conn net.Conn) error {
			c := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{cert.tls}, MaxVersion: tls.VersionTLS12})
			return c.Handshake()
		},
	}.run(t)
	if code != exitFailure || !strings.Contains(stderr, ":CERTIFICATE_VERIFY_FAILED:") {
		t.Errorf("shim exit %d, stderr %q; want 1 and :CERTIFICATE_VERIFY_FAILED:", code, stderr)
	}
	if rerr == nil || !strings.Contains(rerr.Error(), "handshake failure") {
		t.Errorf("runner error %v, want the shim's handshake_failure alert", rerr)
	}
}

func TestLoopbackExpectationMismatch(t *testing.T) {
	cert := newTestCert(t)
	code, stderr, _ := loopback{
		flags: []string{"-advertise-alpn", "\x03foo", "-expect-alpn", "foo"},
		runner: func(conn net.Conn) error {
			// The server declines ALPN, so -expect-alpn must fail.
			c := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{cert.tls}, MaxVersion: tls.VersionTLS12})
			if err := c.Handshake(); err != nil {
				return err
			}
			_, err := c.Read(make([]byte, 1))
			return err
		},
	}.run(t)
	if code != exitFailure || !strings.Contains(stderr, "negotiated alpn proto mismatch") {
		t.Errorf("shim exit %d, stderr %q; want 1 and an ALPN mismatch", code, stderr)
	}
}

func TestLoopbackResumption(t *testing.T) {
	cert := newTestCert(t)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert.tls}, MaxVersion: tls.VersionTLS12}
	n := 0
	code, stderr, rerr := loopback{
		// crypto/tls servers send a fresh ticket on resumption too.
		flags: []string{"-resume-count", "1", "-on-resume-expect-ticket-renewal"},
		conns: 2,
		runner: func(conn net.Conn) error {
			n++
			c := tls.Server(conn, cfg)
			if err := c.Handshake(); err != nil {
				return err
			}
			if resumed := c.ConnectionState().DidResume; resumed != (n == 2) {
				return fmt.Errorf("DidResume = %v on connection %d", resumed, n)
			}
			if err := echoCheck(c); err != nil {
				return err
			}
			return c.Close()
		},
	}.run(t)
	if code != exitOK || stderr != "" || rerr != nil {
		t.Fatalf("shim exit %d, stderr %q, runner error %v", code, stderr, rerr)
	}
}

// machinePeer plays the runner with a machine.Conn, for what crypto/tls
// cannot do: a server that asks for renegotiation.
type machinePeer struct {
	conn net.Conn
	mc   *machine.Conn
	in   []byte
	buf  [4096]byte
}

// pump feeds the machine until stop accepts an event. It returns the
// application data received on the way.
func (p *machinePeer) pump(stop func(machine.Event) bool) ([]byte, error) {
	var app []byte
	for {
		out, n, err := p.mc.Receive(nil, p.in)
		if len(out) > 0 {
			if _, werr := p.conn.Write(out); werr != nil {
				return app, werr
			}
		}
		p.in = p.in[n:]
		if err != nil {
			return app, err
		}
		stopped := false
		for ev := p.mc.NextEvent(); ev.Kind != machine.EventNone; ev = p.mc.NextEvent() {
			if ev.Kind == machine.EventAppData {
				app = append(app, ev.Data...)
			}
			stopped = stopped || stop(ev)
		}
		if stopped {
			return app, nil
		}
		if n > 0 {
			continue
		}
		m, err := p.conn.Read(p.buf[:])
		if err != nil {
			return app, err
		}
		p.in = append(p.in, p.buf[:m]...)
	}
}

// renegotiatingServer is a runner that completes a handshake, asks the
// shim to renegotiate once, and then checks the echo.
func renegotiatingServer(t *testing.T, cert testCert) func(net.Conn) error {
	certPEM, err := os.ReadFile(cert.certFile)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := os.ReadFile(cert.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	mcert, err := machine.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return func(conn net.Conn) error {
		mc, err := machine.Server(&machine.Config{Rand: rand.Reader, Time: time.Now, Certificates: []machine.Certificate{mcert}})
		if err != nil {
			return err
		}
		p := &machinePeer{conn: conn, mc: mc}
		isDone := func(ev machine.Event) bool { return ev.Kind == machine.EventHandshakeDone }
		if _, err := p.pump(isDone); err != nil {
			return fmt.Errorf("handshake: %w", err)
		}
		out, err := mc.Renegotiate(nil)
		if err != nil {
			return err
		}
		if _, err := conn.Write(out); err != nil {
			return err
		}
		var refused bool
		if _, err := p.pump(func(ev machine.Event) bool {
			refused = ev.Kind == machine.EventWarningAlert && ev.Alert == machine.AlertNoRenegotiation
			return refused || isDone(ev)
		}); err != nil {
			return fmt.Errorf("renegotiation: %w", err)
		}
		if refused {
			return errRefusedByShim
		}
		if n := mc.State().Renegotiations; n != 1 {
			return fmt.Errorf("%d renegotiations, want 1", n)
		}
		msg := bytes.Repeat([]byte{0x42}, 32)
		out, err = mc.Send(nil, msg)
		if err != nil {
			return err
		}
		if _, err := conn.Write(out); err != nil {
			return err
		}
		var reply []byte
		for len(reply) < len(msg) {
			got, err := p.pump(func(ev machine.Event) bool { return ev.Kind == machine.EventAppData })
			if err != nil {
				return fmt.Errorf("echo: %w", err)
			}
			reply = append(reply, got...)
		}
		for i := range msg {
			if reply[i] != msg[i]^0xff {
				return fmt.Errorf("reply %x is not the XOR-0xff echo of %x", reply, msg)
			}
		}
		_, err = conn.Write(mc.Close(nil))
		return err
	}
}

var errRefusedByShim = errors.New("the shim refused to renegotiate")

func TestLoopbackRenegotiation(t *testing.T) {
	cert := newTestCert(t)
	for _, async := range []bool{false, true} {
		// The peer offers no resumption, hence -expect-no-session.
		flags := []string{"-renegotiate-freely", "-expect-total-renegotiations", "1", "-expect-no-session"}
		if async {
			flags = append(flags, "-async")
		}
		code, stderr, rerr := loopback{flags: flags, runner: renegotiatingServer(t, cert)}.run(t)
		if code != exitOK || stderr != "" || rerr != nil {
			t.Fatalf("async=%v: shim exit %d, stderr %q, runner error %v", async, code, stderr, rerr)
		}
	}
	// Counting matters: the same exchange fails -expect-total-renegotiations 0.
	code, stderr, _ := loopback{flags: []string{"-renegotiate-once", "-expect-no-session"}, runner: renegotiatingServer(t, cert)}.run(t)
	if code != exitFailure || !strings.Contains(stderr, "Expected 0 renegotiations, got 1") {
		t.Errorf("shim exit %d, stderr %q; want a renegotiation count mismatch", code, stderr)
	}
}

func TestLoopbackRenegotiationRefused(t *testing.T) {
	cert := newTestCert(t)
	code, stderr, rerr := loopback{flags: []string{"-expect-no-session"}, runner: renegotiatingServer(t, cert)}.run(t)
	if code != exitFailure || !strings.Contains(stderr, ":NO_RENEGOTIATION:") {
		t.Errorf("shim exit %d, stderr %q; want 1 and :NO_RENEGOTIATION:", code, stderr)
	}
	if !errors.Is(rerr, errRefusedByShim) {
		t.Errorf("runner error %v, want the shim's no_renegotiation warning", rerr)
	}
}
