package wasm

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// jsTarget is the GOOS=js module that testdata/js_host.mjs loads.
var jsTarget = wasmTarget{goos: "js", goarch: "wasm", pkg: "./cmd/sanstls-js", out: "sanstls.wasm", trimpath: true, ldflags: "-s -w"}

// goroot is the Go installation's root, for its wasm_exec.js.
var goroot = sync.OnceValues(func() (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	out, err := exec.Command(goTool, "env", "GOROOT").Output()
	return strings.TrimSpace(string(out)), err
})

// buildJSModule builds adapters/wasm/cmd/sanstls-js for GOOS=js (once per
// test binary, see buildModule) and finds the wasm_exec.js of the same Go
// installation.
func buildJSModule(t *testing.T) (wasmPath, wasmExec string) {
	t.Helper()
	wasmPath = buildModule(t, jsTarget)
	root, err := goroot()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	wasmExec = filepath.Join(root, "lib", "wasm", "wasm_exec.js")
	if _, err := os.Stat(wasmExec); err != nil {
		t.Fatal(err)
	}
	return wasmPath, wasmExec
}

// jsResult is what testdata/js_host.mjs prints.
type jsResult struct {
	Full struct {
		Error          string            `json:"error"`
		ClientSent     []string          `json:"client_sent"`
		ServerSent     []string          `json:"server_sent"`
		ClientReceived []string          `json:"client_received"`
		Done           []bool            `json:"done"`
		HelloFields    map[string]string `json:"hello_fields"`
		Encrypted      []bool            `json:"encrypted"`
		RawIsBytes     bool              `json:"raw_is_bytes"`
		State          ConnState         `json:"state"`
		KeyLog         string            `json:"key_log"`
		Pending        int               `json:"pending"`
		FirstAnswer    int               `json:"first_part_answer"`
		ServerData     string            `json:"server_data"`
		PeerClosed     bool              `json:"peer_closed"`
		AfterDestroy   json.RawMessage   `json:"after_destroy"`
	} `json:"full"`
	SendEarly json.RawMessage `json:"send_early"`
	BadConfig json.RawMessage `json:"bad_config"`
	Tamper    struct {
		ThrownAlert  int           `json:"thrown_alert"`
		ThrownRemote *bool         `json:"thrown_remote"`
		ServerEvent  *jsErrorEvent `json:"server_event"`
		ClientEvent  *jsErrorEvent `json:"client_event"`
	} `json:"tamper"`
	Renegotiation struct {
		Error string `json:"error"`
		Count int    `json:"count"`
	} `json:"renegotiation"`
	Resumed struct {
		State      ConnState `json:"state"`
		ClientSent []string  `json:"client_sent"`
	} `json:"resumed"`
	SeededEqual  bool     `json:"seeded_equal"`
	SeededDiffer bool     `json:"seeded_differ"`
	Suites       []string `json:"suites"`
}

type jsErrorEvent struct {
	Kind      string `json:"kind"`
	AlertName string `json:"alertName"`
	Remote    bool   `json:"remote"`
	Code      int32  `json:"code"`
	Reason    string `json:"reason"`
}

// TestJSBinding runs the GOOS=js module under Node through js/sanstls.js:
// handshake with decoded messages, data, close, misuse, a tampered Finished,
// resumption, renegotiation and seeded randomness.
func TestJSBinding(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the binding test builds the module for GOOS=js (a minute cold); run it without -short")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is required under CI: %v", err)
		}
		t.Skipf("node not found (%v); the GOOS=js binding test needs Node 20 or later", err)
	}
	wasmPath, wasmExec := buildJSModule(t)
	pki := loadPKI(t)
	job := map[string]HostConfig{"client": pki.client(), "server": pki.server()}
	doc, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	jobPath := filepath.Join(t.TempDir(), "job.json")
	if err := os.WriteFile(jobPath, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	// Bounded only by the test binary's -timeout, like the build.
	ctx, cancel := untilTestDeadline(t)
	defer cancel()
	began := time.Now()
	run := exec.CommandContext(ctx, node, "--no-warnings", "testdata/js_host.mjs", wasmExec, wasmPath, jobPath)
	var stderr strings.Builder
	run.Stderr = &stderr
	stdout, err := run.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	t.Logf("node ran in %v", time.Since(began).Round(time.Millisecond))
	var r jsResult
	if err := json.Unmarshal(stdout, &r); err != nil {
		t.Fatalf("node output: %v\n%s", err, stdout)
	}

	f := r.Full
	if f.Error != "" || !slices.Equal(f.Done, []bool{true, true}) {
		t.Fatalf("handshake: error %q, done %v", f.Error, f.Done)
	}
	if want := []string{"ClientHello", "ClientKeyExchange", "ChangeCipherSpec", "Finished"}; !slices.Equal(f.ClientSent, want) {
		t.Errorf("client sent %v, want %v", f.ClientSent, want)
	}
	if want := []string{"ServerHello", "Certificate", "ServerKeyExchange", "ServerHelloDone", "ChangeCipherSpec", "Finished"}; !slices.Equal(f.ServerSent, want) {
		t.Errorf("server sent %v, want %v", f.ServerSent, want)
	}
	if !slices.Equal(f.ClientReceived, f.ServerSent) {
		t.Errorf("client received %v, server sent %v", f.ClientReceived, f.ServerSent)
	}
	if f.HelloFields["server_name"] != "a.test" || f.HelloFields["extended_master_secret"] != "yes" ||
		!strings.Contains(f.HelloFields["cipher_suites"], "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") || len(f.HelloFields["random"]) != 64 {
		t.Errorf("ClientHello fields %v", f.HelloFields)
	}
	if n := len(f.Encrypted); n != 6 || f.Encrypted[0] || f.Encrypted[4] || !f.Encrypted[5] {
		t.Errorf("server messages encrypted %v, want only the Finished", f.Encrypted)
	}
	if !f.RawIsBytes {
		t.Error("message raw is not a Uint8Array")
	}
	if !f.State.HandshakeComplete || f.State.ALPN != "http/1.1" || f.State.Group != "x25519" || f.State.CipherSuite == "" {
		t.Errorf("client state %+v", f.State)
	}
	if !strings.HasPrefix(f.KeyLog, "CLIENT_RANDOM "+f.HelloFields["random"]+" ") {
		t.Errorf("key log %q does not name the ClientHello's random", f.KeyLog)
	}
	if f.Pending != 3 || f.FirstAnswer != 0 || f.ServerData != "ping from node" || !f.PeerClosed {
		t.Errorf("data: pending %d, answer %d, received %q, peer closed %v", f.Pending, f.FirstAnswer, f.ServerData, f.PeerClosed)
	}
	if string(f.AfterDestroy) != "-1" || string(r.SendEarly) != "-4" || string(r.BadConfig) != "-3" {
		t.Errorf("codes: after destroy %s (want -1), send early %s (want -4), bad config %s (want -3)", f.AfterDestroy, r.SendEarly, r.BadConfig)
	}

	tm := r.Tamper
	if tm.ThrownAlert != 20 || tm.ThrownRemote == nil || *tm.ThrownRemote {
		t.Errorf("tamper: thrown alert %d remote %v, want bad_record_mac (20) sent by the server", tm.ThrownAlert, tm.ThrownRemote)
	}
	if e := tm.ServerEvent; e == nil || e.AlertName != "bad_record_mac" || e.Remote || e.Code != AlertCode(20, false) {
		t.Errorf("tamper: server error event %+v", e)
	}
	if e := tm.ClientEvent; e == nil || e.AlertName != "bad_record_mac" || !e.Remote {
		t.Errorf("tamper: client error event %+v", e)
	}
	if r.Renegotiation.Error != "" || r.Renegotiation.Count != 1 {
		t.Errorf("renegotiation: %+v", r.Renegotiation)
	}
	if !r.Resumed.State.Resumed || !slices.Equal(r.Resumed.ClientSent, []string{"ClientHello", "ChangeCipherSpec", "Finished"}) {
		t.Errorf("resumption: resumed %v, client sent %v", r.Resumed.State.Resumed, r.Resumed.ClientSent)
	}
	if !r.SeededEqual || !r.SeededDiffer {
		t.Errorf("seed: equal %v, differ %v", r.SeededEqual, r.SeededDiffer)
	}
	if !slices.Contains(r.Suites, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256") {
		t.Errorf("suites %v", r.Suites)
	}
}
