package keys

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestSecretsStayOutOfMathBig is a guard on the source: the functions that
// hold a DH exponent or an RSA-encoded premaster must not hand them to
// math/big, which is variable time (RFC 7919, Section 8.6; the
// Bleichenbacher/Marvin class of timing leaks on the RSA side). It fails if
// one of them calls Exp (any modular exponentiation through math/big) or
// SetBytes on one of the secret buffers. The arithmetic they use instead is
// tested against math/big in ctmod_test.go.
func TestSecretsStayOutOfMathBig(t *testing.T) {
	guarded := map[string]map[string]bool{
		"ffdhe.go":   {"generateFFDHE": true, "SharedSecret": true},
		"rsa_kex.go": {"EncryptPremaster": true},
	}
	secret := map[string]bool{"buf": true, "em": true, "x": true, "premaster": true, "c": true, "z": true}
	for file, funcs := range guarded {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !funcs[fd.Name.Name] {
				continue
			}
			seen++
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				switch sel.Sel.Name {
				case "Exp":
					t.Errorf("%s: %s calls Exp: a secret exponent or base in math/big", file, fd.Name.Name)
				case "SetBytes":
					for _, a := range call.Args {
						if id, ok := a.(*ast.Ident); ok && secret[id.Name] {
							t.Errorf("%s: %s calls SetBytes(%s): a secret in math/big", file, fd.Name.Name, id.Name)
						}
					}
				}
				return true
			})
		}
		if seen != len(funcs) {
			t.Fatalf("%s: found %d of the %d guarded functions", file, seen, len(funcs))
		}
	}
}
