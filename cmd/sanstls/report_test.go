package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanstls/sanstls/machine"
	"github.com/sanstls/sanstls/messages"
)

// TestServerCountsProbes: a TCP connect-and-close is counted, not logged
// as a failure, while bytes that are not TLS still are.
func TestServerCountsProbes(t *testing.T) {
	p := newTestPKI(t)
	addr, log, stop := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-max-conns", "4")
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	_, _ = io.ReadAll(c) // the server's alert, then its close
	c.Close()
	if out, report, err := client(t, "x", "-connect", addr, "-cafile", p.caFile, "-servername", "localhost"); err != nil || out != "x" {
		t.Fatalf("client: %v %q\n%s", err, out, report)
	}
	err = stop()
	l := log.String()
	if err == nil || err.Error() != "1 of 4 connections failed" {
		t.Errorf("serve: %v, want the plaintext connection as the one failure\n%s", err, l)
	}
	contains(t, "server log", l, "2 connection(s) closed before sending a ClientHello (port probes)\n",
		"handshake failed: sanstls: local error: protocol_version: peer sent an HTTP request, not TLS (sent fatal alert protocol_version, reason http_request)")
	if n := strings.Count(l, "handshake failed"); n != 1 {
		t.Errorf("%d handshake failures logged, want 1:\n%s", n, l)
	}
}

func TestExplainHints(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&machine.AlertError{Alert: messages.AlertHandshakeFailure, Reason: "missing_ems", Err: errors.New("peer does not support extended master secret (RFC 7627)")},
			"sent fatal alert handshake_failure, reason missing_ems; -allow-no-ems to accept)"},
		{&machine.AlertError{Alert: messages.AlertHandshakeFailure, Reason: "no_shared_suite", Err: errors.New("no cipher suite in common")},
			"reason no_shared_suite; enable more suites with -suites"},
		{&machine.AlertError{Alert: messages.AlertBadRecordMAC, Reason: "bad_record_mac", Err: errors.New("record authentication failed")},
			"(sent fatal alert bad_record_mac, reason bad_record_mac)"},
		{&machine.AlertError{Alert: messages.AlertHandshakeFailure, Remote: true},
			"received fatal alert handshake_failure; the peer refused the handshake"},
		{fmt.Errorf("x: %w", machine.ErrTruncated), "without close_notify"},
	} {
		got := explain(tt.err)
		if !strings.Contains(got.Error(), tt.want) || !errors.Is(got, tt.err) {
			t.Errorf("explain(%v) = %q, want it to contain %q and wrap the error", tt.err, got, tt.want)
		}
	}
}

// TestReportKeyExchange checks the Group and signature lines for DHE with
// an RFC 7919 group, DHE with a custom group (OpenSSL's s_server with RFC
// 3526's 2048-bit MODP group) and RSA key exchange.
func TestReportKeyExchange(t *testing.T) {
	p := newInteropPKI(t)
	t.Run("ffdhe", func(t *testing.T) {
		addr, log, stop := startServer(t, "-cert", p.rsaCert, "-key", p.rsaKey, "-suites", "DHE-RSA-AES128-GCM-SHA256",
			"-groups", "ffdhe3072", "-max-conns", "1")
		_, report, err := client(t, "x", "-connect", addr, "-cafile", p.caFile, "-servername", "localhost", "-suites", "LEGACY")
		if err != nil {
			t.Fatalf("%v\n%s", err, report)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		contains(t, "client report", report, field("Group", "ffdhe3072 (3072 bits)"), field("Server signature", "rsa_pss_rsae_sha256"))
		contains(t, "server log", log.String(), "conn 1: "+field("Group", "ffdhe3072 (3072 bits)"))
	})
	t.Run("custom DH", func(t *testing.T) {
		params := filepath.Join(p.dir, "modp2048.pem")
		if out, err := exec.Command(needPeer(t, "openssl"), "genpkey", "-genparam", "-algorithm", "DH",
			"-pkeyopt", "group:modp_2048", "-out", params).CombinedOutput(); err != nil {
			t.Fatalf("openssl genpkey: %v\n%s", err, out)
		}
		_, addr := startSServerCert(t, p.rsaCert, p.rsaKey, "-www", "-dhparam", params)
		_, report, err := client(t, "", clientArgs(p, addr, "-suites", "DHE-RSA-AES128-GCM-SHA256")...)
		if err != nil {
			t.Fatalf("%v\n%s", err, report)
		}
		contains(t, "report", report, field("Group", "DH custom group (2048 bits)"))
	})
	t.Run("RSA key exchange", func(t *testing.T) {
		_, addr := startSServerCert(t, p.rsaCert, p.rsaKey, "-www")
		_, report, err := client(t, "", clientArgs(p, addr, "-suites", "AES128-GCM-SHA256", "-brief")...)
		if err != nil {
			t.Fatalf("%v\n%s", err, report)
		}
		contains(t, "report", report, field("Group", "none (RSA key exchange)"), field("Cipher", "TLS_RSA_WITH_AES_128_GCM_SHA256 (AES128-GCM-SHA256)"))
		// -brief keeps five lines.
		for _, gone := range []string{"Server signature:", "Server certificate chain:", "ALPN protocol:"} {
			if strings.Contains(report, gone) {
				t.Errorf("-brief report has %q:\n%s", gone, report)
			}
		}
	})
}

// TestClientShowCerts: -showcerts prints the chain as PEM.
func TestClientShowCerts(t *testing.T) {
	p := newTestPKI(t)
	addr, _, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey)
	_, report, err := client(t, "", "-connect", addr, "-cafile", p.caFile, "-servername", "localhost", "-showcerts")
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	if n := strings.Count(report, "-----BEGIN CERTIFICATE-----"); n != 2 {
		t.Errorf("-showcerts printed %d certificates, want 2:\n%s", n, report)
	}
}

func TestStateFields(t *testing.T) {
	st := machine.ConnectionState{Version: 0x0303, CipherSuite: 0xc02f, Group: machine.X25519, ExtendedMasterSecret: true, DidResume: true, ServerName: "a"}
	got := stateSummary(st)
	for _, want := range []string{"Protocol=TLS 1.2", "Cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (ECDHE-RSA-AES128-GCM-SHA256)",
		"Group=X25519", "Extended master secret=yes", "Session=Reused;", "Peer signature=none", "Server name=a"} {
		if !strings.Contains(got, want) {
			t.Errorf("stateSummary = %q, lacks %q", got, want)
		}
	}
}
