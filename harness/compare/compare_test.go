package compare

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
)

func side(t *testing.T, manifest, kernel, services, timings string, results ...catalogue.Result) Side {
	dir := t.TempDir()
	for name, body := range map[string]string{run.ManifestFile: manifest, run.KernelFile: kernel, run.ServicesFile: services, run.TimingsFile: timings} {
		if body != "" {
			os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
		}
	}
	return Side{Dir: dir, Results: results}
}

func res(name, fate string) catalogue.Result {
	return catalogue.Result{Suite: "baseline", Name: name, Fate: fate, Message: name + " " + fate}
}

// Each check that passed or failed is marked against production's fate;
// the images' packages, kernel, cloud-init, services and timings are
// diffed; evidence missing on a side is said, not guessed.
func TestCompare(t *testing.T) {
	flaky := res("flaky here", catalogue.Failed)
	flaky.Reruns = []catalogue.Rerun{{Attempt: 1, Fate: catalogue.Passed}}
	cand := side(t, "bash\t5.2\tamd64\ncloud-init\t22.4.2-1\tall\nnetbase\t6.4+imagegate1\tall\nnew-pkg\t1\tall\n",
		"6.1.0-28-cloud-amd64\nroot=PARTUUID=x console=ttyS0\n", "ssh.service\nnew.service\n", `{"boot-to-ssh": 80, "cloud-init-settle": 5}`,
		res("same", catalogue.Passed), res("breaks", catalogue.Failed), res("still", catalogue.Failed), res("fixed", catalogue.Passed),
		res("not there", catalogue.Failed), res("errors", catalogue.Error), flaky, catalogue.Result{Name: catalogue.BootCase, Fate: catalogue.Passed})
	prod := side(t, "bash\t5.2\tamd64\ncloud-init\t22.4.2-1\tall\nnetbase\t6.4\tall\nold-pkg\t2\tall\n",
		"6.1.0-28-cloud-amd64\nroot=PARTUUID=x console=ttyS0\n", "ssh.service\nold.service\n", `{"boot-to-ssh": 64}`,
		res("same", catalogue.Passed), res("breaks", catalogue.Passed), res("still", catalogue.Failed), res("fixed", catalogue.Failed),
		res("errors", catalogue.Passed), res("flaky here", catalogue.Passed))
	r := Build(Production{Image: "deb", Arch: "x86_64", Version: "20261203", SHA256: strings.Repeat("a", 64)}, cand, prod)
	c := r.Checks
	if strings.Join(c.NewFailures, ",") != "baseline breaks,baseline not there" || strings.Join(c.StillFailing, ",") != "baseline still" ||
		strings.Join(c.Fixed, ",") != "baseline fixed" || c.Unchanged != 2 {
		t.Errorf("checks: %+v", c)
	}
	if c.Status[catalogue.Key("baseline", "errors")] != "" || c.Status[catalogue.Key("baseline", "flaky here")] != report.Unchanged {
		t.Errorf("an error is not compared, a flaky pass is a pass: %v", c.Status)
	}
	d := r.Packages
	if len(d.Added) != 1 || d.Added[0].Name != "new-pkg" || len(d.Removed) != 1 || d.Removed[0].Name != "old-pkg" ||
		len(d.Changed) != 1 || d.Changed[0] != (Upgrade{Name: "netbase", Arch: "all", Production: "6.4", Candidate: "6.4+imagegate1"}) {
		t.Errorf("packages: %+v", d)
	}
	if r.Kernel.Changed || r.Cmdline.Changed || *r.CloudInit != (Change{Candidate: "22.4.2-1", Production: "22.4.2-1"}) {
		t.Errorf("kernel %+v cmdline %+v cloud-init %+v", r.Kernel, r.Cmdline, r.CloudInit)
	}
	if strings.Join(r.Services.Enabled, ",") != "new.service" || strings.Join(r.Services.Disabled, ",") != "old.service" {
		t.Errorf("services: %+v", r.Services)
	}
	if len(r.Timings) != 1 || r.Timings[0].ChangePercent != 25 || len(r.Problems) != 0 {
		t.Errorf("timings %+v problems %v", r.Timings, r.Problems)
	}
	sum := r.Summary()
	for _, want := range []string{"1 fixed, 2 unchanged", "new failure: baseline breaks", "changed: netbase (all) 6.4 -> 6.4+imagegate1", "boot-to-ssh: 80.0 s (production 64.0 s, +25%)"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	cmp := r.Comparison()
	if cmp.Status == nil || cmp.Properties[len(cmp.Properties)-1] != [2]string{report.PropCompareBootToSSH, "64.0"} {
		t.Errorf("comparison: %+v", cmp)
	}
	missing := Build(Production{}, side(t, "", "", "", "", res("a", catalogue.Passed)), side(t, "", "", "", ""))
	if len(missing.Problems) != 8 {
		t.Errorf("every missing file of both sides must be said: %v", missing.Problems)
	}
	// One side's manifest lost: the packages are not compared (not "all
	// removed"), the other facts are.
	os.Remove(filepath.Join(cand.Dir, run.ManifestFile))
	half := Build(Production{}, cand, prod)
	if half.Packages != nil || half.CloudInit != nil || half.Kernel == nil || half.Services == nil || len(half.Problems) != 1 ||
		strings.Contains(half.Summary(), "packages:") || !strings.Contains(half.Summary(), "not compared: ") {
		t.Errorf("a missing manifest: packages %+v cloud-init %+v problems %v\n%s", half.Packages, half.CloudInit, half.Problems, half.Summary())
	}
}
