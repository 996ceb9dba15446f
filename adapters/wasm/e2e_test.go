package wasm

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanstls/sanstls/machine"
)

// hostJob is the job file testdata/host.mjs reads.
type hostJob struct {
	Client    HostConfig `json:"client"`
	Server    HostConfig `json:"server"`
	Message   string     `json:"message"`
	Payload   []byte     `json:"payload_b64"` // base64 in JSON
	ValidMs   int64      `json:"valid_ms"`
	ExpiredMs int64      `json:"expired_ms"`
}

// hostResult is what testdata/host.mjs prints.
type hostResult struct {
	Exports []string `json:"exports"`
	Modules struct {
		ClientState          ConnState `json:"client_state"`
		ServerState          ConnState `json:"server_state"`
		ServerReceived       string    `json:"server_received"`
		ClientReceivedLen    int       `json:"client_received_len"`
		ClientReceivedSHA256 string    `json:"client_received_sha256"`
		ClientEvents         []int32   `json:"client_events"`
		ServerEvents         []int32   `json:"server_events"`
		ClientCode           int32     `json:"client_code"`
		ServerCode           int32     `json:"server_code"`
		ClientEOF            int32     `json:"client_eof"`
		ServerEOF            int32     `json:"server_eof"`
		Destroy              []int32   `json:"destroy"`
	} `json:"modules"`
	Bytewise struct {
		ClientState     ConnState `json:"client_state"`
		ServerState     ConnState `json:"server_state"`
		ServerReceived  string    `json:"server_received"`
		ClientReceived  string    `json:"client_received"`
		ClientEvents    []int32   `json:"client_events"`
		ServerEvents    []int32   `json:"server_events"`
		ClientCode      int32     `json:"client_code"`
		ServerCode      int32     `json:"server_code"`
		ReceiveCalls    int       `json:"receive_calls"`
		MaxNeedBytes    int32     `json:"max_need_bytes"`
		DistinctHandles bool      `json:"distinct_handles"`
	} `json:"bytewise"`
	Expired struct {
		ClientCode        int32  `json:"client_code"`
		ClientText        string `json:"client_text"`
		ServerCode        int32  `json:"server_code"`
		ServerText        string `json:"server_text"`
		CloseAfterFailure int32  `json:"close_after_failure"`
	} `json:"expired"`
	Misuse map[string]json.RawMessage `json:"misuse"`
}

// TestNodeHost builds the wasm module and runs testdata/host.mjs under Node:
// a client and a server, in two module instances and in one, complete
// handshakes, exchange data and fail as they should.
func TestNodeHost(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the end-to-end test builds the module for wasip1 (a minute cold); run it without -short")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is required under CI: %v", err)
		}
		t.Skipf("node not found (%v); the end-to-end test needs Node 20 or later", err)
	}
	wasmPath := buildModule(t, wasip1Module)
	dir := t.TempDir()

	pki := loadPKI(t)
	job := hostJob{
		Client:    pki.client(),
		Server:    pki.server(),
		Message:   "hello from the client",
		Payload:   make([]byte, 40000), // three records
		ValidMs:   pki.leaf.NotBefore.Add(time.Hour).UnixMilli(),
		ExpiredMs: pki.leaf.NotAfter.Add(24 * time.Hour).UnixMilli(),
	}
	rand.Read(job.Payload)
	jobDoc, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	jobPath := filepath.Join(dir, "job.json")
	if err := os.WriteFile(jobPath, jobDoc, 0o600); err != nil {
		t.Fatal(err)
	}

	// The Node run takes a few seconds; like the build, it is bounded only
	// by the test binary's -timeout.
	ctx, cancel := untilTestDeadline(t)
	defer cancel()
	began := time.Now()
	run := exec.CommandContext(ctx, node, "--no-warnings", "testdata/host.mjs", wasmPath, jobPath)
	var stderr strings.Builder
	run.Stderr = &stderr
	stdout, err := run.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	t.Logf("node host ran in %v", time.Since(began).Round(time.Millisecond))
	var res hostResult
	if err := json.Unmarshal(stdout, &res); err != nil {
		t.Fatalf("node output: %v\n%s", err, stdout)
	}

	checkExports(t, res.Exports)

	// The native run of the same configuration is the reference.
	native, _ := handshake(t, newTestModule(), newTestModule(), 1<<20)
	wantSuite := native.state().CipherSuite

	mod := res.Modules
	for side, st := range map[string]ConnState{"client": mod.ClientState, "server": mod.ServerState} {
		if !st.HandshakeComplete || st.CipherSuite != wantSuite || st.ALPN != "http/1.1" || st.ServerName != "a.test" {
			t.Errorf("modules: %s state %+v; want %s, http/1.1, a.test", side, st, wantSuite)
		}
	}
	if len(mod.ClientState.PeerCertificates) != 1 || string(mod.ClientState.PeerCertificates[0]) != string(pki.leaf.Raw) {
		t.Error("modules: the client did not report the server's leaf")
	}
	if mod.ServerReceived != job.Message {
		t.Errorf("modules: server received %q, want %q", mod.ServerReceived, job.Message)
	}
	sum := sha256.Sum256(job.Payload)
	if mod.ClientReceivedLen != len(job.Payload) || mod.ClientReceivedSHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("modules: client received %d bytes with SHA-256 %s, not the payload", mod.ClientReceivedLen, mod.ClientReceivedSHA256)
	}
	done := []int32{EventHandshakeDone, EventPeerClosed}
	if !slices.Equal(mod.ClientEvents, done) || !slices.Equal(mod.ServerEvents, done) {
		t.Errorf("modules: events client %v server %v, want %v", mod.ClientEvents, mod.ServerEvents, done)
	}
	if mod.ClientCode != 0 || mod.ServerCode != 0 || mod.ClientEOF != CodeOK || mod.ServerEOF != CodeOK ||
		!slices.Equal(mod.Destroy, []int32{CodeOK, CodeOK}) {
		t.Errorf("modules: codes %d %d, EOF %d %d, destroy %v", mod.ClientCode, mod.ServerCode, mod.ClientEOF, mod.ServerEOF, mod.Destroy)
	}

	bw := res.Bytewise
	if bw.ClientCode != 0 || bw.ServerCode != 0 || !bw.DistinctHandles {
		t.Errorf("bytewise: codes %d %d, distinct handles %v", bw.ClientCode, bw.ServerCode, bw.DistinctHandles)
	}
	if bw.ClientState.CipherSuite != wantSuite || bw.ServerState.CipherSuite != wantSuite {
		t.Errorf("bytewise: suites %q %q, want %q", bw.ClientState.CipherSuite, bw.ServerState.CipherSuite, wantSuite)
	}
	if bw.ServerReceived != job.Message || bw.ClientReceived != job.Message {
		t.Errorf("bytewise: server received %q, client got back %q; want %q", bw.ServerReceived, bw.ClientReceived, job.Message)
	}
	if !slices.Equal(bw.ClientEvents, done[:1]) || !slices.Equal(bw.ServerEvents, done[:1]) {
		t.Errorf("bytewise: events client %v server %v", bw.ClientEvents, bw.ServerEvents)
	}
	// Every byte went in alone, so partial records were reported.
	if bw.MaxNeedBytes <= 0 || bw.ReceiveCalls < len(job.Message) {
		t.Errorf("bytewise: %d receive calls, largest need_bytes %d", bw.ReceiveCalls, bw.MaxNeedBytes)
	}

	ex := res.Expired
	wantLocal := AlertCode(machine.AlertCertificateExpired, false)
	if ex.ClientCode != wantLocal || !strings.Contains(ex.ClientText, "expired") || ex.CloseAfterFailure != wantLocal {
		t.Errorf("expired: client %d %q, close %d; want %d", ex.ClientCode, ex.ClientText, ex.CloseAfterFailure, wantLocal)
	}
	if ex.ServerCode != AlertCode(machine.AlertCertificateExpired, true) {
		t.Errorf("expired: server %d %q, want the remote alert", ex.ServerCode, ex.ServerText)
	}

	for name, want := range map[string]int32{
		"send_before_handshake": CodeNotReady,
		"start_on_server":       CodeWrongState,
		"start_twice":           CodeWrongState,
		"bad_config":            CodeBadConfig,
		"bad_buffer":            CodeBadBuffer,
		"alloc_zero":            0,
		"free_unlent":           CodeBadBuffer,
		"truncated":             CodeTruncated,
		"destroyed_handle":      CodeBadHandle,
	} {
		var got int32
		if err := json.Unmarshal(res.Misuse[name], &got); err != nil || got != want {
			t.Errorf("misuse %s: %s, want %d", name, res.Misuse[name], want)
		}
	}
	var text string
	if err := json.Unmarshal(res.Misuse["bad_config_text"], &text); err != nil || !strings.Contains(text, "no_such_option") {
		t.Errorf("misuse: text after a bad config: %q", text)
	}
}

var exportDirective = regexp.MustCompile(`(?m)^//go:wasmexport (\S+)$`)

// glueExports returns the names exports_wasip1.go exports.
func glueExports(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("exports_wasip1.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range exportDirective.FindAllSubmatch(src, -1) {
		names = append(names, string(m[1]))
	}
	if len(names) == 0 {
		t.Fatal("no //go:wasmexport in exports_wasip1.go")
	}
	return names
}

// checkExports compares the module's exports with the glue: the functions
// plus what every WASI reactor exports.
func checkExports(t *testing.T, got []string) {
	t.Helper()
	want := append(glueExports(t), "_initialize", "memory")
	slices.Sort(want)
	got = slices.Clone(got)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("module exports %v, want %v", got, want)
	}
}

// TestExportsDocumented checks that the package documentation lists every
// exported function, each once.
func TestExportsDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, name := range glueExports(t) {
		if seen[name] {
			t.Errorf("%s exported twice", name)
		}
		seen[name] = true
		if !regexp.MustCompile(`\b` + name + `\(`).Match(doc) {
			t.Errorf("doc.go does not document %s", name)
		}
	}
}
