package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sanstls/sanstls/messages"
)

// stepLine matches a numbered line of the demo: "  5. ServerKeyExchange ...".
var stepLine = regexp.MustCompile(`(?m)^ *(\d+)\. (\S.*)$`)

type demoStep struct {
	num  int
	text string
}

func demoOutput(t *testing.T, o demoOptions) string {
	t.Helper()
	var out bytes.Buffer
	if err := runDemo(&out, o); err != nil {
		t.Fatalf("runDemo(%+v): %v\n%s", o, err, out.String())
	}
	return out.String()
}

func demoStepsOf(t *testing.T, out string) []demoStep {
	t.Helper()
	var steps []demoStep
	for _, m := range stepLine.FindAllStringSubmatch(out, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, demoStep{n, m[2]})
	}
	return steps
}

// checkOrder checks that steps 1 to 15 all appear, numbered in order
// except that CertificateRequest (4) follows ServerKeyExchange (5) when it
// is sent, and that the skipped ones are exactly those in skipped.
func checkOrder(t *testing.T, out string, skipped ...int) {
	t.Helper()
	steps := demoStepsOf(t, out)
	want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 14, 15, 15}
	if len(skipped) == 0 {
		want = []int{1, 2, 3, 5, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 14, 15, 15}
	}
	var got []int
	for _, s := range steps {
		got = append(got, s.num)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("step numbers %v, want %v\n%s", got, want, out)
	}
	for _, s := range steps {
		isSkipped := strings.HasSuffix(s.text, "(not requested)") || strings.HasSuffix(s.text, "(not sent: RSA key exchange)")
		wantSkipped := false
		for _, k := range skipped {
			wantSkipped = wantSkipped || k == s.num
		}
		if isSkipped != wantSkipped {
			t.Errorf("step %d: %q, skipped=%v want %v", s.num, s.text, isSkipped, wantSkipped)
		}
		if !isSkipped && !strings.HasPrefix(s.text, demoSteps[s.num]) {
			t.Errorf("step %d is %q, want it to name %s", s.num, s.text, demoSteps[s.num])
		}
	}
}

func TestDemoDefault(t *testing.T) {
	out := demoOutput(t, demoOptions{Seed: 1})
	checkOrder(t, out, 4, 7, 9)
	for _, want := range []string{
		"ClientHello        client -> server  version=TLS 1.2",
		"suites=6 groups=[X25519 P-256 P-384]",
		"suite=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
		"subject=CN=localhost",
		"ServerKeyExchange  server -> client  group=X25519 public=32 bytes sig=ecdsa_secp256r1_sha256",
		"ClientKeyExchange  client -> server  public=32 bytes",
		`"hello from the sanstls client\n"`,
		`"hello from the sanstls server\n"`,
		"close_notify       client -> server  warning close_notify",
		"close_notify       server -> client  warning close_notify",
		"ReceiveEOF reported a clean end",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Both Finished messages carry 12 bytes of verify_data (RFC 5246,
	// Section 7.4.9) and are sent after ChangeCipherSpec.
	fin := regexp.MustCompile(`Finished +(client|server) -> \S+  verify_data=([0-9a-f]{24}) \(16 bytes\) \[encrypted\]`)
	if n := len(fin.FindAllString(out, -1)); n != 2 {
		t.Errorf("found %d encrypted Finished lines with 12-byte verify_data, want 2:\n%s", n, out)
	}
}

func TestDemoClientAuth(t *testing.T) {
	out := demoOutput(t, demoOptions{Seed: 1, ClientAuth: true})
	checkOrder(t, out)
	for _, want := range []string{
		"CertificateRequest server -> client  types=[rsa_sign ecdsa_sign]",
		"Certificate        client -> server  certs=2 subject=CN=sanstls demo client",
		"CertificateVerify  client -> server  sig=ecdsa_secp256r1_sha256",
		"server verified the client chain: CN=sanstls demo client <- CN=sanstls demo CA",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDemoOptions(t *testing.T) {
	tests := []struct {
		opts  demoOptions
		wants []string
	}{
		{demoOptions{Seed: 3, Key: "rsa"}, []string{"key=RSA-2048", "suite=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "sig=rsa_pss_rsae_sha256"}},
		{demoOptions{Seed: 3, Suite: "ECDHE-RSA-CHACHA20-POLY1305"}, []string{"key=RSA-2048", "suite=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"}},
		{demoOptions{Seed: 3, Key: "ed25519"}, []string{"key=Ed25519", "sig=ed25519"}},
		{demoOptions{Seed: 3, Key: "rsa", Group: "x25519"}, []string{"groups=[X25519]", "group=X25519"}},
		{demoOptions{Seed: 3, Group: "P-384"}, []string{"groups=[P-384 P-256]", "group=P-384 public=97 bytes"}},
		{demoOptions{Seed: 3, Suite: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", Group: "secp256r1"},
			[]string{"suites=1 groups=[P-256]", "suite=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "group=P-256 public=65 bytes"}},
		{demoOptions{Seed: 3, ALPN: []string{"h2", "http/1.1"}}, []string{"alpn=[h2 http/1.1]", "alpn=h2", "ALPN: h2"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.opts), func(t *testing.T) {
			out := demoOutput(t, tt.opts)
			checkOrder(t, out, 4, 7, 9)
			for _, want := range tt.wants {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestDemoHexDump(t *testing.T) {
	out := demoOutput(t, demoOptions{Seed: 1, Hex: true})
	// The ClientHello dump starts with its handshake header: type 1, then
	// a 24-bit length.
	if !regexp.MustCompile(`ClientHello.*\n        00000000  01 00 00 `).MatchString(out) {
		t.Errorf("no hex dump of the ClientHello:\n%s", out)
	}
}

func TestDemoReproducible(t *testing.T) {
	a := demoOutput(t, demoOptions{Seed: 7, ClientAuth: true})
	b := demoOutput(t, demoOptions{Seed: 7, ClientAuth: true})
	if a != b {
		t.Fatalf("two runs with the same seed differ:\n%s\n----\n%s", a, b)
	}
	c := demoOutput(t, demoOptions{Seed: 8, ClientAuth: true})
	random := regexp.MustCompile(`random=[0-9a-f]{6}\.\.`)
	if fmt.Sprint(random.FindAllString(a, -1)) == fmt.Sprint(random.FindAllString(c, -1)) {
		t.Fatalf("seeds 7 and 8 give the same hello randoms")
	}
}

func TestDemoKeyLog(t *testing.T) {
	var kl bytes.Buffer
	demoOutput(t, demoOptions{Seed: 1, KeyLog: &kl})
	if !regexp.MustCompile(`^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$`).Match(kl.Bytes()) {
		t.Fatalf("key log = %q, want one NSS CLIENT_RANDOM line", kl.String())
	}
}

func TestDemoRejects(t *testing.T) {
	for _, o := range []demoOptions{
		{Suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Key: "ecdsa"},
		{Suite: "ECDHE-ECDSA-AES128-GCM-SHA256", Key: "rsa"},
		{Suite: "TLS_RSA_WITH_RC4_128_SHA"},
		{Group: "ffdhe2048"},
		{Key: "dsa"},
	} {
		err := runDemo(io.Discard, o)
		if err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestDemoCommandFlags(t *testing.T) {
	dir := t.TempDir()
	envLog := filepath.Join(dir, "env.keys")
	getenv := func(k string) string {
		if k == "SSLKEYLOGFILE" {
			return envLog
		}
		return ""
	}
	var out, errOut bytes.Buffer
	// Single and double dashes, and -flag=value, all parse.
	err := demoCommand([]string{"--seed=5", "-group", "X25519", "--client-auth", "-alpn=h2"}, &out, &errOut, getenv)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "seed 5 ") || !strings.Contains(out.String(), "groups=[X25519 P-256]") ||
		!strings.Contains(out.String(), "alpn=h2") || strings.Contains(out.String(), "CertificateVerify  (not requested)") {
		t.Errorf("flags not applied:\n%s", out.String())
	}
	data, err := os.ReadFile(envLog)
	if err != nil || !strings.HasPrefix(string(data), "CLIENT_RANDOM ") {
		t.Errorf("SSLKEYLOGFILE not honoured: %q, %v", data, err)
	}
	explicit := filepath.Join(dir, "flag.keys")
	if err := demoCommand([]string{"-keylog", explicit}, io.Discard, io.Discard, getenv); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(explicit); err != nil || len(data) == 0 {
		t.Errorf("-keylog not written: %q, %v", data, err)
	}
	if err := demoCommand([]string{"-nosuchflag"}, io.Discard, io.Discard, getenv); !errors.Is(err, errFlagParse) {
		t.Errorf("unknown flag: err = %v, want errFlagParse", err)
	}
	if err := demoCommand([]string{"extra"}, io.Discard, io.Discard, getenv); !errors.Is(err, errUsage) {
		t.Errorf("extra argument: err = %v, want errUsage", err)
	}
}

func TestStepOf(t *testing.T) {
	closeNotify := messages.Alert{Level: messages.AlertLevelWarning, Description: messages.AlertCloseNotify}
	failure := messages.Alert{Level: messages.AlertLevelFatal, Description: messages.AlertHandshakeFailure}
	// Every named step is reachable.
	seen := map[int]bool{}
	for _, fromClient := range []bool{true, false} {
		for hs := range 256 {
			seen[stepOf(fromClient, messages.ContentTypeHandshake, messages.HandshakeType(hs), failure)] = true
		}
		seen[stepOf(fromClient, messages.ContentTypeChangeCipherSpec, 0, failure)] = true
		seen[stepOf(fromClient, messages.ContentTypeAlert, 0, closeNotify)] = true
		seen[stepOf(fromClient, messages.ContentTypeApplicationData, 0, failure)] = true
	}
	for s := 1; s <= 15; s++ {
		if !seen[s] {
			t.Errorf("step %d (%s) is never assigned", s, demoSteps[s])
		}
	}
	tests := []struct {
		fromClient bool
		typ        messages.ContentType
		hs         messages.HandshakeType
		alert      messages.Alert
		want       int
	}{
		{true, messages.ContentTypeHandshake, messages.HandshakeTypeCertificate, failure, 7},
		{false, messages.ContentTypeHandshake, messages.HandshakeTypeCertificate, failure, 3},
		{true, messages.ContentTypeHandshake, messages.HandshakeTypeFinished, failure, 11},
		{false, messages.ContentTypeHandshake, messages.HandshakeTypeFinished, failure, 13},
		{true, messages.ContentTypeChangeCipherSpec, 0, failure, 10},
		{false, messages.ContentTypeChangeCipherSpec, 0, failure, 12},
		{false, messages.ContentTypeHandshake, messages.HandshakeTypeCertificateStatus, failure, 0},
		{true, messages.ContentTypeAlert, 0, failure, 0},
		{false, messages.ContentTypeAlert, 0, closeNotify, 15},
	}
	for _, tt := range tests {
		if got := stepOf(tt.fromClient, tt.typ, tt.hs, tt.alert); got != tt.want {
			t.Errorf("stepOf(%v, %v, %v, %v) = %d, want %d", tt.fromClient, tt.typ, tt.hs, tt.alert.Description, got, tt.want)
		}
	}
}

func TestDemoResumeAndRenegotiate(t *testing.T) {
	out := demoOutput(t, demoOptions{Seed: 1, Resume: true, Renegotiate: true})
	for _, want := range []string{
		"HelloRequest",
		"renegotiations: 1 (secure, RFC 5746)",
		"a second connection resumes the session",
		"the session was resumed",
		"NewSessionTicket",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// The abbreviated handshake has no Certificate or key exchange.
	resumed := out[strings.Index(out, "a second connection"):]
	for _, absent := range []string{"Certificate ", "ServerKeyExchange", "ClientKeyExchange"} {
		if strings.Contains(resumed, absent) {
			t.Errorf("resumed handshake shows %s:\n%s", absent, resumed)
		}
	}
}

// TestDemoEverySuite runs the demo once per suite that `sanstls list`
// prints: each must complete its handshake and exchange data (the RSA key
// exchange suites need keyEncipherment on the demo's RSA certificate).
func TestDemoEverySuite(t *testing.T) {
	var list bytes.Buffer
	if err := listCommand(nil, &list, io.Discard); err != nil {
		t.Fatal(err)
	}
	listed := regexp.MustCompile(`(?m)^ *\*? +0x[0-9a-f]{4} +(TLS_\S+)`).FindAllStringSubmatch(list.String(), -1)
	if len(listed) < 27 {
		t.Fatalf("found %d suites in the list output, want at least 27:\n%s", len(listed), list.String())
	}
	for _, m := range listed {
		suite := m[1]
		t.Run(suite, func(t *testing.T) {
			out := demoOutput(t, demoOptions{Seed: 1, Suite: suite})
			if !strings.Contains(out, "suite="+suite) {
				t.Errorf("ServerHello does not show suite=%s:\n%s", suite, out)
			}
			if strings.HasPrefix(suite, "TLS_RSA_") {
				checkOrder(t, out, 4, 5, 7, 9)
				if !strings.Contains(out, "ServerKeyExchange  (not sent: RSA key exchange)") {
					t.Errorf("step 5 is not explained:\n%s", out)
				}
			} else {
				checkOrder(t, out, 4, 7, 9)
			}
		})
	}
}
