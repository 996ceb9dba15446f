package main

// In-process tests of the server and client flags against each other.

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
)

func TestResumptionFlags(t *testing.T) {
	p := newTestPKI(t)
	base := []string{"-cert", p.ecCert, "-key", p.ecKey}
	cli := func(extra ...string) []string {
		return append([]string{"-servername", "localhost", "-cafile", p.caFile}, extra...)
	}
	for _, tc := range []struct {
		name       string
		serverArgs []string
		want       []string
	}{
		{"default", nil, []string{"New (ticket issued)", "Reused (ticket)", "Reused (ticket)"}},
		{"-no-tickets", []string{"-no-tickets"}, []string{"New (session ID issued)", "Reused (session ID)", "Reused (session ID)"}},
		{"-no-tickets -no-session-cache", []string{"-no-tickets", "-no-session-cache"},
			[]string{"New (not resumable)", "New (not resumable)", "New (not resumable)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, log, _ := startServer(t, append(base, tc.serverArgs...)...)
			out, report, err := client(t, "ping\n", cli("-connect", addr, "-reconnect", "2")...)
			if err != nil || out != "ping\n" {
				t.Fatalf("%v %q\n%s", err, out, report)
			}
			var got []string
			for _, l := range strings.Split(report, "\n") {
				if v, ok := strings.CutPrefix(l, "Session:"); ok {
					got = append(got, strings.TrimSpace(v))
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("client sessions %q, want %q\n%s", got, tc.want, report)
			}
			for i, w := range tc.want {
				waitFor(t, func() bool {
					return strings.Contains(log.String(), "conn "+string(rune('1'+i))+": "+field("Session", w))
				}, log)
			}
		})
	}

	// Two servers sharing -ticket-key-file resume each other's tickets;
	// a server with another key does not.
	keyFile := filepath.Join(p.dir, "ticket.keys")
	k1, k2 := make([]byte, 32), make([]byte, 32)
	rand.Read(k1)
	rand.Read(k2)
	writeFile(t, keyFile, []byte("# new key first\n"+hex.EncodeToString(k1)+"\n"+hex.EncodeToString(k2)+"\n"))
	otherFile := filepath.Join(p.dir, "other.keys")
	writeFile(t, otherFile, []byte(hex.EncodeToString(k2)+"\n"))
	addrA, _, _ := startServer(t, append(base, "-ticket-key-file", keyFile, "-no-session-cache")...)
	addrB, _, _ := startServer(t, append(base, "-ticket-key-file", keyFile, "-no-session-cache")...)
	addrC, _, _ := startServer(t, append(base, "-ticket-key-file", otherFile, "-no-session-cache")...)
	sess := filepath.Join(p.dir, "sess.pem")
	if _, report, err := client(t, "", cli("-connect", addrA, "-sess-out", sess)...); err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	if _, report, err := client(t, "", cli("-connect", addrB, "-sess-in", sess)...); err != nil || !strings.Contains(report, field("Session", "Reused (ticket)")) {
		t.Errorf("server B with the same keys: %v\n%s", err, report)
	}
	if _, report, err := client(t, "", cli("-connect", addrC, "-sess-in", sess)...); err != nil || !strings.Contains(report, field("Session", "New (ticket issued)")) {
		t.Errorf("server C with other keys: %v\n%s", err, report)
	}
	for _, bad := range []string{"zz\n", hex.EncodeToString(k1[:16]) + "\n", "# nothing\n"} {
		f := filepath.Join(p.dir, "bad.keys")
		writeFile(t, f, []byte(bad))
		if _, err := loadTicketKeys(f); err == nil {
			t.Errorf("ticket key file %q accepted", bad)
		}
	}
}

func TestNegotiationFlags(t *testing.T) {
	p := newTestPKI(t)
	cli := func(addr string, extra ...string) []string {
		return append([]string{"-connect", addr, "-servername", "localhost", "-cafile", p.caFile}, extra...)
	}
	// -prefer-client: the client's first suite wins.
	addr, _, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-prefer-client",
		"-suites", "ECDHE-ECDSA-AES256-GCM-SHA384,ECDHE-ECDSA-AES128-GCM-SHA256")
	_, report, err := client(t, "", cli(addr, "-suites", "ECDHE-ECDSA-AES128-GCM-SHA256,ECDHE-ECDSA-AES256-GCM-SHA384")...)
	if err != nil || !strings.Contains(report, field("Cipher", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (ECDHE-ECDSA-AES128-GCM-SHA256)")) {
		t.Errorf("-prefer-client: %v\n%s", err, report)
	}
	addr, _, _ = startServer(t, "-cert", p.ecCert, "-key", p.ecKey,
		"-suites", "ECDHE-ECDSA-AES256-GCM-SHA384,ECDHE-ECDSA-AES128-GCM-SHA256")
	_, report, err = client(t, "", cli(addr, "-suites", "ECDHE-ECDSA-AES128-GCM-SHA256,ECDHE-ECDSA-AES256-GCM-SHA384")...)
	if err != nil || !strings.Contains(report, field("Cipher", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (ECDHE-ECDSA-AES256-GCM-SHA384)")) {
		t.Errorf("server order: %v\n%s", err, report)
	}
	// -sigalgs picks the server's signature scheme.
	addr, _, _ = startServer(t, "-cert", p.rsaCert, "-key", p.rsaKey, "-sigalgs", "rsa_pkcs1_sha384,rsa_pss_rsae_sha256")
	_, report, err = client(t, "", cli(addr)...)
	if err != nil || !strings.Contains(report, field("Server signature", "rsa_pkcs1_sha384")) {
		t.Errorf("-sigalgs: %v\n%s", err, report)
	}
	// No scheme in common: the error names the flag.
	_, _, err = client(t, "", cli(addr, "-sigalgs", "ecdsa_secp256r1_sha256")...)
	if err == nil || !strings.Contains(err.Error(), "received fatal alert handshake_failure") {
		t.Errorf("client with no common scheme: %v", err)
	}
}

func TestClientCommands(t *testing.T) {
	p := newTestPKI(t)
	addr, log, _ := startServer(t, "-cert", p.ecCert, "-key", p.ecKey, "-renegotiation", "accept")
	args := []string{"-connect", addr, "-servername", "localhost", "-cafile", p.caFile}
	// "R" renegotiates; data keeps flowing around it.
	c := startClient(t, args...)
	c.waitReport(t, field("Renegotiations", "0"), 1)
	c.stdin.Write([]byte("one\nR\n"))
	c.waitReport(t, "--- renegotiation 1 done\n", 1)
	c.stdin.Write([]byte("two\n"))
	c.stdin.Close()
	if err := c.wait(t); err != nil || c.out.String() != "one\ntwo\n" {
		t.Fatalf("%v, echo %q\n%s", err, c.out.String(), c.report.String())
	}
	contains(t, "report", c.report.String(), "RENEGOTIATING\n", field("Renegotiations", "1"))
	waitFor(t, func() bool { return strings.Contains(log.String(), "conn 1: renegotiation 1 done\n") }, log)
	// -nocommands sends it as data.
	out, report, err := client(t, "R\n", append(args, "-nocommands")...)
	if err != nil || out != "R\n" || strings.Contains(report, "RENEGOTIATING") {
		t.Errorf("-nocommands: %v, echo %q\n%s", err, out, report)
	}
}

// TestServerStopsIdleConnections: stopping the server (SIGINT) ends a
// connection that is waiting for the client.
func TestServerStopsIdleConnections(t *testing.T) {
	p := newTestPKI(t)
	addr, log, stop := startServer(t, "-cert", p.ecCert, "-key", p.ecKey)
	c := startClient(t, "-connect", addr, "-servername", "localhost", "-cafile", p.caFile)
	c.waitReport(t, field("Renegotiations", "0"), 1)
	waitFor(t, func() bool { return strings.Contains(log.String(), "conn 1: Verification:") }, log)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	contains(t, "server log", log.String(), "conn 1 from ")
	contains(t, "server log", log.String(), "closed as the server stops\n")
	if err := c.wait(t); err == nil || !strings.Contains(err.Error(), "without close_notify") {
		t.Errorf("client: %v, want a truncation", err)
	}
}

func TestParseRenegotiation(t *testing.T) {
	for v, want := range map[string]int{"never": -1, "accept": -1, "initiate-after=0": 0, "initiate-after:100": 100, "initiate-after 7": 7} {
		if got, err := parseRenegotiation(v); err != nil || got != want {
			t.Errorf("parseRenegotiation(%q) = %d, %v; want %d", v, got, err, want)
		}
	}
	for _, bad := range []string{"", "initiate", "initiate-after=-1", "initiate-after=", "always"} {
		if _, err := parseRenegotiation(bad); err == nil {
			t.Errorf("parseRenegotiation(%q) accepted", bad)
		}
	}
}
