package wasm

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// A wasmTarget is one way of building a module of this package for a host.
type wasmTarget struct {
	goos, goarch string
	buildmode    string // "" for the default
	pkg          string // relative to this package's directory
	out          string // file name
	trimpath     bool
	ldflags      string
}

// wasip1Module is the WASI reactor that testdata/host.mjs loads.
var wasip1Module = wasmTarget{goos: "wasip1", goarch: "wasm", buildmode: "c-shared", pkg: "./cmd/sanstls-wasm", out: "sanstls.wasm"}

// builtModules holds each target's module, built at most once per test
// binary (that is, once per `go test` run of this package) and shared by
// every test that needs it; buildDir holds the files and TestMain removes it.
var (
	buildMu       sync.Mutex
	buildDir      string
	builtModules  = map[wasmTarget]*builtModule{}
	buildDirError error
)

type builtModule struct {
	once sync.Once
	path string
	err  error
	took time.Duration
}

// prebuilt are the module builds TestMain starts.
var prebuilt sync.WaitGroup

// TestMain starts building every module at once, before the tests run,
// when the run will need them (not -short, no -run filter, Node present):
// the builds then overlap each other and the package's other tests instead
// of running one after the other. It removes the modules at the end.
func TestMain(m *testing.M) {
	flag.Parse()
	if _, err := exec.LookPath("node"); err == nil && !testing.Short() && flag.Lookup("test.run").Value.String() == "" {
		deadline := time.Time{}
		if d, err := time.ParseDuration(flag.Lookup("test.timeout").Value.String()); err == nil && d > 0 {
			deadline = time.Now().Add(d)
		}
		for _, target := range []wasmTarget{wasip1Module, jsTarget} {
			b, err := module(target)
			if err != nil {
				break
			}
			prebuilt.Add(1)
			go func() {
				defer prebuilt.Done()
				b.once.Do(func() { b.build(target, deadline) })
			}()
		}
	}
	code := m.Run()
	prebuilt.Wait()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// module returns target's entry, creating the build directory first.
func module(target wasmTarget) (*builtModule, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	if buildDir == "" && buildDirError == nil {
		buildDir, buildDirError = os.MkdirTemp("", "sanstls-wasm-test-")
	}
	if buildDirError != nil {
		return nil, buildDirError
	}
	b := builtModules[target]
	if b == nil {
		b = &builtModule{path: filepath.Join(buildDir, target.goos+"-"+target.out)}
		builtModules[target] = b
	}
	return b, nil
}

// buildModule returns the path of target's module, building it on first
// use (or waiting for TestMain's build). The build has no wall-clock limit
// of its own (a cold build of the standard library for wasm takes minutes
// on a busy machine): it ends 30 s before the test binary's -timeout, so
// that a stuck build fails with its output instead of a panic. A build that
// failed fails every test that asks for it.
func buildModule(t *testing.T, target wasmTarget) string {
	t.Helper()
	b, err := module(target)
	if err != nil {
		t.Fatal(err)
	}
	var deadline time.Time
	if dl, ok := t.Deadline(); ok {
		deadline = dl
	}
	b.once.Do(func() { b.build(target, deadline) })
	if b.err != nil {
		t.Fatal(b.err)
	}
	t.Logf("module %s/%s built once for this run in %v", target.goos, target.goarch, b.took.Round(time.Millisecond))
	return b.path
}

// build runs `go build` for target, until 30 s before deadline (if set).
func (b *builtModule) build(target wasmTarget, deadline time.Time) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.err = fmt.Errorf("go tool not found: %w", err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	if !deadline.IsZero() {
		cancel()
		ctx, cancel = context.WithDeadline(context.Background(), deadline.Add(-30*time.Second))
	}
	defer cancel()
	args := []string{"build", "-o", b.path}
	if target.buildmode != "" {
		args = append(args, "-buildmode="+target.buildmode)
	}
	if target.trimpath {
		args = append(args, "-trimpath")
	}
	if target.ldflags != "" {
		args = append(args, "-ldflags="+target.ldflags)
	}
	began := time.Now()
	cmd := exec.CommandContext(ctx, goTool, append(args, target.pkg)...)
	// GOFLAGS is cleared so that flags meant for the native test (-race,
	// -cover) do not reach a wasm build that does not support them.
	cmd.Env = append(os.Environ(), "GOOS="+target.goos, "GOARCH="+target.goarch, "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.err = fmt.Errorf("building %s for %s/%s: %w\n%s", target.pkg, target.goos, target.goarch, err, out)
	}
	b.took = time.Since(began)
}

// untilTestDeadline is a context that ends 30 s before the test binary's
// -timeout (none without one), for child processes whose running time
// depends on the machine's load: they may take as long as the run allows,
// and a stuck one is still reported with its output.
func untilTestDeadline(t *testing.T) (context.Context, context.CancelFunc) {
	if dl, ok := t.Deadline(); ok {
		return context.WithDeadline(context.Background(), dl.Add(-30*time.Second))
	}
	return context.WithCancel(context.Background())
}
