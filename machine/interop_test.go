package machine_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// netDriver runs a machine.Conn over a net.Conn, blocking, for interop
// tests against crypto/tls. mu guards the machine; wmu orders writes: bytes
// produced under mu are written before mu's next holder can write.
type netDriver struct {
	mu, wmu    sync.Mutex
	c          *machine.Conn
	nc         net.Conn
	in         []byte
	buf        []byte
	data       []byte // received application data not yet returned
	eof        bool
	doneEvents int // EventHandshakeDone count
}

func newDriver(c *machine.Conn, nc net.Conn) *netDriver {
	return &netDriver{c: c, nc: nc, buf: make([]byte, 64<<10)}
}

// emit writes out, which was produced while d.mu was held; it releases d.mu.
func (d *netDriver) emit(out []byte) error {
	if len(out) == 0 {
		d.mu.Unlock()
		return nil
	}
	d.wmu.Lock()
	d.mu.Unlock()
	defer d.wmu.Unlock()
	_, err := d.nc.Write(out)
	return err
}

// pump reads once from the network and processes every complete record.
func (d *netDriver) pump() error {
	n, rerr := d.nc.Read(d.buf)
	d.mu.Lock()
	d.in = append(d.in, d.buf[:n]...)
	var out []byte
	var err error
	for {
		var used int
		out, used, err = d.c.Receive(out, d.in)
		d.in = d.in[used:]
		gotEvent := false
		for ev := d.c.NextEvent(); ev.Kind != machine.EventNone; ev = d.c.NextEvent() {
			gotEvent = true
			switch ev.Kind {
			case machine.EventAppData:
				d.data = append(d.data, ev.Data...)
			case machine.EventPeerClosed:
				d.eof = true
			case machine.EventHandshakeDone:
				d.doneEvents++
			}
		}
		if err != nil || (used == 0 && !gotEvent) {
			break
		}
	}
	if err == nil && rerr == io.EOF {
		err = d.c.ReceiveEOF()
		d.eof = true
	} else if err == nil && rerr != nil {
		err = rerr
	}
	if werr := d.emit(out); werr != nil && err == nil {
		err = werr
	}
	return err
}

func (d *netDriver) handshake() error {
	d.mu.Lock()
	out, err := d.c.Start(nil)
	if err != nil && !errors.Is(err, machine.ErrWrongState) {
		d.mu.Unlock()
		return err
	}
	if err := d.emit(out); err != nil {
		return err
	}
	for !d.done() {
		if err := d.pump(); err != nil {
			return err
		}
		if d.eof {
			return io.ErrUnexpectedEOF
		}
	}
	return nil
}

func (d *netDriver) done() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.c.HandshakeComplete()
}

func (d *netDriver) send(p []byte) error {
	d.mu.Lock()
	out, err := d.c.Send(nil, p)
	if err != nil {
		d.mu.Unlock()
		return err
	}
	return d.emit(out)
}

// readN reads exactly n bytes of application data.
func (d *netDriver) readN(n int) ([]byte, error) {
	for {
		d.mu.Lock()
		if len(d.data) >= n {
			out := d.data[:n]
			d.data = d.data[n:]
			d.mu.Unlock()
			return out, nil
		}
		eof := d.eof
		d.mu.Unlock()
		if eof {
			return nil, io.ErrUnexpectedEOF
		}
		if err := d.pump(); err != nil {
			return nil, err
		}
	}
}

func (d *netDriver) close() error {
	d.mu.Lock()
	return d.emit(d.c.Close(nil))
}

func tlsServerConfig(t testing.TB, certs ...tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: certs,
		MaxVersion:   tls.VersionTLS12,
		MinVersion:   tls.VersionTLS12,
		Time:         fixedTime,
		NextProtos:   []string{"h2", "http/1.1"},
	}
}

const interopBytes = 1 << 20

// TestInteropCryptoTLSServer runs our client against crypto/tls servers.
func TestInteropCryptoTLSServer(t *testing.T) {
	p := getPKI(t)
	for _, suite := range machine.DefaultCipherSuites() {
		for _, group := range []machine.Group{machine.X25519, machine.CurveP256, machine.CurveP384} {
			name := machine.CipherSuiteName(suite)
			cert := p.tlsECDSA
			if strings.Contains(name, "_RSA_") {
				cert = p.tlsRSA
			}
			t.Run(fmt.Sprintf("%s/%v", name, group), func(t *testing.T) {
				cn, sn := net.Pipe()
				defer cn.Close()
				scfg := tlsServerConfig(t, cert)
				scfg.CipherSuites = []uint16{suite}
				srv := tls.Server(sn, scfg)
				done := make(chan error, 1)
				go func() { done <- echoServer(srv) }()

				ccfg := clientConfig(t, "interop")
				ccfg.CipherSuites = []uint16{suite}
				ccfg.Groups = []machine.Group{group, machine.CurveP256}
				ccfg.NextProtos = []string{"http/1.1"}
				mc, err := machine.Client(ccfg)
				if err != nil {
					t.Fatal(err)
				}
				d := newDriver(mc, cn)
				cn.SetDeadline(time.Now().Add(20 * time.Second))
				if err := d.handshake(); err != nil {
					t.Fatalf("handshake: %v", err)
				}
				st := mc.State()
				if st.CipherSuite != suite || st.Group != group || st.NegotiatedProtocol != "http/1.1" {
					t.Errorf("negotiated %#x %v %q", st.CipherSuite, st.Group, st.NegotiatedProtocol)
				}
				checkEcho(t, d)
				if err := <-done; err != nil {
					t.Errorf("crypto/tls server: %v", err)
				}
			})
		}
	}
}

// echoServer echoes until the client closes, then closes cleanly.
func echoServer(c net.Conn) error {
	defer c.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func checkEcho(t *testing.T, d *netDriver) {
	t.Helper()
	payload := make([]byte, interopBytes)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	errc := make(chan error, 1)
	go func() {
		for off := 0; off < len(payload); off += 50000 {
			end := min(off+50000, len(payload))
			if err := d.send(payload[off:end]); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	got, err := d.readN(len(payload))
	if err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("send: %v", err)
	}
	if sha256.Sum256(got) != sha256.Sum256(payload) {
		t.Fatal("echoed data differs")
	}
	if err := d.close(); err != nil {
		t.Fatal(err)
	}
	for !d.eof {
		if err := d.pump(); err != nil {
			t.Fatalf("waiting for close_notify: %v", err)
		}
	}
}

// TestInteropCryptoTLSClient runs crypto/tls clients against our server.
func TestInteropCryptoTLSClient(t *testing.T) {
	p := getPKI(t)
	for _, suite := range machine.DefaultCipherSuites() {
		for _, group := range []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384} {
			name := machine.CipherSuiteName(suite)
			t.Run(fmt.Sprintf("%s/%v", name, group), func(t *testing.T) {
				cn, sn := net.Pipe()
				defer sn.Close()
				scfg := serverConfig(t, "interop", p.ecdsa, p.rsa)
				scfg.NextProtos = []string{"h2", "http/1.1"}
				scfg.Groups = []machine.Group{machine.Group(group)}
				ms, err := machine.Server(scfg)
				if err != nil {
					t.Fatal(err)
				}
				ccfg := &tls.Config{
					RootCAs: p.roots, ServerName: "example.com", Time: fixedTime,
					MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite},
					// P-256 stays listed: the ECDSA certificate's curve must be
					// supported by the client (RFC 8422, Section 5.1).
					CurvePreferences: []tls.CurveID{group, tls.CurveP256}, NextProtos: []string{"h2"},
				}
				cli := tls.Client(cn, ccfg)
				cli.SetDeadline(time.Now().Add(20 * time.Second))
				sn.SetDeadline(time.Now().Add(20 * time.Second))
				errc := make(chan error, 1)
				go func() {
					d := newDriver(ms, sn)
					if err := d.handshake(); err != nil {
						errc <- err
						return
					}
					for !d.eof {
						if err := d.pump(); err != nil {
							errc <- err
							return
						}
						if len(d.data) > 0 {
							if err := d.send(d.data); err != nil {
								errc <- err
								return
							}
							d.data = d.data[:0]
						}
					}
					errc <- d.close()
				}()
				if err := cli.Handshake(); err != nil {
					t.Fatalf("crypto/tls handshake: %v", err)
				}
				st := cli.ConnectionState()
				if st.CipherSuite != suite || st.NegotiatedProtocol != "h2" || st.CurveID != group {
					t.Errorf("crypto/tls negotiated %#x %q %v", st.CipherSuite, st.NegotiatedProtocol, st.CurveID)
				}
				payload := bytes.Repeat([]byte("0123456789abcdef"), interopBytes/16)
				go func() { cli.Write(payload); cli.CloseWrite() }()
				got, err := io.ReadAll(cli)
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				if !bytes.Equal(got, payload) {
					t.Fatalf("echo mismatch: %d bytes", len(got))
				}
				if err := <-errc; err != nil {
					t.Fatalf("our server: %v", err)
				}
			})
		}
	}
}

// TestInteropCryptoTLSClientAuth: client certificates both ways.
func TestInteropCryptoTLSClientAuth(t *testing.T) {
	p := getPKI(t)
	cn, sn := net.Pipe()
	defer cn.Close()
	scfg := tlsServerConfig(t, p.tlsECDSA)
	scfg.ClientAuth = tls.RequireAndVerifyClientCert
	scfg.ClientCAs = p.roots
	srv := tls.Server(sn, scfg)
	done := make(chan error, 1)
	go func() { done <- echoServer(srv) }()
	ccfg := clientConfig(t, "cauth")
	ccfg.Certificates = []machine.Certificate{p.client}
	mc, _ := machine.Client(ccfg)
	d := newDriver(mc, cn)
	cn.SetDeadline(time.Now().Add(20 * time.Second))
	if err := d.handshake(); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if err := d.send([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	if got, err := d.readN(4); err != nil || string(got) != "ping" {
		t.Fatalf("echo: %q %v", got, err)
	}
	if n := len(srv.ConnectionState().PeerCertificates); n != 2 {
		t.Fatalf("crypto/tls server saw %d client certificates, want 2", n)
	}
	d.close()
	for !d.eof {
		if err := d.pump(); err != nil {
			t.Fatalf("waiting for close_notify: %v", err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
}

// TestInteropBadRoot: a client that does not trust the server's CA fails
// with unknown_ca and crypto/tls sees that alert.
func TestInteropBadRoot(t *testing.T) {
	p := getPKI(t)
	cn, sn := net.Pipe()
	defer cn.Close()
	srv := tls.Server(sn, tlsServerConfig(t, p.tlsECDSA))
	done := make(chan error, 1)
	go func() { done <- srv.Handshake(); srv.Close() }()
	ccfg := clientConfig(t, "badroot")
	ccfg.RootCAs = nil
	mc, _ := machine.Client(ccfg)
	d := newDriver(mc, cn)
	cn.SetDeadline(time.Now().Add(20 * time.Second))
	err := d.handshake()
	if a, remote := alertOf(t, err); a.String() != "unknown_ca" || remote {
		t.Fatalf("client error %v, want local unknown_ca", err)
	}
	serr := <-done
	if serr == nil || !strings.Contains(serr.Error(), "unknown certificate authority") {
		t.Fatalf("crypto/tls server error %v, want unknown certificate authority", serr)
	}
}
