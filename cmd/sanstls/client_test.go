package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/adapters/netconn"
	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

func TestClientAuth(t *testing.T) {
	p := newTestPKI(t)
	addr, log, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-client-auth", "verify", "-client-ca", p.caFile, "-max-conns", "2")
	out, report, err := client(t, "with a certificate\n", "-connect", addr, "-servername", "localhost", "-cafile", p.caFile,
		"-cert", p.clientCert, "-key", p.clientKey)
	if err != nil || out != "with a certificate\n" {
		t.Fatalf("client with certificate: %v, %q\n%s\n%s", err, out, report, log.String())
	}
	_, _, err = client(t, "without\n", "-connect", addr, "-servername", "localhost", "-cafile", p.caFile)
	var ae *machine.AlertError
	if !errors.As(err, &ae) || !ae.Remote || ae.Alert != messages.AlertHandshakeFailure || !strings.Contains(err.Error(), "received fatal alert handshake_failure") {
		t.Errorf("client without a certificate: %v, want a handshake_failure alert from the server", err)
	}
	waitFor(t, func() bool { return strings.Contains(log.String(), "client certificate required") }, log)
	if !strings.Contains(log.String(), "conn 1: Peer certificates:       2: CN=test client (ECDSA P-256) <- CN=cmd test CA\n") ||
		!strings.Contains(log.String(), "conn 1: Verification:            OK (CN=test client <- CN=cmd test CA)\n") ||
		!strings.Contains(log.String(), "conn 1: Client signature:        ecdsa_secp256r1_sha256\n") {
		t.Errorf("server log lacks the client certificate:\n%s", log.String())
	}
}

func TestClientReportsAlert(t *testing.T) {
	p := newTestPKI(t)
	addr, log, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-max-conns", "3")
	other, err := newAuthority("other CA", pkiOptions{Rand: seededReader(12, "other"), NotBefore: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	otherCA := filepath.Join(p.dir, "other.pem")
	writeFile(t, otherCA, certPEM(other.der))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-cafile", otherCA, "-servername", "localhost"}, "sent fatal alert unknown_ca"},
		{[]string{"-cafile", p.caFile, "-servername", "example.com"}, "sent fatal alert bad_certificate"},
		{[]string{"-insecure", "-suites", "ECDHE-RSA-AES128-GCM-SHA256"}, "received fatal alert handshake_failure"},
	}
	for _, tt := range tests {
		var errOut bytes.Buffer
		code := run(context.Background(), append([]string{"client", "-connect", addr}, tt.args...), strings.NewReader(""), io.Discard, &errOut, noEnv)
		if code != 1 || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("client %q: exit %d, stderr %q; want 1 and %q", tt.args, code, errOut.String(), tt.want)
		}
	}
	waitFor(t, func() bool { return strings.Count(log.String(), "handshake failed") == 3 }, log)
}

// client runs clientCommand with stdin and returns stdout, stderr and the
// error.
func client(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), hangLimit)
	defer cancel()
	err := clientCommand(ctx, args, strings.NewReader(stdin), &out, &errOut, noEnv)
	return out.String(), errOut.String(), err
}

// TestClientTruncation: a server that closes the TCP connection without
// close_notify makes the client fail after printing what it received.
func TestClientTruncation(t *testing.T) {
	p := newTestPKI(t)
	ln, err := netconn.Listen("tcp", "127.0.0.1:0", &machine.Config{Certificates: p.certs})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		tc := c.(*netconn.Conn)
		_ = tc.SetDeadline(time.Now().Add(hangLimit))
		if tc.Handshake() == nil {
			_, _ = io.WriteString(tc, "partial\n")
		}
		tc.NetConn().Close()
	}()
	var errOut bytes.Buffer
	var out bytes.Buffer
	stdin := make(blockingReader)
	defer close(stdin)
	code := run(context.Background(), []string{"client", "-connect", ln.Addr().String(), "-cafile", p.caFile, "-servername", "localhost"},
		stdin, &out, &errOut, noEnv)
	if code != 1 || out.String() != "partial\n" || !strings.Contains(errOut.String(), "without close_notify") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, the data, and a truncation report", code, out.String(), errOut.String())
	}
}

// blockingReader is a stdin that ends only when the channel is closed: the
// client must finish because of the server.
type blockingReader chan struct{}

func (b blockingReader) Read([]byte) (int, error) {
	<-b
	return 0, io.EOF
}
