package netconn_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
)

// Interoperability with crypto/tls (limited to TLS 1.2), over net.Pipe and
// loopback TCP, with each side in each role.

func isRSASuite(id uint16) bool { return strings.Contains(machine.CipherSuiteName(id), "_RSA_") }

func TestInteropCipherSuites(t *testing.T) {
	p := pki()
	for _, tr := range transports {
		for _, suite := range machine.DefaultCipherSuites() {
			cert := p.ecdsaA
			if isRSASuite(suite) {
				cert = p.rsaA
			}
			name := tr.name + "/" + machine.CipherSuiteName(suite)
			t.Run(name+"/ours-client", func(t *testing.T) {
				rc, rs := tr.pair(t)
				scfg := theirServerConfig(cert)
				scfg.CipherSuites = []uint16{suite}
				ours, theirs := netconn.Client(rc, ourClientConfig()), tls.Server(rs, scfg)
				if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
					t.Fatalf("handshake: ours %v, theirs %v", errA, errB)
				}
				checkSuite(t, ours, theirs, suite)
				exchange(t, ours, theirs, []byte("from sanstls client"), []byte("from crypto/tls server"))
			})
			t.Run(name+"/ours-server", func(t *testing.T) {
				rc, rs := tr.pair(t)
				ccfg := theirClientConfig()
				ccfg.CipherSuites = []uint16{suite}
				// Our server holds both certificates and must pick the one
				// the suite needs.
				theirs, ours := tls.Client(rc, ccfg), netconn.Server(rs, ourServerConfig(p.ecdsaA, p.rsaA))
				if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
					t.Fatalf("handshake: ours %v, theirs %v", errA, errB)
				}
				checkSuite(t, ours, theirs, suite)
				exchange(t, ours, theirs, []byte("from sanstls server"), []byte("from crypto/tls client"))
			})
		}
	}
}

func checkSuite(t *testing.T, ours *netconn.Conn, theirs *tls.Conn, suite uint16) {
	t.Helper()
	os, ts := ours.MachineState(), theirs.ConnectionState()
	if !os.HandshakeComplete || os.Version != tls.VersionTLS12 || os.CipherSuite != suite {
		t.Errorf("our state: complete %v, version %#x, suite %#x; want TLS 1.2 with %#x", os.HandshakeComplete, os.Version, os.CipherSuite, suite)
	}
	if ts.Version != tls.VersionTLS12 || ts.CipherSuite != suite {
		t.Errorf("their state: version %#x, suite %#x; want TLS 1.2 with %#x", ts.Version, ts.CipherSuite, suite)
	}
	if !os.ExtendedMasterSecret {
		t.Error("extended master secret not negotiated")
	}
}

func TestInteropGroups(t *testing.T) {
	p := pki()
	for _, g := range []machine.Group{machine.X25519, machine.CurveP256, machine.CurveP384} {
		t.Run(fmt.Sprintf("%v/ours-client", g), func(t *testing.T) {
			rc, rs := pipePair(t)
			ccfg := ourClientConfig()
			// P-256 stays offered, last: the server's ECDSA key is on it, and
			// our client enforces RFC 8422, Section 5.1 (crypto/tls's server
			// would send that certificate anyway). Their server picks the
			// group in our order.
			ccfg.Groups = []machine.Group{g, machine.CurveP256}
			ours, theirs := netconn.Client(rc, ccfg), tls.Server(rs, theirServerConfig(p.ecdsaA))
			if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
				t.Fatalf("handshake: ours %v, theirs %v", errA, errB)
			}
			checkGroup(t, ours, theirs, g)
		})
		t.Run(fmt.Sprintf("%v/ours-server", g), func(t *testing.T) {
			rc, rs := pipePair(t)
			ccfg := theirClientConfig()
			ccfg.CurvePreferences = []tls.CurveID{tls.CurveID(g)}
			// RFC 8422, Section 5.1: a client listing only X25519 cannot
			// take an ECDSA P-256 certificate, so the server also has RSA.
			theirs, ours := tls.Client(rc, ccfg), netconn.Server(rs, ourServerConfig(p.ecdsaA, p.rsaA))
			if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
				t.Fatalf("handshake: ours %v, theirs %v", errA, errB)
			}
			checkGroup(t, ours, theirs, g)
		})
	}
}

func checkGroup(t *testing.T, ours *netconn.Conn, theirs *tls.Conn, g machine.Group) {
	t.Helper()
	if got := ours.MachineState().Group; got != g {
		t.Errorf("our group %v, want %v", got, g)
	}
	if got := theirs.ConnectionState().CurveID; got != tls.CurveID(g) {
		t.Errorf("their group %v, want %v", got, g)
	}
	exchange(t, ours, theirs, []byte("ping"), []byte("pong"))
}

func TestInteropSNI(t *testing.T) {
	p := pki()
	for _, name := range []string{"a.test", "b.test"} {
		t.Run("ours-server/"+name, func(t *testing.T) {
			rc, rs := pipePair(t)
			ccfg := theirClientConfig()
			ccfg.ServerName = name // crypto/tls verifies the chosen certificate against it
			theirs, ours := tls.Client(rc, ccfg), netconn.Server(rs, ourServerConfig(p.ecdsaA, p.ecdsaB))
			if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
				t.Fatalf("handshake: ours %v, theirs %v", errA, errB)
			}
			if got := theirs.ConnectionState().PeerCertificates[0].DNSNames[0]; got != name {
				t.Errorf("server presented %s, want %s", got, name)
			}
			if got := ours.ConnectionState().ServerName; got != name {
				t.Errorf("our server saw SNI %q, want %q", got, name)
			}
		})
		t.Run("ours-client/"+name, func(t *testing.T) {
			rc, rs := pipePair(t)
			scfg := theirServerConfig()
			var seen string
			scfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
				seen = hello.ServerName
				c := p.ecdsaA.theirs()
				if hello.ServerName == "b.test" {
					c = p.ecdsaB.theirs()
				}
				return &c, nil
			}
			ccfg := ourClientConfig()
			ccfg.ServerName = name
			ours, theirs := netconn.Client(rc, ccfg), tls.Server(rs, scfg)
			if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
				t.Fatalf("handshake: ours %v, theirs %v", errA, errB)
			}
			if seen != name {
				t.Errorf("crypto/tls server saw SNI %q, want %q", seen, name)
			}
			if got := ours.ConnectionState().PeerCertificates[0].DNSNames[0]; got != name {
				t.Errorf("our client got the certificate for %s, want %s", got, name)
			}
		})
	}
}

func TestInteropALPN(t *testing.T) {
	p := pki()
	t.Run("ours-client", func(t *testing.T) {
		rc, rs := pipePair(t)
		ccfg := ourClientConfig()
		ccfg.NextProtos = []string{"h2", "http/1.1"}
		scfg := theirServerConfig(p.ecdsaA)
		scfg.NextProtos = []string{"http/1.1", "h2"}
		ours, theirs := netconn.Client(rc, ccfg), tls.Server(rs, scfg)
		if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
			t.Fatalf("handshake: ours %v, theirs %v", errA, errB)
		}
		// RFC 7301, Section 3.2: the server's preference wins.
		if a, b := ours.ConnectionState().NegotiatedProtocol, theirs.ConnectionState().NegotiatedProtocol; a != "http/1.1" || b != "http/1.1" {
			t.Errorf("ALPN: ours %q, theirs %q; want http/1.1", a, b)
		}
	})
	t.Run("ours-server", func(t *testing.T) {
		rc, rs := pipePair(t)
		ccfg := theirClientConfig()
		ccfg.NextProtos = []string{"http/1.1", "h2"}
		scfg := ourServerConfig(p.ecdsaA)
		scfg.NextProtos = []string{"h2", "http/1.1"}
		theirs, ours := tls.Client(rc, ccfg), netconn.Server(rs, scfg)
		if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
			t.Fatalf("handshake: ours %v, theirs %v", errA, errB)
		}
		if a, b := ours.ConnectionState().NegotiatedProtocol, theirs.ConnectionState().NegotiatedProtocol; a != "h2" || b != "h2" {
			t.Errorf("ALPN: ours %q, theirs %q; want h2", a, b)
		}
	})
}

// connectBoth returns a handshaken (ours, theirs) pair over tr, with our side
// as client or server.
func connectBoth(t *testing.T, tr transport, oursClient bool) (*netconn.Conn, *tls.Conn) {
	t.Helper()
	p := pki()
	rc, rs := tr.pair(t)
	var ours *netconn.Conn
	var theirs *tls.Conn
	if oursClient {
		ours, theirs = netconn.Client(rc, ourClientConfig()), tls.Server(rs, theirServerConfig(p.ecdsaA))
	} else {
		theirs, ours = tls.Client(rc, theirClientConfig()), netconn.Server(rs, ourServerConfig(p.ecdsaA))
	}
	if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
		t.Fatalf("handshake: ours %v, theirs %v", errA, errB)
	}
	return ours, theirs
}

func roleName(oursClient bool) string {
	if oursClient {
		return "ours-client"
	}
	return "ours-server"
}

// TestInteropLargeTransfer sends 8 MiB each way at the same time, in writes
// of random sizes, and compares SHA-256 digests.
func TestInteropLargeTransfer(t *testing.T) {
	const size = 8 << 20
	for _, tr := range transports {
		for _, oursClient := range []bool{true, false} {
			t.Run(tr.name+"/"+roleName(oursClient), func(t *testing.T) {
				ours, theirs := connectBoth(t, tr, oursClient)
				var wg sync.WaitGroup
				var sumFromOurs, sumAtTheirs, sumFromTheirs, sumAtOurs [32]byte
				var errs [4]error
				wg.Add(4)
				go func() { defer wg.Done(); sumFromOurs, errs[0] = sendRandom(ours, size, 1) }()
				go func() { defer wg.Done(); sumFromTheirs, errs[1] = sendRandom(theirs, size, 2) }()
				go func() { defer wg.Done(); sumAtTheirs, errs[2] = receiveHash(theirs, size) }()
				go func() { defer wg.Done(); sumAtOurs, errs[3] = receiveHash(ours, size) }()
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Fatalf("stream %d: %v", i, err)
					}
				}
				if sumFromOurs != sumAtTheirs || sumFromTheirs != sumAtOurs {
					t.Fatal("digests of sent and received data differ")
				}
			})
		}
	}
}

// sendRandom writes size pseudo-random bytes in chunks of random sizes and
// returns their SHA-256.
func sendRandom(w io.Writer, size int, seed uint64) ([32]byte, error) {
	rng := rand.New(rand.NewPCG(seed, 0))
	h := sha256.New()
	buf := make([]byte, 100_000)
	for sent := 0; sent < size; {
		n := min(size-sent, 1+rng.IntN(len(buf)))
		for i := range buf[:n] {
			buf[i] = byte(rng.Uint32())
		}
		if _, err := w.Write(buf[:n]); err != nil {
			return [32]byte{}, err
		}
		h.Write(buf[:n])
		sent += n
	}
	return [32]byte(h.Sum(nil)), nil
}

func receiveHash(r io.Reader, size int) ([32]byte, error) {
	h := sha256.New()
	if _, err := io.CopyN(h, r, int64(size)); err != nil {
		return [32]byte{}, err
	}
	return [32]byte(h.Sum(nil)), nil
}

// TestInteropCleanClose checks that each side's close_notify is seen as
// io.EOF by the other: first one side half-closes, then the other closes.
func TestInteropCleanClose(t *testing.T) {
	for _, tr := range transports {
		for _, oursClient := range []bool{true, false} {
			t.Run(tr.name+"/"+roleName(oursClient)+"/ours-first", func(t *testing.T) {
				ours, theirs := connectBoth(t, tr, oursClient)
				theirEOF := make(chan error, 1)
				go func() { theirEOF <- expectEOF(theirs, "last words from sanstls") }()
				if _, err := ours.Write([]byte("last words from sanstls")); err != nil {
					t.Fatal(err)
				}
				if err := ours.CloseWrite(); err != nil {
					t.Fatalf("CloseWrite: %v", err)
				}
				if _, err := ours.Write([]byte("more")); !errors.Is(err, machine.ErrClosed) {
					t.Errorf("Write after CloseWrite: %v, want ErrClosed", err)
				}
				if err := <-theirEOF; err != nil {
					t.Fatalf("crypto/tls side: %v", err)
				}
				ourEOF := make(chan error, 1)
				go func() { ourEOF <- expectEOF(ours, "") }()
				if err := theirs.Close(); err != nil {
					t.Fatalf("crypto/tls Close: %v", err)
				}
				if err := <-ourEOF; err != nil {
					t.Fatalf("our side: %v", err)
				}
				if err := ours.Close(); err != nil {
					t.Fatalf("our Close: %v", err)
				}
				if err := ours.Close(); !errors.Is(err, net.ErrClosed) {
					t.Errorf("second Close: %v, want net.ErrClosed", err)
				}
			})
			t.Run(tr.name+"/"+roleName(oursClient)+"/theirs-first", func(t *testing.T) {
				ours, theirs := connectBoth(t, tr, oursClient)
				ourEOF := make(chan error, 1)
				go func() { ourEOF <- expectEOF(ours, "last words from crypto/tls") }()
				if _, err := theirs.Write([]byte("last words from crypto/tls")); err != nil {
					t.Fatal(err)
				}
				if err := theirs.CloseWrite(); err != nil {
					t.Fatalf("crypto/tls CloseWrite: %v", err)
				}
				if err := <-ourEOF; err != nil {
					t.Fatalf("our side: %v", err)
				}
				theirEOF := make(chan error, 1)
				go func() { theirEOF <- expectEOF(theirs, "") }()
				if err := ours.Close(); err != nil {
					t.Fatalf("our Close: %v", err)
				}
				if err := <-theirEOF; err != nil {
					t.Fatalf("crypto/tls side: %v", err)
				}
			})
		}
	}
}

// expectEOF reads everything from r and checks that it is want followed by
// a clean io.EOF (io.ReadAll hides io.EOF, so the final Read is repeated).
func expectEOF(r io.Reader, want string) error {
	got, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("ReadAll: %w", err)
	}
	if string(got) != want {
		return fmt.Errorf("read %q, want %q", got, want)
	}
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return fmt.Errorf("Read after EOF: %d, %v; want 0, io.EOF", n, err)
	}
	return nil
}

// TestInteropTruncation closes the transport under our side without
// close_notify.
func TestInteropTruncation(t *testing.T) {
	for _, tr := range transports {
		for _, oursClient := range []bool{true, false} {
			t.Run(tr.name+"/"+roleName(oursClient), func(t *testing.T) {
				ours, theirs := connectBoth(t, tr, oursClient)
				go func() {
					theirs.Write([]byte("partial"))
					theirs.NetConn().Close() // no close_notify
				}()
				got, err := io.ReadAll(ours)
				if string(got) != "partial" {
					t.Errorf("read %q before the truncation, want %q", got, "partial")
				}
				if !errors.Is(err, machine.ErrTruncated) || !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("Read error %v, want ErrTruncated", err)
				}
				if _, err := ours.Read(make([]byte, 1)); !errors.Is(err, machine.ErrTruncated) {
					t.Errorf("second Read: %v, want the same sticky error", err)
				}
			})
		}
	}
}

// TestInteropConcurrentReadWrite runs a writer and a reader on each side at
// once with many small messages; under -race this checks the locking.
func TestInteropConcurrentReadWrite(t *testing.T) {
	for _, oursClient := range []bool{true, false} {
		t.Run(roleName(oursClient), func(t *testing.T) {
			ours, theirs := connectBoth(t, transports[0], oursClient)
			const msgs = 500
			var wg sync.WaitGroup
			var got [2]bytes.Buffer
			var errs [4]error
			write := func(w io.Writer, tag byte, errp *error) {
				defer wg.Done()
				for i := range msgs {
					if _, err := w.Write(bytes.Repeat([]byte{tag}, 1+i%300)); err != nil {
						*errp = err
						return
					}
				}
			}
			total := 0
			for i := range msgs {
				total += 1 + i%300
			}
			read := func(r io.Reader, dst *bytes.Buffer, errp *error) {
				defer wg.Done()
				_, *errp = io.CopyN(dst, r, int64(total))
			}
			wg.Add(4)
			go write(ours, 'o', &errs[0])
			go write(theirs, 't', &errs[1])
			go read(theirs, &got[0], &errs[2])
			go read(ours, &got[1], &errs[3])
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("stream %d: %v", i, err)
				}
			}
			if !bytes.Equal(got[0].Bytes(), bytes.Repeat([]byte{'o'}, total)) ||
				!bytes.Equal(got[1].Bytes(), bytes.Repeat([]byte{'t'}, total)) {
				t.Fatal("received data differs from sent data")
			}
		})
	}
}

// TestInteropVerifyFailure: a client that does not trust the server's CA
// aborts the handshake with an alert that the other side reports.
func TestInteropVerifyFailure(t *testing.T) {
	p := pki()
	for _, deferVerify := range []bool{false, true} {
		t.Run(fmt.Sprintf("ours-client/defer=%v", deferVerify), func(t *testing.T) {
			rc, rs := pipePair(t)
			ccfg := ourClientConfig()
			ccfg.RootCAs = p.otherRoots
			ccfg.DeferVerify = deferVerify
			ours, theirs := netconn.Client(rc, ccfg), tls.Server(rs, theirServerConfig(p.ecdsaA))
			errOurs, errTheirs := handshakeBoth(ours, theirs)
			var ae *machine.AlertError
			if !errors.As(errOurs, &ae) || ae.Remote || ae.Alert != alertUnknownCA {
				t.Fatalf("our error %v, want a local unknown_ca AlertError", errOurs)
			}
			if !strings.Contains(errOurs.Error(), "unknown_ca") {
				t.Errorf("our error %q does not name the alert", errOurs)
			}
			if errTheirs == nil || !strings.Contains(errTheirs.Error(), "unknown certificate authority") {
				t.Errorf("crypto/tls error %v, want the unknown_ca alert", errTheirs)
			}
			// The failure is sticky.
			if err := ours.Handshake(); err != errOurs {
				t.Errorf("Handshake after the failure: %v", err)
			}
		})
	}
	t.Run("ours-server", func(t *testing.T) {
		rc, rs := pipePair(t)
		ccfg := theirClientConfig()
		ccfg.RootCAs = p.otherRoots
		theirs, ours := tls.Client(rc, ccfg), netconn.Server(rs, ourServerConfig(p.ecdsaA))
		errOurs, errTheirs := handshakeBoth(ours, theirs)
		if errTheirs == nil {
			t.Fatal("crypto/tls client accepted an untrusted certificate")
		}
		var ae *machine.AlertError
		if !errors.As(errOurs, &ae) || !ae.Remote || ae.Alert != alertBadCertificate {
			t.Fatalf("our error %v, want a remote bad_certificate AlertError", errOurs)
		}
		if !strings.Contains(errOurs.Error(), "bad_certificate") {
			t.Errorf("our error %q does not name the alert", errOurs)
		}
	})
}

// TestInteropClientAuth covers client certificates in both directions, and
// the deferred verification path through the adapter.
func TestInteropClientAuth(t *testing.T) {
	p := pki()
	for _, deferVerify := range []bool{false, true} {
		t.Run(fmt.Sprintf("ours-client/defer=%v", deferVerify), func(t *testing.T) {
			rc, rs := pipePair(t)
			ccfg := ourClientConfig()
			ccfg.Certificates = []machine.Certificate{p.client.ours()}
			ccfg.DeferVerify = deferVerify
			hookCalls := 0
			ccfg.VerifyPeer = func(pc *machine.PeerCerts) error {
				hookCalls++
				if !pc.IsClient || pc.ServerName != "a.test" || len(pc.Chain) != 1 {
					return fmt.Errorf("unexpected PeerCerts %+v", pc)
				}
				return nil
			}
			scfg := theirServerConfig(p.ecdsaA)
			scfg.ClientAuth = tls.RequireAndVerifyClientCert
			scfg.ClientCAs = p.roots
			ours, theirs := netconn.Client(rc, ccfg), tls.Server(rs, scfg)
			if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
				t.Fatalf("handshake: ours %v, theirs %v", errA, errB)
			}
			if got := theirs.ConnectionState().PeerCertificates; len(got) != 1 || !got[0].Equal(p.client.cert) {
				t.Error("crypto/tls server did not receive our client certificate")
			}
			if hookCalls != 1 {
				t.Errorf("VerifyPeer called %d times, want 1", hookCalls)
			}
			if len(ours.ConnectionState().VerifiedChains) == 0 {
				t.Error("no verified chains reported")
			}
			exchange(t, ours, theirs, []byte("authenticated client"), []byte("welcome"))
		})
		t.Run(fmt.Sprintf("ours-server/defer=%v", deferVerify), func(t *testing.T) {
			rc, rs := pipePair(t)
			ccfg := theirClientConfig()
			ccfg.Certificates = []tls.Certificate{p.client.theirs()}
			scfg := ourServerConfig(p.ecdsaA)
			scfg.ClientAuth = machine.RequireAndVerifyClientCert
			scfg.ClientCAs = p.roots
			scfg.DeferVerify = deferVerify
			theirs, ours := tls.Client(rc, ccfg), netconn.Server(rs, scfg)
			if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
				t.Fatalf("handshake: ours %v, theirs %v", errA, errB)
			}
			st := ours.ConnectionState()
			if len(st.PeerCertificates) != 1 || !st.PeerCertificates[0].Equal(p.client.cert) {
				t.Error("our server did not receive the client certificate")
			}
			if len(st.VerifiedChains) == 0 {
				t.Error("no verified chains reported")
			}
			exchange(t, ours, theirs, []byte("welcome"), []byte("authenticated client"))
		})
	}
	t.Run("ours-client/no-certificate", func(t *testing.T) {
		rc, rs := pipePair(t)
		scfg := theirServerConfig(p.ecdsaA)
		scfg.ClientAuth = tls.RequireAndVerifyClientCert
		scfg.ClientCAs = p.roots
		ours, theirs := netconn.Client(rc, ourClientConfig()), tls.Server(rs, scfg)
		errOurs, errTheirs := handshakeBoth(ours, theirs)
		if errTheirs == nil {
			t.Fatal("crypto/tls server accepted a client without a certificate")
		}
		var ae *machine.AlertError
		if !errors.As(errOurs, &ae) || !ae.Remote {
			t.Fatalf("our error %v, want a remote AlertError", errOurs)
		}
	})
	t.Run("ours-client/defer-hook-rejects", func(t *testing.T) {
		rc, rs := pipePair(t)
		ccfg := ourClientConfig()
		ccfg.DeferVerify = true
		rejected := errors.New("pinned key mismatch")
		ccfg.VerifyPeer = func(*machine.PeerCerts) error { return rejected }
		ours, theirs := netconn.Client(rc, ccfg), tls.Server(rs, theirServerConfig(p.ecdsaA))
		errOurs, errTheirs := handshakeBoth(ours, theirs)
		var ae *machine.AlertError
		if !errors.As(errOurs, &ae) || ae.Remote || ae.Alert != alertBadCertificate || !errors.Is(errOurs, rejected) {
			t.Fatalf("our error %v, want a local bad_certificate wrapping the hook's error", errOurs)
		}
		if errTheirs == nil || !strings.Contains(errTheirs.Error(), "bad certificate") {
			t.Errorf("crypto/tls error %v, want the bad_certificate alert", errTheirs)
		}
	})
}

// TestInteropExportKeyingMaterial compares RFC 5705 exporter output with
// crypto/tls's.
func TestInteropExportKeyingMaterial(t *testing.T) {
	for _, oursClient := range []bool{true, false} {
		t.Run(roleName(oursClient), func(t *testing.T) {
			ours, theirs := connectBoth(t, transports[0], oursClient)
			for _, ctx := range [][]byte{nil, {}, []byte("context")} {
				a, errA := ours.ExportKeyingMaterial("EXPERIMENTAL test", ctx, 42)
				ts := theirs.ConnectionState()
				b, errB := ts.ExportKeyingMaterial("EXPERIMENTAL test", ctx, 42)
				if errA != nil || errB != nil {
					t.Fatalf("export: ours %v, theirs %v", errA, errB)
				}
				if !bytes.Equal(a, b) || len(a) != 42 {
					t.Errorf("context %q: exported %x, crypto/tls %x", ctx, a, b)
				}
			}
		})
	}
}
