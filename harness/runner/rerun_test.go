package runner

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/seed"
)

// A rerun is a fresh guest of the same target, booted from the first
// guest's seed, running exactly the checks that failed, in its own folder.
func TestRerunTargetSelectsTheFailedChecksOnAFreshGuest(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "reports", "img", "x86_64")
	os.MkdirAll(out, 0o755)
	key, _, _, _, _ := ssh.ParseAuthorizedKey([]byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl first-run"))
	pl, err := seed.Spec{InstanceID: "imagegate-run-img-x86_64", Hostname: "img-x86-64",
		User:          seed.User{Name: "imagegate", AuthorizedKey: string(ssh.MarshalAuthorizedKey(key))},
		ExtraUserData: "write_files:\n  - path: /etc/x\n    content: hi\n"}.Plan()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(out, "meta-data"), pl.MetaData(), 0o644)
	os.WriteFile(filepath.Join(out, "user-data"), pl.UserData(), 0o644)
	orig := run.Target{Machine: run.Machine{Name: "imagegate-run-img-x86_64", SSHPort: 2222},
		Options: run.Options{Keep: true, KeepFailed: true, Sibling: run.SiblingEarly,
			Selection: run.Selection{LabelFilter: "!slow", Focus: []string{"x"}, Text: "--focus x"}},
		Layout: run.Layout{Out: out, Work: filepath.Join(dir, "work")}}
	specs := []catalogue.Spec{{Suite: "baseline", Name: "a (b) [c]", Selected: true}, {Suite: "sib", Name: "two first boots", Labels: []string{run.SiblingLabel}, Selected: true}}
	failed := []catalogue.Result{{Suite: "baseline", Name: "a (b) [c]", Fate: catalogue.Failed}}

	rt, err := rerunTarget(orig, specs, 2, failed)
	if err != nil {
		t.Fatal(err)
	}
	if rt.Machine.Name != "imagegate-run-img-x86_64-r2" || rt.Machine.SSHPort != 0 {
		t.Errorf("machine %+v: want its own name and a free port", rt.Machine)
	}
	if rt.Layout.Out != filepath.Join(out, "rerun-2") || rt.Layout.Work != filepath.Join(dir, "work", "rerun-2") {
		t.Errorf("layout %+v", rt.Layout)
	}
	if rt.Options.Keep || rt.Options.KeepFailed || rt.Options.Sibling != "" {
		t.Errorf("a rerun is never kept and boots no sibling for a check that needs none: %+v", rt.Options)
	}
	sel := rt.Options.Selection
	if len(sel.Suites) != 1 || sel.Suites[0] != "baseline" || sel.LabelFilter != "!slow" || len(sel.Focus) != 1 {
		t.Fatalf("selection %+v", sel)
	}
	re := regexp.MustCompile(sel.Focus[0])
	if !re.MatchString("[baseline] a (b) [c]") || re.MatchString("a (b) [c] and more") {
		t.Errorf("focus %q must match the check's text exactly at its end", sel.Focus[0])
	}
	if r := rt.Options.Reseed; r == nil || r.InstanceID != "imagegate-run-img-x86_64" || r.Hostname != "img-x86-64" || rt.Options.UserData == "" {
		t.Errorf("the rerun must boot with the first guest's seed: %+v %q", r, rt.Options.UserData)
	}
	rt, _ = rerunTarget(orig, specs, 1, []catalogue.Result{{Suite: "sib", Name: "two first boots", Fate: catalogue.Failed}})
	if rt.Options.Sibling != run.SiblingLazy {
		t.Errorf("a failed sibling check boots its second guest when it asks: %q", rt.Options.Sibling)
	}
	if _, err := rerunTarget(run.Target{Layout: run.Layout{Out: filepath.Join(dir, "none")}}, specs, 1, failed); err == nil {
		t.Error("a target without a seed cannot be rerun from it")
	}
}
