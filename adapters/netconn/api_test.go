package netconn_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/internal/testkit"
	"github.com/sanstls/sanstls/machine"
)

func mustConvert(t *testing.T, tc *tls.Config) *netconn.Config {
	t.Helper()
	c, err := netconn.FromTLSConfig(tc)
	if err != nil {
		t.Fatalf("FromTLSConfig: %v", err)
	}
	return c
}

func TestFromTLSConfigReportsWhatItCannotHonour(t *testing.T) {
	tc := &tls.Config{
		Certificates:     []tls.Certificate{pki().ecdsaA.theirs()},
		MinVersion:       tls.VersionTLS13,
		CipherSuites:     []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_RC4_128_SHA},
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.X25519},
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return nil, nil
		},
		ClientSessionCache: tls.NewLRUClientSessionCache(1),
	}
	c, err := netconn.FromTLSConfig(tc)
	var ce *netconn.ConversionError
	if !errors.As(err, &ce) {
		t.Fatalf("FromTLSConfig: %v, want a ConversionError", err)
	}
	var fields []string
	for _, i := range ce.Issues {
		fields = append(fields, i.Field)
	}
	for _, want := range []string{"MinVersion", "CipherSuites", "CurvePreferences", "GetClientCertificate", "ClientSessionCache"} {
		if !slices.Contains(fields, want) {
			t.Errorf("issues %v do not name %s", fields, want)
		}
	}
	if !slices.Equal(c.CipherSuites, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}) ||
		!slices.Equal(c.Groups, []machine.Group{machine.X25519}) || c.ClientSessionCache == nil {
		t.Errorf("converted: suites %x groups %v cache %v", c.CipherSuites, c.Groups, c.ClientSessionCache)
	}
	// TLS 1.2 bounds are honoured without an issue; an older maximum is not.
	if _, err := netconn.FromTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13}); err != nil {
		t.Errorf("TLS 1.2-1.3 bounds: %v", err)
	}
	if _, err := netconn.FromTLSConfig(&tls.Config{MaxVersion: tls.VersionTLS11}); err == nil || !strings.Contains(err.Error(), "MaxVersion") {
		t.Errorf("MaxVersion TLS 1.1: %v", err)
	}
}

// TestFromTLSConfigInterop: configs converted from crypto/tls's talk to
// crypto/tls with the same configs, with mutual authentication and ALPN.
func TestFromTLSConfigInterop(t *testing.T) {
	p := pki()
	serverTLS := &tls.Config{
		Certificates: []tls.Certificate{p.ecdsaA.theirs()}, ClientAuth: tls.RequireAndVerifyClientCert,
		ClientCAs: p.roots, NextProtos: []string{"h2", "x"}, MaxVersion: tls.VersionTLS12,
	}
	clientTLS := &tls.Config{
		Certificates: []tls.Certificate{p.client.theirs()}, RootCAs: p.roots, ServerName: "a.test",
		NextProtos: []string{"x"}, MaxVersion: tls.VersionTLS12,
	}
	a, b := pipePair(t)
	ours, theirs := netconn.Client(a, mustConvert(t, clientTLS)), tls.Server(b, serverTLS)
	if errA, errB := handshakeBoth(ours, theirs); errA != nil || errB != nil {
		t.Fatalf("our client: %v, %v", errA, errB)
	}
	if ours.ConnectionState().NegotiatedProtocol != "x" || len(theirs.ConnectionState().PeerCertificates) != 1 {
		t.Fatal("ALPN or client certificate missing")
	}
	a, b = pipePair(t)
	theirC, ourS := tls.Client(a, clientTLS), netconn.Server(b, mustConvert(t, serverTLS))
	if errA, errB := handshakeBoth(theirC, ourS); errA != nil || errB != nil {
		t.Fatalf("our server: %v, %v", errA, errB)
	}
	if st := ourS.ConnectionState(); st.NegotiatedProtocol != "x" || len(st.VerifiedChains) == 0 {
		t.Fatal("ALPN or verified client chain missing")
	}
}

func TestGetCertificate(t *testing.T) {
	p := pki()
	var seen *tls.ClientHelloInfo
	scfg := mustConvert(t, &tls.Config{GetCertificate: func(info *tls.ClientHelloInfo) (*tls.Certificate, error) {
		seen = info
		switch info.ServerName {
		case "b.test":
			c := p.ecdsaB.theirs()
			return &c, nil
		case "fail.test":
			return nil, errors.New("no certificate for you")
		}
		c := p.ecdsaA.theirs()
		return &c, nil
	}})
	for _, name := range []string{"a.test", "b.test"} {
		a, b := pipePair(t)
		ccfg := theirClientConfig()
		ccfg.ServerName, ccfg.NextProtos = name, []string{"p1", "p2"}
		client, server := tls.Client(a, ccfg), netconn.Server(b, scfg)
		if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
			t.Fatalf("%s: %v, %v", name, errA, errB)
		}
		if got := client.ConnectionState().PeerCertificates[0].DNSNames[0]; got != name {
			t.Errorf("asked for %s, got a certificate for %s", name, got)
		}
		if seen.ServerName != name || !slices.Equal(seen.SupportedProtos, []string{"p1", "p2"}) ||
			!slices.Contains(seen.SupportedVersions, tls.VersionTLS12) || len(seen.CipherSuites) == 0 ||
			len(seen.SignatureSchemes) == 0 || len(seen.SupportedCurves) == 0 || seen.Conn != b {
			t.Errorf("ClientHelloInfo: %+v", seen)
		}
	}
	// A failing GetCertificate fails the handshake with an alert and
	// reports the hook's error.
	a, b := pipePair(t)
	ccfg := theirClientConfig()
	ccfg.ServerName = "fail.test"
	client, server := tls.Client(a, ccfg), netconn.Server(b, scfg)
	errC, errS := handshakeBoth(client, server)
	if errS == nil || !strings.Contains(errS.Error(), "no certificate for you") {
		t.Errorf("server error %v, want the hook's", errS)
	}
	if errC == nil || !strings.Contains(errC.Error(), "handshake failure") {
		t.Errorf("client error %v, want a handshake_failure alert", errC)
	}
}

func TestGetConfigForClient(t *testing.T) {
	p := pki()
	base := &tls.Config{Certificates: []tls.Certificate{p.ecdsaA.theirs()}, NextProtos: []string{"base"}}
	special := &tls.Config{Certificates: []tls.Certificate{p.ecdsaB.theirs()}, NextProtos: []string{"special"}}
	base.GetConfigForClient = func(info *tls.ClientHelloInfo) (*tls.Config, error) {
		if info.ServerName == "b.test" {
			return special, nil
		}
		return nil, nil
	}
	scfg := mustConvert(t, base)
	for _, tc := range []struct{ name, proto string }{{"a.test", "base"}, {"b.test", "special"}} {
		a, b := pipePair(t)
		ccfg := theirClientConfig()
		ccfg.ServerName, ccfg.NextProtos = tc.name, []string{"base", "special"}
		client, server := tls.Client(a, ccfg), netconn.Server(b, scfg)
		if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
			t.Fatalf("%s: %v, %v", tc.name, errA, errB)
		}
		if got := server.ConnectionState().NegotiatedProtocol; got != tc.proto {
			t.Errorf("%s: ALPN %q, want %q from the per-client config", tc.name, got, tc.proto)
		}
	}
}

func TestVerifyPeerCertificateAndVerifyConnection(t *testing.T) {
	p := pki()
	var raw [][]byte
	var chains [][]*x509.Certificate
	var states []tls.ConnectionState
	reject := false
	ctc := &tls.Config{
		RootCAs: p.roots, ServerName: "a.test",
		VerifyPeerCertificate: func(r [][]byte, c [][]*x509.Certificate) error {
			raw, chains = r, c
			if reject {
				return errors.New("rejected by hook")
			}
			return nil
		},
		VerifyConnection: func(st tls.ConnectionState) error {
			states = append(states, st)
			return nil
		},
		ClientSessionCache: tls.NewLRUClientSessionCache(1),
	}
	ccfg, _ := netconn.FromTLSConfig(ctc) // reports the replaced session cache
	scfg := ourServerConfig(p.ecdsaA)
	for round := range 2 {
		a, b := pipePair(t)
		client, server := netconn.Client(a, ccfg), netconn.Server(b, scfg)
		if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
			t.Fatalf("round %d: %v, %v", round, errA, errB)
		}
		if len(states) != round+1 {
			t.Fatalf("round %d: VerifyConnection ran %d times", round, len(states))
		}
		st := states[round]
		if len(st.PeerCertificates) == 0 || st.ServerName != "a.test" || st.Version != tls.VersionTLS12 {
			t.Errorf("round %d: VerifyConnection state %+v", round, st)
		}
		if round == 0 && (len(raw) != 1 || len(chains) == 0 || len(st.VerifiedChains) == 0) {
			t.Errorf("VerifyPeerCertificate got %d certificates and %d chains", len(raw), len(chains))
		}
		if round == 1 && !st.DidResume {
			t.Error("second handshake did not resume")
		}
	}
	reject = true
	ccfg2, _ := netconn.FromTLSConfig(&tls.Config{RootCAs: p.roots, ServerName: "a.test", VerifyPeerCertificate: ctc.VerifyPeerCertificate})
	a, b := pipePair(t)
	client, server := netconn.Client(a, ccfg2), netconn.Server(b, scfg)
	errC, errS := handshakeBoth(client, server)
	var ta tls.AlertError
	if errC == nil || !strings.Contains(errC.Error(), "rejected by hook") || !errors.As(errC, &ta) || ta != 42 {
		t.Errorf("client: %v, want the hook's error with bad_certificate", errC)
	}
	if !errors.As(errS, &ta) || ta != 42 {
		t.Errorf("server: %v, want bad_certificate received", errS)
	}
}

// TestVerifyConnectionRejectsResumption: a VerifyConnection hook that
// refuses a resumed handshake (no certificate was judged in it) fails the
// handshake with the hook's error, and the peer receives bad_certificate,
// as with crypto/tls.
func TestVerifyConnectionRejectsResumption(t *testing.T) {
	p := pki()
	refuse := false
	ctc := &tls.Config{
		RootCAs: p.roots, ServerName: "a.test",
		VerifyConnection: func(st tls.ConnectionState) error {
			if refuse && st.DidResume {
				return errors.New("resumption refused by hook")
			}
			return nil
		},
		ClientSessionCache: tls.NewLRUClientSessionCache(1),
	}
	ccfg, _ := netconn.FromTLSConfig(ctc)
	scfg := ourServerConfig(p.ecdsaA)
	a, b := pipePair(t)
	if errA, errB := handshakeBoth(netconn.Client(a, ccfg), netconn.Server(b, scfg)); errA != nil || errB != nil {
		t.Fatalf("first handshake: %v, %v", errA, errB)
	}
	refuse = true
	// Over TCP: the server's side of an abbreviated handshake is done
	// before the client judges it, so the alert waits in the socket until
	// the server reads (net.Pipe would block the client's write).
	a, b = tcpPair(t)
	server := netconn.Server(b, scfg)
	errC, errS := handshakeBoth(netconn.Client(a, ccfg), server)
	if errC == nil || !strings.Contains(errC.Error(), "resumption refused by hook") {
		t.Errorf("client: %v, want the hook's error", errC)
	}
	if errS != nil {
		t.Fatalf("server handshake: %v", errS)
	}
	_, errS = server.Read(make([]byte, 1))
	var ta tls.AlertError
	if !errors.As(errS, &ta) || ta != 42 {
		t.Errorf("server read: %v, want bad_certificate received", errS)
	}
}

func TestCryptoTLSErrorTypes(t *testing.T) {
	p := pki()
	a, b := pipePair(t)
	ccfg := ourClientConfig()
	ccfg.RootCAs = p.otherRoots
	client, server := netconn.Client(a, ccfg), netconn.Server(b, ourServerConfig(p.ecdsaA))
	errC, errS := handshakeBoth(client, server)
	var cve *tls.CertificateVerificationError
	if !errors.As(errC, &cve) || len(cve.UnverifiedCertificates) != 1 || !cve.UnverifiedCertificates[0].Equal(p.ecdsaA.cert) {
		t.Fatalf("client: %v, want a CertificateVerificationError with the server's certificate", errC)
	}
	var uae x509.UnknownAuthorityError
	if !errors.As(cve.Err, &uae) {
		t.Errorf("CertificateVerificationError.Err = %v, want x509.UnknownAuthorityError", cve.Err)
	}
	var ta tls.AlertError
	var ae *machine.AlertError
	if !errors.As(errC, &ta) || ta != tls.AlertError(alertUnknownCA) || !errors.As(errC, &ae) || ae.Remote {
		t.Errorf("client: %v, want a local unknown_ca as tls.AlertError and *machine.AlertError", errC)
	}
	if !errors.As(errS, &ta) || ta != tls.AlertError(alertUnknownCA) || errors.As(errS, &cve) {
		t.Errorf("server: %v, want unknown_ca received and no CertificateVerificationError", errS)
	}

	// An HTTP request to a TLS server is a RecordHeaderError.
	a, b = pipePair(t)
	server = netconn.Server(b, ourServerConfig(p.ecdsaA))
	go func() {
		io.WriteString(a, "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n")
		io.Copy(io.Discard, a)
	}()
	err := server.Handshake()
	var rhe tls.RecordHeaderError
	if !errors.As(err, &rhe) || string(rhe.RecordHeader[:]) != "GET /" {
		t.Errorf("server: %v, want a RecordHeaderError with the request's first bytes", err)
	}
}

func TestVerifyHostnameAndOCSP(t *testing.T) {
	p := pki()
	cert := p.ecdsaA.ours()
	cert.OCSPStaple = []byte("a stapled response")
	a, b := pipePair(t)
	client, server := netconn.Client(a, ourClientConfig()), netconn.Server(b, &netconn.Config{Certificates: []netconn.Certificate{cert}})
	if err := client.VerifyHostname("a.test"); err == nil {
		t.Error("VerifyHostname before the handshake succeeded")
	}
	if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if err := client.VerifyHostname("a.test"); err != nil {
		t.Errorf("VerifyHostname(a.test): %v", err)
	}
	if err := client.VerifyHostname("b.test"); err == nil {
		t.Error("VerifyHostname(b.test) succeeded")
	}
	if err := server.VerifyHostname("a.test"); err == nil {
		t.Error("VerifyHostname on a server succeeded")
	}
	if got := string(client.OCSPResponse()); got != "a stapled response" {
		t.Errorf("OCSPResponse %q", got)
	}
	if got := string(client.ConnectionState().OCSPResponse); got != "a stapled response" {
		t.Errorf("ConnectionState().OCSPResponse %q", got)
	}
}

func TestRenegotiate(t *testing.T) {
	a, b := tcpPair(t) // buffered: Renegotiate's write completes alone
	scfg := ourServerConfig(pki().ecdsaA)
	scfg.AllowClientRenegotiation = true
	client, server := netconn.Client(a, ourClientConfig()), netconn.Server(b, scfg)
	if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if err := client.Renegotiate(); err != nil {
		t.Fatal(err)
	}
	// The renegotiation runs inside the Reads of the exchanges; its last
	// messages may trail the data of one exchange, so a few more rounds
	// (bounded) let both sides see it end.
	for round := 0; ; round++ {
		exchange(t, client, server, []byte("during"), []byte("renegotiation"))
		c, s := client.MachineState().Renegotiations, server.MachineState().Renegotiations
		if c == 1 && s == 1 {
			break
		}
		if round == 10 || c > 1 || s > 1 {
			t.Fatalf("after %d exchanges: renegotiations client %d, server %d", round+1, c, s)
		}
	}
}

func TestLoadX509KeyPair(t *testing.T) {
	p := pki()
	dir := t.TempDir()
	key, err := testkit.KeyPEM(p.ecdsaA.key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	must(os.WriteFile(certFile, testkit.CertPEM(p.ecdsaA.der), 0o600))
	must(os.WriteFile(keyFile, key, 0o600))
	cert, err := netconn.LoadX509KeyPair(certFile, keyFile)
	if err != nil || cert.Leaf == nil {
		t.Fatalf("LoadX509KeyPair: %v", err)
	}
	if _, err := netconn.LoadX509KeyPair(keyFile, certFile); err == nil {
		t.Error("swapped files accepted")
	}
	a, b := pipePair(t)
	client, server := netconn.Client(a, ourClientConfig()), netconn.Server(b, &netconn.Config{Certificates: []netconn.Certificate{cert}})
	if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
}

// TestStalledPeerCannotHoldServer: a client that connects and says nothing
// holds a server handshake only until its context ends, and the server
// closes the transport.
func TestStalledPeerCannotHoldServer(t *testing.T) {
	a, b := tcpPair(t)
	server := netconn.Server(b, ourServerConfig(pki().ecdsaA))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- server.HandshakeContext(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("HandshakeContext: %v", err)
		}
	case <-time.After(time.Until(deadline(t))):
		t.Fatal("the server handshake outlived its context")
	}
	// The transport is closed: the silent client reads EOF.
	if n, err := a.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("client read %d bytes, %v; want EOF", n, err)
	}
}

// TestFailedHandshakeClosesAfterAlert: the peer reads the alert, then EOF.
func TestFailedHandshakeClosesAfterAlert(t *testing.T) {
	a, b := tcpPair(t)
	ccfg := ourClientConfig()
	ccfg.RootCAs = pki().otherRoots
	client := netconn.Client(a, ccfg)
	theirs := tls.Server(b, theirServerConfig(pki().ecdsaA))
	errC, errS := handshakeBoth(client, theirs)
	if errC == nil || errS == nil || !strings.Contains(errS.Error(), "unknown certificate authority") {
		t.Fatalf("client %v, server %v: want the server to read unknown_ca", errC, errS)
	}
	if _, err := b.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("after the alert the server's transport read %v, want EOF", err)
	}
}

// TestCloseBoundedByWriteDeadline: Close does not wait for a peer that
// stopped reading beyond the write deadline.
func TestCloseBoundedByWriteDeadline(t *testing.T) {
	a, b := pipePair(t) // net.Pipe: a write blocks until the peer reads
	client, server := netconn.Client(a, ourClientConfig()), netconn.Server(b, ourServerConfig(pki().ecdsaA))
	if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	client.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
	done := make(chan error, 1)
	go func() { done <- client.Close() }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Close reported success though close_notify could not be written")
		}
	case <-time.After(time.Until(deadline(t))):
		t.Fatal("Close blocked on a peer that does not read")
	}
	if err := client.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

func TestTLSUniqueAndSCTs(t *testing.T) {
	p := pki()
	scts := [][]byte{[]byte("sct one"), []byte("sct two")}
	cert := p.ecdsaA.theirs()
	cert.SignedCertificateTimestamps = scts
	a, b := pipePair(t)
	ccfg := mustConvert(t, &tls.Config{RootCAs: p.roots, ServerName: "a.test"})
	client := netconn.Client(a, ccfg)
	theirs := tls.Server(b, &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12})
	if errA, errB := handshakeBoth(client, theirs); errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	st, ts := client.ConnectionState(), theirs.ConnectionState()
	if len(st.TLSUnique) != 12 || string(st.TLSUnique) != string(ts.TLSUnique) {
		t.Errorf("TLSUnique ours %x, crypto/tls %x", st.TLSUnique, ts.TLSUnique)
	}
	if len(st.SignedCertificateTimestamps) != 2 || string(st.SignedCertificateTimestamps[1]) != "sct two" {
		t.Errorf("SignedCertificateTimestamps %q", st.SignedCertificateTimestamps)
	}
}
