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
	"sync/atomic"
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

func (o *output) len() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return int64(o.b.Len())
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// A proc is a peer process. It runs under `timeout` in its own process
// group, which the test's cleanup kills.
type proc struct {
	name   string
	cmd    *exec.Cmd
	out    *output  // stdout and stderr, unless stdout goes elsewhere
	stdout *counter // bytes written to stdout when it goes elsewhere
	stdin  io.WriteCloser
	done   chan struct{}
	err    error // valid after done is closed
}

type procOptions struct {
	stdout io.Writer // default: out
	stdin  io.Reader // default: a pipe, held open until the process ends
}

// lifetime is the wall-clock bound that coreutils timeout puts on a peer
// process: only a safety net for a test binary that dies without running
// its cleanups (the tests end their peers themselves, and judge them by
// progress). It outlives the test binary's own -timeout.
func lifetime(t *testing.T) time.Duration {
	d := 11 * time.Minute
	if dl, ok := t.Deadline(); ok {
		d = time.Until(dl) + time.Minute
	}
	return d
}

// startProc starts bin with args under coreutils timeout. Cleanup kills the
// process group and waits for it.
func startProc(t *testing.T, o procOptions, bin string, args ...string) *proc {
	t.Helper()
	timeoutBin, err := exec.LookPath("timeout")
	if err != nil {
		t.Fatalf("coreutils timeout not found: %v", err)
	}
	secs := strconv.Itoa(int(lifetime(t).Seconds()))
	p := &proc{name: bin, out: &output{}, stdout: &counter{}, done: make(chan struct{})}
	p.cmd = exec.Command(timeoutBin, append([]string{"-k", "2", secs, bin}, args...)...)
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.Stdout = p.out
	if o.stdout != nil {
		p.cmd.Stdout = io.MultiWriter(o.stdout, p.stdout)
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

// progress is how many bytes the process has written, to its output or to
// its redirected stdout.
func (p *proc) progress() int64 { return p.out.len() + p.stdout.n.Load() }

// wait waits for the process to exit on its own and returns its exit error.
// It gives up, kills the process and says so only when neither the process
// nor any of also (counters of the bytes our side moved) has made progress
// for stall.
func (p *proc) wait(also ...*atomic.Int64) error {
	return p.waitUntil(func() bool { return false }, "exit", also...)
}

// waitOutput waits until the output contains s. It fails if the process
// exits first or if nothing new is printed for stall.
func (p *proc) waitOutput(s string) error {
	return p.waitUntil(func() bool { return strings.Contains(p.out.String(), s) }, fmt.Sprintf("print %q", s))
}

// waitUntil waits until cond holds (nil) or the process exits (its exit
// error, or an error if what it waits for is not the exit), whichever comes
// first; after stall without progress it kills the process.
func (p *proc) waitUntil(cond func() bool, what string, also ...*atomic.Int64) error {
	sum := func() int64 {
		n := p.progress()
		for _, a := range also {
			n += a.Load()
		}
		return n
	}
	last, lastAt := sum(), time.Now()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return nil
		}
		select {
		case <-p.done:
			if p.stdin != nil {
				p.stdin.Close()
			}
			if what == "exit" {
				return p.err
			}
			if cond() {
				return nil
			}
			return fmt.Errorf("%s exited (%v) before it did %s", p.name, p.err, what)
		case <-tick.C:
		}
		if n := sum(); n != last {
			last, lastAt = n, time.Now()
		} else if time.Since(lastAt) > stall {
			p.kill()
			return fmt.Errorf("%s made no progress for %v while the test waited for it to %s", p.name, stall, what)
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
		p := startProc(t, procOptions{}, bin, args(port)...)
		err := p.waitOutput(ready)
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
