package machine_test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// legacySuites lists the opt-in suites.
func legacySuites() []machine.CipherSuiteInfo {
	var out []machine.CipherSuiteInfo
	for _, s := range machine.SupportedCipherSuites() {
		if !s.Default {
			out = append(out, s)
		}
	}
	return out
}

func TestLegacySuitesAreOptIn(t *testing.T) {
	if len(legacySuites()) < 20 {
		t.Fatalf("only %d legacy suites", len(legacySuites()))
	}
	// A default client offers none of them, and a default server refuses
	// a client that offers only legacy suites.
	ccfg := clientConfig(t, "optin")
	ccfg.CipherSuites = []uint16{machine.TLS_RSA_WITH_AES_128_GCM_SHA256}
	pr := newPair(t, ccfg, serverConfig(t, "optin"))
	pr.run()
	if a, _ := alertOf(t, pr.server.err); a != machine.AlertHandshakeFailure {
		t.Fatalf("server: %v, want handshake_failure", pr.server.err)
	}
}

// TestLegacySuites runs every legacy suite in memory (CBC suites between two
// sanstls peers use encrypt-then-MAC; MAC-then-encrypt is exercised against
// crypto/tls below).
func TestLegacySuites(t *testing.T) {
	p := getPKI(t)
	for _, s := range legacySuites() {
		{
			t.Run(s.Name, func(t *testing.T) {
				ccfg := clientConfig(t, "legacy")
				ccfg.CipherSuites = []uint16{s.ID}
				cert := p.rsa
				if strings.Contains(s.Name, "ECDSA") {
					cert = p.ecdsa
				}
				scfg := serverConfig(t, "legacy", cert)
				scfg.CipherSuites = []uint16{s.ID}
				pr := newPair(t, ccfg, scfg)
				pr.handshake()
				if got := pr.client.conn.State().CipherSuite; got != s.ID {
					t.Fatalf("negotiated %#x", got)
				}
				msg := bytes.Repeat([]byte("legacy "), 3000)
				pr.write(pr.client, msg)
				pr.write(pr.server, msg[:17])
				pr.close(pr.client)
				pr.close(pr.server)
				pr.run()
				if !bytes.Equal(pr.server.received, msg) || !bytes.Equal(pr.client.received, msg[:17]) {
					t.Fatal("data mismatch")
				}
			})
		}
	}
}

// TestLegacyInteropCryptoTLS: RSA key exchange and CBC suites (with
// crypto/tls, which does not do encrypt-then-MAC, so MAC-then-encrypt with
// the Lucky13 countermeasure) in both directions.
func TestLegacyInteropCryptoTLS(t *testing.T) {
	p := getPKI(t)
	suites := []uint16{
		machine.TLS_RSA_WITH_AES_128_GCM_SHA256, machine.TLS_RSA_WITH_AES_256_GCM_SHA384,
		machine.TLS_RSA_WITH_AES_128_CBC_SHA, machine.TLS_RSA_WITH_AES_256_CBC_SHA, machine.TLS_RSA_WITH_AES_128_CBC_SHA256,
		machine.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, machine.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
		machine.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, machine.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		machine.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, machine.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	}
	for _, suite := range suites {
		name := machine.CipherSuiteName(suite)
		cert, tcert := p.rsa, p.tlsRSA
		if strings.Contains(name, "ECDSA") {
			cert, tcert = p.ecdsa, p.tlsECDSA
		}
		t.Run("our client/"+name, func(t *testing.T) {
			cn, sn := net.Pipe()
			defer cn.Close()
			scfg := tlsServerConfig(t, tcert)
			scfg.CipherSuites = []uint16{suite}
			srv := tls.Server(sn, scfg)
			done := make(chan error, 1)
			go func() { done <- echoServer(srv) }()
			ccfg := clientConfig(t, "legacy-interop")
			ccfg.CipherSuites = []uint16{suite}
			mc, _ := machine.Client(ccfg)
			d := newDriver(mc, cn)
			cn.SetDeadline(time.Now().Add(20 * time.Second))
			if err := d.handshake(); err != nil {
				t.Fatalf("handshake: %v", err)
			}
			checkEcho(t, d)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
		t.Run("their client/"+name, func(t *testing.T) {
			cn, sn := net.Pipe()
			defer sn.Close()
			scfg := serverConfig(t, "legacy-interop", cert)
			scfg.CipherSuites = []uint16{suite}
			ms, _ := machine.Server(scfg)
			errc := make(chan error, 1)
			go func() {
				d := newDriver(ms, sn)
				if err := d.handshake(); err != nil {
					errc <- err
					return
				}
				got, err := d.readN(5)
				if err == nil && string(got) != "hello" {
					err = fmt.Errorf("got %q", got)
				}
				if err == nil {
					err = d.send([]byte("world"))
				}
				errc <- err
			}()
			cli := tls.Client(cn, &tls.Config{RootCAs: p.roots, ServerName: "example.com", Time: fixedTime,
				MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}})
			cli.SetDeadline(time.Now().Add(20 * time.Second))
			if _, err := cli.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 5)
			if _, err := cli.Read(buf); err != nil || string(buf) != "world" {
				t.Fatalf("read %q %v", buf, err)
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		})
	}
}
