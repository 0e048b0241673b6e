// Package harness_test checks the import rules the architecture relies
// on (docs/architecture.md, "Rules we keep") on the real package graph, as
// `go list` sees it: a forbidden import fails the build's tests, whether it
// is written directly or reached through another package.
package harness_test

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/imagegate/imagegate/"

// rule forbids packages matching From (a module-relative path; a trailing
// "/" takes the folder and all below it) to import To. Direct rules look at
// a package's own imports; the others at everything it depends on.
type rule struct {
	From, To string
	Direct   bool
	Unless   []string // packages the rule does not apply to
	Why      string
}

var rules = []rule{
	{From: "", To: "github.com/digitalocean/go-libvirt", Unless: []string{"harness/vm/libvirt", "cmd/imagegate"},
		Why: "VMs only behind harness/vm: one driver talks to libvirt, and the binary wires it in"},
	{From: "", To: "github.com/onsi/ginkgo/v2", Unless: []string{"harness/framework", "suites/", "cmd/imagegate"},
		Why: "the framework is the bridge to Ginkgo; suites use it; the libraries do not"},
	{From: "", To: "github.com/onsi/gomega", Unless: []string{"harness/framework", "suites/", "cmd/imagegate"},
		Why: "as Ginkgo"},
	{From: "harness/runner", To: module + "harness/framework",
		Why: "the orchestrator speaks the run contract (harness/run), not the Ginkgo bridge"},
	{From: "harness/gate", To: module + "harness/vm", Why: "judging reports needs no hypervisor"},
	{From: "harness/promote", To: module + "harness/vm", Why: "promoting needs no hypervisor"},
	{From: "harness/report", To: module + "harness/vm", Why: "writing reports needs no hypervisor"},
	{From: "harness/junitread", To: module + "harness/vm", Why: "reading reports needs no hypervisor"},
	{From: "harness/run", To: module + "harness/vm", Why: "the run contract is plain data"},
	{From: "harness/guest", To: module + "harness/vm/libvirt", Why: "the guest's life works on any vm.Driver"},
	{From: "suites/", To: module + "harness/vm", Direct: true, Why: "specs see the framework's guest, not the VM"},
	{From: "suites/", To: module + "harness/sshx", Direct: true, Why: "specs see the framework's guest, not the SSH client"},
	{From: "suites/", To: module + "harness/arch", Direct: true, Why: "specs ask the guest for arch facts"},
	{From: "suites/", To: module + "harness/guest", Direct: true, Why: "specs see the framework's guest"},
}

// pkg is what `go list` says of one package.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// violations lists every package that breaks a rule, as "P imports Q: why".
func violations(pkgs []pkg, rules []rule) []string {
	var out []string
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p.ImportPath, module)
		for _, r := range rules {
			if !matches(rel, r.From) || slices.ContainsFunc(r.Unless, func(u string) bool { return matches(rel, u) }) {
				continue
			}
			seen := p.Deps
			if r.Direct {
				seen = p.Imports
			}
			for _, d := range seen {
				if d == r.To || strings.HasPrefix(d, r.To+"/") {
					how := "depends on"
					if slices.Contains(p.Imports, d) {
						how = "imports"
					}
					out = append(out, rel+" "+how+" "+d+": "+r.Why)
					break // one line per package and rule
				}
			}
		}
	}
	return out
}

func matches(rel, pattern string) bool {
	if pattern == "" {
		return true
	}
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(rel+"/", pattern)
	}
	return rel == pattern
}

func goList(t *testing.T) []pkg {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(gobin, "list", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = ".."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	pkgs := goList(t)
	if len(pkgs) < 25 {
		t.Fatalf("go list saw only %d packages: is it run from the module?", len(pkgs))
	}
	for _, v := range violations(pkgs, rules) {
		t.Error(v)
	}
}

// TestImportRulesCatchABreak: the rules fail on a forbidden import, direct
// or through another package, and not on an allowed one.
func TestImportRulesCatchABreak(t *testing.T) {
	graph := []pkg{
		{ImportPath: module + "harness/runner", Imports: []string{module + "harness/run"},
			Deps: []string{module + "harness/run", module + "harness/framework", "github.com/onsi/ginkgo/v2/types"}},
		{ImportPath: module + "suites/x", Imports: []string{module + "harness/framework", module + "harness/sshx"},
			Deps: []string{module + "harness/framework", module + "harness/vm", module + "harness/sshx"}},
		{ImportPath: module + "harness/vm/libvirt", Imports: []string{"github.com/digitalocean/go-libvirt"},
			Deps: []string{"github.com/digitalocean/go-libvirt"}},
	}
	got := strings.Join(violations(graph, rules), "\n")
	for _, want := range []string{
		"harness/runner depends on " + module + "harness/framework",
		"harness/runner depends on github.com/onsi/ginkgo/v2/types",
		"suites/x imports " + module + "harness/sshx",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("violations lack %q:\n%s", want, got)
		}
	}
	for _, allowed := range []string{"suites/x imports " + module + "harness/vm", "suites/x depends on " + module + "harness/vm:", "harness/vm/libvirt"} {
		if strings.Contains(got, allowed) {
			t.Errorf("an allowed import is reported (%q):\n%s", allowed, got)
		}
	}
}
