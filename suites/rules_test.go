// Package suites_test holds rules every suite follows; the suites live in
// the folders beside this file.
package suites_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// forbidden are Ginkgo calls a suite must not make, and what to call
// instead. A bare Skip would let a check pass the gate without saying why
// it does not apply; framework.NotApplicable records the reason, which the
// report and the gate show.
var forbidden = map[string]string{
	"Skip":       "framework.NotApplicable(reason)",
	"AbortSuite": "framework.CouldNotCheck or framework.ErrorIf (the framework ends the suite when the guest dies)",
}

func TestSuitesDoNotSkipOrAbortDirectly(t *testing.T) {
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name := ""
			switch fn := call.Fun.(type) {
			case *ast.Ident: // dot-imported Ginkgo
				name = fn.Name
			case *ast.SelectorExpr: // ginkgo.Skip
				if x, ok := fn.X.(*ast.Ident); ok && x.Name != "framework" {
					name = fn.Sel.Name
				}
			}
			if use, bad := forbidden[name]; bad {
				t.Errorf("%s: calls %s; use %s", fset.Position(call.Pos()), name, use)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no suite sources found")
	}
}
