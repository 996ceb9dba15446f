package netconn_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/internal/testkit"
	"github.com/sanstls/sanstls/machine"
)

// TestSystemRootsByDefault: a client with nil RootCAs verifies against the
// system pool, as crypto/tls does. The test re-runs itself with
// SSL_CERT_FILE naming the test CA (crypto/x509 reads the system pool once
// per process), where the handshake must succeed, and checks here that
// without that variable the same CA is unknown.
func TestSystemRootsByDefault(t *testing.T) {
	if os.Getenv("NETCONN_SYSTEM_ROOTS_CHILD") == "1" {
		// This process has not loaded the system pool yet: point it at
		// the test CA first.
		dir := t.TempDir()
		caFile := filepath.Join(dir, "ca.pem")
		if err := os.WriteFile(caFile, testkit.CertPEM(pki().caDER), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("SSL_CERT_FILE", caFile)
		t.Setenv("SSL_CERT_DIR", dir)
		a, b := pipePair(t)
		client := netconn.Client(a, &netconn.Config{ServerName: "a.test"})
		server := netconn.Server(b, ourServerConfig(pki().ecdsaA))
		if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
			t.Fatalf("with the test CA as system root: %v, %v", errA, errB)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSystemRootsByDefault$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "NETCONN_SYSTEM_ROOTS_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestSystemRootsByDefault") {
		t.Fatalf("child: %v\n%s", err, out)
	}

	// Here the system pool does not hold the test CA.
	a, b := pipePair(t)
	client := netconn.Client(a, &netconn.Config{ServerName: "a.test"})
	server := netconn.Server(b, ourServerConfig(pki().ecdsaA))
	errA, _ := handshakeBoth(client, server)
	var ae *machine.AlertError
	if !errors.As(errA, &ae) || ae.Alert != alertUnknownCA {
		t.Fatalf("client error %v, want unknown_ca", errA)
	}
}

// resumes runs two handshakes with the given configs and reports whether
// the second resumed.
func resumes(t *testing.T, ccfg *netconn.Config, scfg1, scfg2 *netconn.Config) bool {
	t.Helper()
	for i, scfg := range []*netconn.Config{scfg1, scfg2} {
		a, b := pipePair(t)
		client, server := netconn.Client(a, ccfg), netconn.Server(b, scfg)
		if errA, errB := handshakeBoth(client, server); errA != nil || errB != nil {
			t.Fatalf("handshake %d: %v, %v", i, errA, errB)
		}
		if i == 1 {
			return client.ConnectionState().DidResume && server.ConnectionState().DidResume
		}
	}
	panic("unreachable")
}

func TestTicketsOnByDefault(t *testing.T) {
	withCache := func() *netconn.Config {
		c := ourClientConfig()
		c.ClientSessionCache = netconn.NewLRUClientSessionCache(4)
		return c
	}
	scfg := ourServerConfig(pki().ecdsaA)
	if !resumes(t, withCache(), scfg, scfg) {
		t.Error("no resumption with default server tickets")
	}
	if resumes(t, ourClientConfig(), scfg, scfg) {
		t.Error("a client without a session cache resumed")
	}
	off := ourServerConfig(pki().ecdsaA)
	off.TicketKeys = [][32]byte{}
	if resumes(t, withCache(), off, off) {
		t.Error("resumed with tickets turned off")
	}
	// Each Config has its own keys: a ticket from one server
	// configuration does not resume under another.
	other := ourServerConfig(pki().ecdsaA)
	if resumes(t, withCache(), scfg, other) {
		t.Error("a ticket issued under one Config resumed under another")
	}
	// Explicit keys are used as given.
	explicit := ourServerConfig(pki().ecdsaA)
	explicit.TicketKeys = [][32]byte{{1}}
	if !resumes(t, withCache(), explicit, explicit) {
		t.Error("no resumption with explicit ticket keys")
	}
}

// TestListenerTicketsOnByDefault: a listener's connections share its
// Config's automatic ticket keys.
func TestListenerTicketsOnByDefault(t *testing.T) {
	ln, err := netconn.Listen("tcp", "127.0.0.1:0", ourServerConfig(pki().ecdsaA))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(deadline(t))
				c.Write([]byte("x"))
			}()
		}
	}()
	ccfg := ourClientConfig()
	ccfg.ClientSessionCache = netconn.NewLRUClientSessionCache(4)
	for i := range 2 {
		ctx, cancel := context.WithDeadline(context.Background(), deadline(t))
		c, err := netconn.DialContext(ctx, "tcp", ln.Addr().String(), ccfg)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Read(make([]byte, 1)); err != nil { // the ticket arrives with the handshake
			t.Fatal(err)
		}
		if got := c.ConnectionState().DidResume; got != (i == 1) {
			t.Errorf("connection %d: DidResume %v", i, got)
		}
		c.Close()
	}
}
