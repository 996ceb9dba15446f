//go:build unix

package interop

import (
	"bytes"

	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// requirePeer returns the path of a peer binary. A missing one fails the
// test when CI=true and skips it otherwise.
func requirePeer(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	hint := "install OpenSSL's command-line tool"
	if strings.HasPrefix(name, "gnutls") {
		hint = "apt-get install -y --no-install-recommends gnutls-bin"
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found (CI=true requires every interop peer): %s", name, hint)
	}
	t.Skipf("%s not found; interop tests against it are skipped (%s)", name, hint)
	return ""
}

// output collects a process's stdout and stderr, safe for reading while the
// process runs.
type output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// A proc is a peer process. It runs under `timeout` in its own process
// group, which the test's cleanup kills.
type proc struct {
	name  string
	cmd   *exec.Cmd
	out   *output // stdout and stderr, unless stdout goes elsewhere
	stdin io.WriteCloser
	done  chan struct{}
	err   error // valid after done is closed
}

type procOptions struct {
	timeout time.Duration // default 60s
	stdout  io.Writer     // default: out
	stdin   io.Reader     // default: a pipe, held open until the process ends
}

// startProc starts bin with args under coreutils timeout. Cleanup kills the
// process group and waits for it.
func startProc(t *testing.T, o procOptions, bin string, args ...string) *proc {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = 60 * time.Second
	}
	timeoutBin, err := exec.LookPath("timeout")
	if err != nil {
		t.Fatalf("coreutils timeout not found: %v", err)
	}
	secs := strconv.Itoa(int(o.timeout.Seconds()))
	p := &proc{name: bin, out: &output{}, done: make(chan struct{})}
	p.cmd = exec.Command(timeoutBin, append([]string{"-k", "2", secs, bin}, args...)...)
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.Stdout = p.out
	if o.stdout != nil {
		p.cmd.Stdout = o.stdout
	}
	p.cmd.Stderr = p.out
	if o.stdin != nil {
		p.cmd.Stdin = o.stdin
	} else if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	return p
}

// kill ends the process group (the timeout wrapper and the peer under it)
// and waits for the process.
func (p *proc) kill() {
	select {
	case <-p.done:
		// It exited and was reaped: its group is gone (timeout waits for
		// the peer), and the number may already belong to another process.
	default:
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
	if p.stdin != nil {
		p.stdin.Close()
	}
}

// wait waits for the process to exit on its own, up to d, and returns its
// exit error. On timeout it kills the process and reports that.
func (p *proc) wait(d time.Duration) error {
	select {
	case <-p.done:
		if p.stdin != nil {
			p.stdin.Close()
		}
		return p.err
	case <-time.After(d):
		p.kill()
		return fmt.Errorf("%s did not exit within %v", p.name, d)
	}
}

// waitOutput waits until the output contains s, the process exits, or d
// passes.
func (p *proc) waitOutput(s string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		if strings.Contains(p.out.String(), s) {
			return nil
		}
		select {
		case <-p.done:
			if strings.Contains(p.out.String(), s) {
				return nil
			}
			return fmt.Errorf("%s exited (%v) before printing %q", p.name, p.err, s)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not print %q within %v", p.name, s, d)
		}
	}
}

// freePort returns a TCP port below 32768 (outside Linux's ephemeral range)
// that is free on every interface and on 127.0.0.1 at the time of the call.
// The caller retries if a peer then fails to bind it.
func freePort(t *testing.T) int {
	t.Helper()
	for range 100 {
		port := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", ":"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	t.Fatal("no free port below 32768")
	return 0
}

// startServerProc starts a peer server on a free port below 32768, waiting
// for ready in its output; it retries with another port if the server
// cannot bind.
func startServerProc(t *testing.T, ready string, bin string, args func(port int) []string) (*proc, int) {
	t.Helper()
	var lastErr error
	for range 3 {
		port := freePort(t)
		p := startProc(t, procOptions{timeout: 150 * time.Second}, bin, args(port)...)
		err := p.waitOutput(ready, 10*time.Second)
		if err == nil {
			return p, port
		}
		p.kill()
		lastErr = fmt.Errorf("%w\n%s", err, p.out.String())
		if !strings.Contains(strings.ToLower(p.out.String()), "in use") {
			break
		}
	}
	t.Fatalf("starting %s: %v", bin, lastErr)
	return nil, 0
}
