package browsertest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// pageTimeout bounds one page run, which takes seconds: a ceiling against
// hangs, not a performance check. Building sanstls and its WebAssembly
// module (two minutes or more cold on a loaded machine) is bounded only by
// the test binary's -timeout.
const pageTimeout = 2 * time.Minute

// chromiumFlags are the flags of every browser this test starts (plus a
// fresh --user-data-dir).
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
}

// findChromium returns the browser, failing under CI=true when it is
// missing and skipping otherwise.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is required under CI (apt-get install -y chromium)")
	}
	t.Skip("chromium not found; install it with apt-get install -y chromium")
	return ""
}

// server is one `sanstls web` for the whole test run.
var server struct {
	once sync.Once
	url  string
	cmd  *exec.Cmd
	err  error
	log  bytes.Buffer
}

// startServer builds cmd/sanstls from this checkout and runs
// `sanstls web -listen 127.0.0.1:0`, which builds the module and prints
// the address it serves.
func startServer(t *testing.T) string {
	t.Helper()
	server.once.Do(func() {
		root, err := filepath.Abs("../../..")
		if err != nil {
			server.err = err
			return
		}
		dir, err := os.MkdirTemp("", "sanstls-browsertest")
		if err != nil {
			server.err = err
			return
		}
		bin := filepath.Join(dir, "sanstls")
		ctx, cancel := context.WithCancel(context.Background())
		if dl, ok := t.Deadline(); ok {
			ctx, cancel = context.WithDeadline(context.Background(), dl.Add(-30*time.Second))
		}
		defer cancel()
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/sanstls")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			server.err = fmt.Errorf("building sanstls: %v\n%s", err, out)
			return
		}
		cmd := exec.Command(bin, "web", "-listen", "127.0.0.1:0", "-src", root)
		cmd.Stderr = &server.log
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			server.err = err
			return
		}
		if err := cmd.Start(); err != nil {
			server.err = err
			return
		}
		server.cmd = cmd
		found := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if m := regexp.MustCompile(`serving (http://\S+/)`).FindStringSubmatch(sc.Text()); m != nil {
					found <- m[1]
				}
			}
			close(found)
		}()
		select {
		case u, ok := <-found:
			if !ok {
				server.err = fmt.Errorf("sanstls web exited before serving: %s", server.log.String())
			}
			server.url = u
		case <-ctx.Done():
			server.cmd.Process.Kill()
			server.err = fmt.Errorf("sanstls web did not start before the test deadline: %s", server.log.String())
		}
	})
	if server.err != nil {
		t.Fatal(server.err)
	}
	return server.url
}

func TestMain(m *testing.M) {
	code := m.Run()
	if server.cmd != nil {
		server.cmd.Process.Kill()
		server.cmd.Wait()
	}
	os.Exit(code)
}

// browser starts a headless chromium and returns a DevTools context.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium(t)
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 1000)}
	for _, f := range chromiumFlags {
		opts = append(opts, chromedp.Flag(strings.TrimPrefix(f, "--"), true))
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, pageTimeout)
	t.Cleanup(cancel)
	return ctx
}

// pageRow is one row of the page's sequence diagram.
type pageRow struct {
	Step  string `json:"step"`
	State string `json:"state"` // sent, skipped, pending
	Name  string `json:"name"`
	Dir   string `json:"dir"` // c2s, s2c
	Enc   bool   `json:"enc"`
	Tamp  bool   `json:"tampered"`
}

type pageSection struct {
	Kind string    `json:"kind"`
	Rows []pageRow `json:"rows"`
}

type pageResult struct {
	Done     string            `json:"done"`
	Sections []pageSection     `json:"sections"`
	Suite    string            `json:"suite"`
	Resumed  string            `json:"resumed"`
	KeyLog   string            `json:"keyLog"`
	Alert    string            `json:"alert"`
	Sender   string            `json:"sender"`
	Hello    map[string]string `json:"hello"`  // the first ClientHello's decoded fields
	SHello   map[string]string `json:"shello"` // the first ServerHello's
	Reneg    int               `json:"reneg"`
	Flights  int               `json:"flights"`
}

// collect reads the finished page.
const collect = `(() => {
  const rows = (s) => [...s.querySelectorAll("li.row")].map((r) => ({
    step: r.dataset.step, state: r.dataset.state, name: r.dataset.name, dir: r.dataset.dir,
    enc: !!r.querySelector(".tag.enc"), tampered: r.classList.contains("tampered") }));
  const t = window.sanstlsTranscript();
  const msgs = t.connections.flatMap((c) => c.flights.flatMap((f) => f.messages));
  const box = document.getElementById("alertBox");
  return {
    done: document.body.dataset.done,
    sections: [...document.querySelectorAll("#diagram .section")].map((s) => ({ kind: s.dataset.section, rows: rows(s) })),
    suite: document.getElementById("negSuite").textContent,
    resumed: document.getElementById("negResumed").textContent,
    keyLog: document.getElementById("keyLog").textContent,
    alert: box.hidden ? "" : box.dataset.alert, sender: box.hidden ? "" : box.dataset.sender,
    hello: msgs.find((m) => m.name === "ClientHello").fields,
    shello: (msgs.find((m) => m.name === "ServerHello") || { fields: {} }).fields,
    reneg: (t.negotiated || {}).renegotiations || 0,
    flights: t.connections.reduce((n, c) => n + c.flights.length, 0),
  };
})()`

// runPage loads the page with query (run=1 and speed=0 added) and waits for
// the run to end.
func runPage(t *testing.T, ctx context.Context, query string) pageResult {
	t.Helper()
	u := startServer(t) + "?run=1&speed=0" + query
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[string](`document.body.dataset.done`, chromedp.WithPollingTimeout(pageTimeout))); err != nil {
		t.Fatalf("%s: the run did not end: %v", u, err)
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[pageResult](collect))
	if err != nil {
		t.Fatalf("%s: reading the page: %v", u, err)
	}
	return r
}

// sentSteps lists the numbered rows of a section that were sent, as
// "step:dir", in page order.
func sentSteps(s pageSection) []string {
	var out []string
	for _, r := range s.Rows {
		if r.State == "sent" && r.Step != "" {
			out = append(out, r.Step+":"+r.Dir)
		}
	}
	return out
}

func stepsWith(s pageSection, state string) []string {
	var out []string
	for _, r := range s.Rows {
		if r.State == state {
			out = append(out, r.Step)
		}
	}
	return out
}

var keyLogLine = regexp.MustCompile(`CLIENT_RANDOM ([0-9a-f]{64}) [0-9a-f]{96}`)

// checkCommon checks what every successful run shows: the negotiated suite
// is the one the ServerHello carries and the ClientHello offered, and the
// key log names the ClientHello's random.
func checkCommon(t *testing.T, r pageResult) {
	t.Helper()
	if r.Done != "ok" {
		t.Fatalf("run ended %q (alert %q from %q)", r.Done, r.Alert, r.Sender)
	}
	if r.Suite == "" || r.Suite != r.SHello["cipher_suite"] || !strings.Contains(r.Hello["cipher_suites"], r.Suite) {
		t.Errorf("negotiated suite %q; ServerHello says %q; ClientHello offered %q", r.Suite, r.SHello["cipher_suite"], r.Hello["cipher_suites"])
	}
	m := keyLogLine.FindStringSubmatch(r.KeyLog)
	if m == nil || m[1] != r.Hello["random"] {
		t.Errorf("key log %q does not name the ClientHello random %q", r.KeyLog, r.Hello["random"])
	}
}

// fullOrder is the wire order of a full handshake without client
// authentication, with each step's direction.
var fullOrder = []string{"1:c2s", "2:s2c", "3:s2c", "5:s2c", "6:s2c", "8:c2s", "10:c2s", "11:c2s", "12:s2c", "13:s2c", "14:c2s", "14:s2c", "15:c2s", "15:s2c"}

func TestDefaultHandshake(t *testing.T) {
	ctx := browser(t)
	r := runPage(t, ctx, "")
	checkCommon(t, r)
	if len(r.Sections) != 1 || r.Sections[0].Kind != "full" {
		t.Fatalf("sections %+v", r.Sections)
	}
	s := r.Sections[0]
	if got := sentSteps(s); !slices.Equal(got, fullOrder) {
		t.Errorf("sent steps %v, want %v", got, fullOrder)
	}
	if got := stepsWith(s, "skipped"); !slices.Equal(got, []string{"4", "7", "9"}) {
		t.Errorf("greyed steps %v, want 4 7 9", got)
	}
	// Every row, sent or greyed, is in wire order: 1 2 3 5 4 6 7 8 9 10 ...
	var all []string
	for _, row := range s.Rows {
		all = append(all, row.Step)
	}
	if want := []string{"1", "2", "3", "5", "4", "6", "7", "8", "9", "10", "11", "12", "13", "14", "14", "15", "15"}; !slices.Equal(all, want) {
		t.Errorf("rows %v, want %v", all, want)
	}
	// Encryption marks: the Finished messages and everything after.
	for _, row := range s.Rows {
		if row.State != "sent" {
			continue
		}
		wantEnc := row.Step == "11" || row.Step == "13" || row.Step == "14" || row.Step == "15"
		if row.Enc != wantEnc {
			t.Errorf("step %s %s: encrypted %v, want %v", row.Step, row.Name, row.Enc, wantEnc)
		}
	}

	// The screenshot of the README: the finished run with the ClientHello
	// expanded (by keyboard: focus, Enter).
	if err := chromedp.Do(ctx,
		chromedp.Focus(`#diagram li.row[data-step="1"] button.msg`),
		chromedp.KeyEvent("\r"),
	); err != nil {
		t.Fatal(err)
	}
	expanded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector('#diagram li.row[data-step="1"] .details').hidden && document.querySelector('#diagram li.row[data-step="1"] .details table').rows.length > 5`))
	if err != nil || !expanded {
		t.Errorf("Enter on the ClientHello row did not show its fields (%v)", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil || img.Bounds().Dx() < 1000 || img.Bounds().Dy() < 1000 {
		t.Fatalf("screenshot: %v, %v", err, img)
	}
	out := os.Getenv("SANSTLS_SCREENSHOT")
	if out == "" {
		out = filepath.Join(t.TempDir(), "web.png")
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %dx%d written to %s", img.Bounds().Dx(), img.Bounds().Dy(), out)
}

func TestClientAuth(t *testing.T) {
	r := runPage(t, browser(t), "&auth=1&key=rsa")
	checkCommon(t, r)
	want := []string{"1:c2s", "2:s2c", "3:s2c", "5:s2c", "4:s2c", "6:s2c", "7:c2s", "8:c2s", "9:c2s", "10:c2s", "11:c2s", "12:s2c", "13:s2c", "14:c2s", "14:s2c", "15:c2s", "15:s2c"}
	if got := sentSteps(r.Sections[0]); !slices.Equal(got, want) {
		t.Errorf("sent steps %v, want %v", got, want)
	}
	if !strings.Contains(r.Suite, "_RSA_") {
		t.Errorf("suite %s with an RSA server key", r.Suite)
	}
}

func TestResumption(t *testing.T) {
	r := runPage(t, browser(t), "&resume=1")
	checkCommon(t, r)
	if len(r.Sections) != 2 || r.Sections[1].Kind != "resumed" {
		t.Fatalf("sections %+v", r.Sections)
	}
	// The abbreviated handshake: the server's ChangeCipherSpec and
	// Finished come first.
	want := []string{"1:c2s", "2:s2c", "12:s2c", "13:s2c", "10:c2s", "11:c2s", "14:c2s", "14:s2c", "15:c2s", "15:s2c"}
	if got := sentSteps(r.Sections[1]); !slices.Equal(got, want) {
		t.Errorf("resumed connection sent %v, want %v", got, want)
	}
	if !strings.HasPrefix(r.Resumed, "yes") {
		t.Errorf("resumed: %q", r.Resumed)
	}
	// The first connection received the ticket it resumed with.
	if !slices.ContainsFunc(r.Sections[0].Rows, func(row pageRow) bool { return row.Name == "NewSessionTicket" && row.State == "sent" }) {
		t.Error("no NewSessionTicket in the first connection")
	}
}

func TestRenegotiation(t *testing.T) {
	r := runPage(t, browser(t), "&reneg=1")
	checkCommon(t, r)
	if len(r.Sections) != 2 || r.Sections[1].Kind != "renegotiation" {
		t.Fatalf("sections %+v", r.Sections)
	}
	s := r.Sections[1]
	if s.Rows[0].Name != "HelloRequest" || s.Rows[0].Dir != "s2c" {
		t.Errorf("renegotiation starts with %+v, want the server's HelloRequest", s.Rows[0])
	}
	want := []string{"1:c2s", "2:s2c", "3:s2c", "5:s2c", "6:s2c", "8:c2s", "10:c2s", "11:c2s", "12:s2c", "13:s2c", "14:c2s", "15:c2s", "15:s2c"}
	if got := sentSteps(s); !slices.Equal(got, want) {
		t.Errorf("renegotiation sent %v, want %v", got, want)
	}
	for _, row := range s.Rows {
		if row.State == "sent" && !row.Enc {
			t.Errorf("renegotiation step %s %s not marked encrypted", row.Step, row.Name)
		}
	}
	if r.Reneg != 1 {
		t.Errorf("renegotiations %d, want 1", r.Reneg)
	}
}

func TestTamper(t *testing.T) {
	ctx := browser(t)
	for _, c := range []struct {
		query, alert, sender string
	}{
		// A flipped bit in the client's Finished record: the server's
		// AEAD open fails.
		{"&tamper=11", "bad_record_mac", "server"},
		// The same in the server's Finished: the client notices.
		{"&tamper=13", "bad_record_mac", "client"},
	} {
		r := runPage(t, ctx, c.query)
		if r.Done != "failed" || r.Alert != c.alert || r.Sender != c.sender {
			t.Errorf("%s: run %q, alert %q from %q; want %s from the %s", c.query, r.Done, r.Alert, r.Sender, c.alert, c.sender)
		}
		var tampered, fatal bool
		for _, row := range r.Sections[0].Rows {
			tampered = tampered || row.Tamp
			fatal = fatal || (row.Name == "Alert: fatal "+c.alert && row.Dir == map[string]string{"server": "s2c", "client": "c2s"}[c.sender])
		}
		if !tampered || !fatal {
			t.Errorf("%s: tampered row %v, fatal alert row from the %s %v", c.query, tampered, c.sender, fatal)
		}
	}
}

// TestStepButton checks that Step sends one flight at a time.
func TestStepButton(t *testing.T) {
	ctx := browser(t)
	u := startServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById("step").disabled`)); err != nil {
		t.Fatal(err)
	}
	sent := `[...document.querySelectorAll('#diagram li.row[data-state=sent]')].map((r) => r.dataset.step).join(" ")`
	for i, want := range []string{"1", "1 2 3 5 6", "1 2 3 5 6 8 10 11"} {
		if err := chromedp.Do(ctx, chromedp.Click(`#step`)); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Poll[string](fmt.Sprintf(`(%s) === %q && %q`, sent, want, want)))
		if err != nil {
			now, _ := chromedp.Run(ctx, chromedp.Evaluate[string](sent))
			t.Fatalf("after %d steps rows %q, want %q (%v)", i+1, now, want, err)
		}
		_ = got
	}
	// Reset brings back the empty diagram of a full handshake.
	if err := chromedp.Do(ctx, chromedp.Click(`#reset`)); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#diagram li.row')].map((r) => r.dataset.state + ":" + r.dataset.step).join(" ")`))
	if want := "pending:1 pending:2 pending:3 pending:5 pending:4 pending:6 pending:7 pending:8 pending:9 pending:10 pending:11 pending:12 pending:13 pending:14 pending:15"; err != nil || rows != want {
		t.Errorf("after Reset: %q (%v), want %q", rows, err, want)
	}
}

// TestDumpDOM runs the command of the README's claim:
// chromium --headless --dump-dom '<url>?run=1' prints the finished run.
func TestDumpDOM(t *testing.T) {
	path := findChromium(t)
	u := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), pageTimeout)
	defer cancel()
	args := append(slices.Clone(chromiumFlags), "--user-data-dir="+t.TempDir(), "--dump-dom", u+"?run=1")
	cmd := exec.CommandContext(ctx, path, args...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	dom := string(out)
	suite := regexp.MustCompile(`id="negSuite">(TLS_[A-Z0-9_]+)<`).FindStringSubmatch(dom)
	if suite == nil {
		t.Fatalf("no negotiated suite in the dumped DOM (%d bytes)", len(dom))
	}
	m := keyLogLine.FindStringSubmatch(dom)
	if m == nil {
		t.Fatal("no CLIENT_RANDOM key log line in the dumped DOM")
	}
	// The page's default seed fixes the client's random: a chromedp run of
	// the same defaults shows the same one.
	r := runPage(t, browser(t), "")
	if r.Suite != suite[1] || r.Hello["random"] != m[1] {
		t.Errorf("dump-dom showed %s and random %s; the same defaults in chromedp give %s and %s", suite[1], m[1], r.Suite, r.Hello["random"])
	}
}

// TestLegacySuites runs two opt-in suites from the page's suite list: RSA
// key exchange (no ServerKeyExchange: step 5 greyed) and DHE with an RFC 7919
// group.
func TestLegacySuites(t *testing.T) {
	ctx := browser(t)
	r := runPage(t, ctx, "&suite=TLS_RSA_WITH_AES_128_CBC_SHA256&key=rsa")
	checkCommon(t, r)
	if r.Suite != "TLS_RSA_WITH_AES_128_CBC_SHA256" {
		t.Errorf("suite %s", r.Suite)
	}
	if got := stepsWith(r.Sections[0], "skipped"); !slices.Equal(got, []string{"5", "4", "7", "9"}) {
		t.Errorf("RSA key exchange: greyed steps %v, want 5 4 7 9", got)
	}
	r = runPage(t, ctx, "&suite=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256&key=rsa&group=ffdhe2048")
	checkCommon(t, r)
	if got := sentSteps(r.Sections[0]); !slices.Equal(got, fullOrder) {
		t.Errorf("DHE: sent steps %v, want %v", got, fullOrder)
	}
	group, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("negGroup").textContent`))
	if err != nil || group != "ffdhe2048" {
		t.Errorf("DHE: group %q (%v)", group, err)
	}
}
