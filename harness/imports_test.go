// Package harness_test checks the import rules the architecture relies
// on (docs/architecture.md, "Rules we keep").
package harness_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// rules: an import prefix and the only folders (under the repo root) whose
// non-test code may import it.
var rules = []struct {
	prefix  string
	allowed []string
}{
	// Ginkgo and Gomega: the framework is the bridge; suites use it.
	{"github.com/onsi/ginkgo", []string{"harness/framework", "suites/"}},
	{"github.com/onsi/gomega", []string{"harness/framework", "suites/"}},
	// VMs only behind harness/vm: one driver talks to libvirt.
	{"github.com/digitalocean/go-libvirt", []string{"harness/vm/libvirt"}},
}

func TestImportRules(t *testing.T) {
	root := ".."
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || rel == "reports" || rel == "bin" || rel == "fixtures") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		dir := filepath.ToSlash(filepath.Dir(rel))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, r := range rules {
				if strings.HasPrefix(p, r.prefix) && !allowed(dir, r.allowed) {
					t.Errorf("%s imports %s; only %v may", rel, p, r.allowed)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files: is the walk rooted right?", checked)
	}
}

func allowed(dir string, prefixes []string) bool {
	for _, p := range prefixes {
		if dir == strings.TrimSuffix(p, "/") || strings.HasPrefix(dir+"/", p) {
			return true
		}
	}
	return false
}
