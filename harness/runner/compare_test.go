package runner

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/digest"
	"github.com/imagegate/imagegate/harness/gate"
	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
	"github.com/imagegate/imagegate/harness/promote"
	"github.com/imagegate/imagegate/harness/run"
)

// A candidate with a promoted image of its name and arch gets a
// production target beside it (same machine and selection, its own name
// and folders); one without is compared with nothing, and a production
// file that is not what the index says stops the plan.
func TestPlanComparisons(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img not installed")
	}
	dir := t.TempDir()
	testing_, prod := filepath.Join(dir, "testing"), filepath.Join(dir, "prod")
	os.MkdirAll(testing_, 0o755)
	os.MkdirAll(prod, 0o755)
	img := filepath.Join(testing_, "deb-x86_64.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", img, "8M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v %s", err, out)
	}
	sum, _, _ := digest.File(context.Background(), img)
	jt.Write(t, filepath.Join(dir, "reports", "r1"), jt.Target{Image: "deb", Arch: "x86_64", SHA256: sum, RunID: "20261203-000000-0001", Path: img,
		Cases: []jt.Case{jt.Boot(), jt.Pass("baseline", "ok")}})
	policy := filepath.Join(dir, "policy.yaml")
	os.WriteFile(policy, []byte("version: 1\nimages:\n  - name: deb\n    arches: [x86_64]\n    suites: [baseline]\n"), 0o644)
	if _, err := promote.Promote(context.Background(), promote.Options{From: testing_, To: prod, Image: "deb", Version: "v1",
		Gate: gate.Options{Policy: policy, Reports: []string{filepath.Join(dir, "reports")}}, Now: time.Now}); err != nil {
		t.Fatal(err)
	}

	cand := func(name string) run.Target {
		return run.Target{Image: run.Image{Name: name, Arch: "x86_64", Format: "qcow2", Path: "/elsewhere/" + name + ".qcow2", SHA256: "c0ffee"},
			Machine: run.Machine{Name: "imagegate-r-" + name, SSHPort: 2222, Accel: "tcg"}, Options: run.Options{Keep: true}}
	}
	p := &Plan{Opts: Options{CompareTo: prod}, Layout: run.RunLayout{Reports: filepath.Join(dir, "out"), Work: filepath.Join(dir, "work")},
		Targets: []run.Target{cand("deb"), cand("other")}, Catalogues: [][]catalogue.Spec{{{Suite: "baseline", Name: "ok", Selected: true}}, nil},
		Placements: [][]Placement{{{Host: "local"}}, {{Host: "local"}}}, AccelWhy: []string{"a", "b"}}
	if err := p.planComparisons(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(p.Targets) != 3 || len(p.Comparisons) != 1 || len(p.Catalogues) != 3 || len(p.Placements) != 3 {
		t.Fatalf("targets %d comparisons %d: want the one production target", len(p.Targets), len(p.Comparisons))
	}
	pt, c := p.Targets[2], p.Comparisons[0]
	if pt.Role != run.RoleProduction || pt.Image.SHA256 != sum || pt.Image.Path != filepath.Join(prod, "images/deb/v1/x86_64/deb-x86_64.qcow2") ||
		pt.Machine.Name != "imagegate-r-deb-prod" || pt.Machine.SSHPort != 0 || pt.Options.Keep || pt.Layout.Out != filepath.Join(dir, "out", "compare", "deb", "x86_64") ||
		pt.Image.Bytes != 8<<20 || pt.Label() != "deb/x86_64 (production)" {
		t.Errorf("production target: %+v", pt)
	}
	if c.Candidate != 0 || c.Production != 2 || c.Item.Version != "v1" || len(p.CompareNotes) != 1 || !strings.Contains(p.CompareNotes[0], "other/x86_64: nothing promoted") {
		t.Errorf("comparison %+v notes %v", c, p.CompareNotes)
	}

	os.WriteFile(pt.Image.Path, []byte("tampered"), 0o644)
	p.Targets, p.Comparisons = p.Targets[:1], nil
	if err := p.planComparisons(context.Background()); !IsUsage(err) || !strings.Contains(err.Error(), "the production index says") {
		t.Errorf("a production file that changed: %v", err)
	}
}
