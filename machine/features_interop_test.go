package machine_test

import (
	"bytes"
	"crypto/tls"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// TestInteropFeaturesCryptoTLSServer: our client, with GREASE, SCTs
// requested and only P-521 offered, against a crypto/tls server with a
// P-521 certificate and SCTs: P-521 and ECDSA-P521-SHA512 are negotiated,
// the SCTs arrive, and both sides agree on tls-unique.
func TestInteropFeaturesCryptoTLSServer(t *testing.T) {
	cert := p521Leaf(t, false)
	scts := [][]byte{[]byte("sct-a"), []byte("sct-b")}
	cn, sn := net.Pipe()
	defer cn.Close()
	scfg := tlsServerConfig(t, tls.Certificate{Certificate: cert.Chain, PrivateKey: cert.PrivateKey, SignedCertificateTimestamps: scts})
	srv := tls.Server(sn, scfg)
	unique := make(chan []byte, 1)
	done := make(chan error, 1)
	go func() {
		if err := srv.Handshake(); err != nil {
			unique <- nil
			done <- err
			return
		}
		unique <- srv.ConnectionState().TLSUnique
		done <- echoServer(srv)
	}()

	ccfg := clientConfig(t, "features-interop")
	ccfg.Groups = []machine.Group{machine.CurveP521}
	ccfg.SignatureSchemes = []machine.SignatureScheme{messages.SignatureECDSAP521SHA512}
	ccfg.EnableGREASE = true
	ccfg.RequestSCTs = true
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
	if st.Group != machine.CurveP521 || st.SignatureScheme != messages.SignatureECDSAP521SHA512 {
		t.Errorf("negotiated %v / %v, want P-521 / ECDSA-P521-SHA512", st.Group, st.SignatureScheme)
	}
	if !slices.EqualFunc(st.SignedCertificateTimestamps, scts, bytes.Equal) {
		t.Errorf("SCTs %q, want %q", st.SignedCertificateTimestamps, scts)
	}
	if want := <-unique; len(want) == 0 || !bytes.Equal(st.TLSUnique, want) {
		t.Errorf("tls-unique %x, crypto/tls %x", st.TLSUnique, want)
	}
	checkEcho(t, d)
	if err := <-done; err != nil {
		t.Errorf("crypto/tls server: %v", err)
	}
}

// TestInteropFeaturesCryptoTLSClient: a crypto/tls client (which always
// asks for SCTs) against our server with a P-521 certificate and SCTs.
func TestInteropFeaturesCryptoTLSClient(t *testing.T) {
	p := getPKI(t)
	cert := p521Leaf(t, false)
	scts := [][]byte{[]byte("sct-1")}
	cert.SignedCertificateTimestamps = scts
	cn, sn := net.Pipe()
	defer sn.Close()
	ccfg := &tls.Config{
		RootCAs: p.roots, ServerName: "example.com", Time: fixedTime,
		MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
		CurvePreferences: []tls.CurveID{tls.CurveP521},
	}
	cli := tls.Client(cn, ccfg)
	type result struct {
		st  tls.ConnectionState
		err error
	}
	res := make(chan result, 1)
	go func() {
		defer cli.Close()
		err := cli.Handshake()
		res <- result{cli.ConnectionState(), err}
	}()
	scfg := serverConfig(t, "features-interop", cert)
	scfg.Groups = []machine.Group{machine.CurveP521}
	scfg.SignatureSchemes = []machine.SignatureScheme{messages.SignatureECDSAP521SHA512}
	mc, err := machine.Server(scfg)
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(mc, sn)
	sn.SetDeadline(time.Now().Add(20 * time.Second))
	if err := d.handshake(); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	r := <-res
	if r.err != nil {
		t.Fatalf("crypto/tls client: %v", r.err)
	}
	if r.st.CurveID != tls.CurveP521 || !slices.EqualFunc(r.st.SignedCertificateTimestamps, scts, bytes.Equal) {
		t.Errorf("crypto/tls saw curve %v, SCTs %q", r.st.CurveID, r.st.SignedCertificateTimestamps)
	}
	if st := mc.State(); len(st.TLSUnique) == 0 || !bytes.Equal(st.TLSUnique, r.st.TLSUnique) {
		t.Errorf("tls-unique %x, crypto/tls %x", st.TLSUnique, r.st.TLSUnique)
	}
}
