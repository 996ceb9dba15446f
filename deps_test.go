package sanstls

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/sanstls/sanstls"

// coreRules is a statement of policy: which of our packages each core package
// may import. Anything of ours not listed is forbidden.
var coreRules = map[string][]string{
	"messages": nil,
	"keys":     nil,
	"machine":  {"messages", "keys"},
}

// forbiddenStd lists standard packages the core must not import: the core does
// no I/O, starts no goroutines that need synchronisation, takes no locks, logs
// nothing and takes randomness only from its configuration.
var forbiddenStd = []string{
	"net", "net/http", "os", "os/exec", "sync", "sync/atomic", "log", "log/slog",
	"crypto/rand", "math/rand", "math/rand/v2", "context", "syscall", "unsafe",
}

func imports(t *testing.T, dir string) []string {
	t.Helper()
	p, err := build.ImportDir(dir, 0)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return p.Imports
}

func TestCoreDependencies(t *testing.T) {
	for dir, allowed := range coreRules {
		for _, imp := range imports(t, dir) {
			if rest, ours := strings.CutPrefix(imp, module+"/"); ours {
				if !slices.Contains(allowed, rest) {
					t.Errorf("%s imports %s (allowed: %v)", dir, imp, allowed)
				}
				continue
			}
			if slices.Contains(forbiddenStd, imp) {
				t.Errorf("%s imports forbidden package %s", dir, imp)
			}
		}
	}
}

func TestAdapterDependencies(t *testing.T) {
	dirs, err := filepath.Glob("adapters/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		p, err := build.ImportDir(dir, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				continue // e.g. wasm-only files excluded on this GOOS
			}
			t.Fatalf("%s: %v", dir, err)
		}
		for _, imp := range p.Imports {
			if rest, ours := strings.CutPrefix(imp, module+"/"); ours && rest != "machine" {
				t.Errorf("%s imports %s; adapters may import only machine", dir, imp)
			}
		}
	}
}

// TestTestkitDependencies keeps internal/testkit (the tests' certificate and
// seeded-randomness builders) importable from every package's tests, keys and
// messages included: it imports nothing of ours. The core's non-test code
// cannot import it (coreRules lists no such package), nor can the adapters'
// (TestAdapterDependencies); this test checks that as well, so the rule
// survives edits to those lists.
func TestTestkitDependencies(t *testing.T) {
	for _, imp := range imports(t, "internal/testkit") {
		if strings.HasPrefix(imp, module+"/") {
			t.Errorf("internal/testkit imports %s; it may import only the standard library", imp)
		}
	}
	dirs := []string{"messages", "keys", "machine", "sim"}
	more, err := filepath.Glob("adapters/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range append(dirs, more...) {
		p, err := build.ImportDir(dir, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				continue
			}
			t.Fatalf("%s: %v", dir, err)
		}
		if slices.Contains(p.Imports, module+"/internal/testkit") {
			t.Errorf("%s imports internal/testkit outside its tests", dir)
		}
	}
}

// simForbiddenStd is forbiddenStd for sim/, which may import math/rand/v2
// for its seeded generators (TestSimIsPure forbids the global functions).
var simForbiddenStd = slices.DeleteFunc(slices.Clone(forbiddenStd), func(p string) bool { return p == "math/rand/v2" })

// TestSimIsPure holds sim/ (the network simulator) to the core's rules: it
// imports machine only, does no I/O, starts no goroutines, takes no locks,
// reads no clock and uses no global randomness. CPU time and heap figures
// come in through Scenario callbacks.
func TestSimIsPure(t *testing.T) {
	for _, imp := range imports(t, "sim") {
		if rest, ours := strings.CutPrefix(imp, module+"/"); ours {
			if rest != "machine" {
				t.Errorf("sim imports %s; it may import only machine", imp)
			}
			continue
		}
		if slices.Contains(simForbiddenStd, imp) || imp == "runtime" {
			t.Errorf("sim imports forbidden package %s", imp)
		}
	}
	files, err := filepath.Glob("sim/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range impureCalls(file) {
			t.Errorf("%s: %s", fset.Position(v.pos), v.what)
		}
	}
}

type violation struct {
	pos  token.Pos
	what string
}

// impureCalls finds clock reads, goroutines, channel sends and calls of
// math/rand/v2's global functions (anything but its constructors).
func impureCalls(file *ast.File) []violation {
	var out []violation
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			id, ok := n.X.(*ast.Ident)
			if !ok {
				break
			}
			switch {
			case id.Name == "time" && slices.Contains([]string{"Now", "Since", "Until", "Sleep", "After", "Tick", "NewTimer", "NewTicker", "AfterFunc"}, n.Sel.Name):
				out = append(out, violation{n.Pos(), "uses time." + n.Sel.Name})
			case id.Name == "rand" && !slices.Contains([]string{"New", "NewPCG", "NewChaCha8", "Rand", "PCG", "ChaCha8", "Source"}, n.Sel.Name):
				out = append(out, violation{n.Pos(), "uses the global rand." + n.Sel.Name})
			}
		case *ast.GoStmt:
			out = append(out, violation{n.Pos(), "starts a goroutine"})
		case *ast.SendStmt:
			out = append(out, violation{n.Pos(), "sends on a channel"})
		}
		return true
	})
	return out
}

// TestSimRulesCanFail checks impureCalls on a synthetic source.
func TestSimRulesCanFail(t *testing.T) {
	src := "package x\nimport (\"math/rand/v2\"; \"time\")\nfunc f() { _ = rand.IntN(3); _ = rand.New(rand.NewPCG(1, 2)); _ = time.Since(time.Time{}); go f() }\n"
	file, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v := impureCalls(file); len(v) != 3 {
		t.Fatalf("found %d violations in a source with 3: %v", len(v), v)
	}
}

// TestNoClockOrGoroutines scans the core's non-test sources for calls
// that read the wall clock or start goroutines: time enters only via Config.Time.
func TestNoClockOrGoroutines(t *testing.T) {
	for dir := range coreRules {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					if id, ok := n.X.(*ast.Ident); ok && id.Name == "time" &&
						(n.Sel.Name == "Now" || n.Sel.Name == "Since" || n.Sel.Name == "Until" || n.Sel.Name == "Sleep") {
						t.Errorf("%s: uses time.%s", fset.Position(n.Pos()), n.Sel.Name)
					}
				case *ast.GoStmt:
					t.Errorf("%s: starts a goroutine", fset.Position(n.Pos()))
				case *ast.SendStmt:
					t.Errorf("%s: sends on a channel", fset.Position(n.Pos()))
				}
				return true
			})
		}
	}
}

// TestRulesCanFail checks the checker itself on a synthetic source.
func TestRulesCanFail(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "x.go", "package x\nimport \"time\"\nfunc f() { _ = time.Now(); go f() }\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && id.Name == "time" && n.Sel.Name == "Now" {
				found++
			}
		case *ast.GoStmt:
			found++
		}
		return true
	})
	if found != 2 {
		t.Fatalf("scanner found %d violations in a source with 2", found)
	}
}
