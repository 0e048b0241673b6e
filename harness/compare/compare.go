package compare

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
)

// Production is the promoted image a candidate is compared with.
type Production struct {
	Image   string `json:"image"`
	Arch    string `json:"arch"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Path    string `json:"path"`
}

// Side is one of the two targets: its report folder and results.
type Side struct {
	Dir     string
	Results []catalogue.Result
}

// Result is a target's compare.json. A fact is diffed only when both sides
// have its evidence; otherwise it is left out (null) and Problems says
// which file was missing: a lost manifest is not "every package removed".
type Result struct {
	Production Production   `json:"production"`
	Checks     Checks       `json:"checks"`
	Packages   *PackageDiff `json:"packages"`
	Kernel     *Change      `json:"kernel"`
	Cmdline    *Change      `json:"kernel_cmdline"`
	CloudInit  *Change      `json:"cloud_init"`
	Services   *ServiceDiff `json:"enabled_services"`
	Timings    []Timing     `json:"timings"`
	// Problems are evidence missing on either side: what could not be
	// compared, and why.
	Problems []string `json:"problems,omitempty"`
}

// Build compares the candidate with production's run.
func Build(prod Production, cand, base Side) Result {
	var problems []string
	cf, pf := readFacts(cand.Dir, &problems), readFacts(base.Dir, &problems)
	r := Result{Production: prod, Checks: compareChecks(cand.Results, base.Results),
		Timings: diffTimings(cf.timings, pf.timings), Problems: problems}
	both := func(file string) bool { return cf.read[file] && pf.read[file] }
	if both(run.ManifestFile) {
		r.Packages = diffPackages(cf.packages, pf.packages)
		r.CloudInit = change(version(cf.packages, "cloud-init"), version(pf.packages, "cloud-init"))
	}
	if both(run.KernelFile) {
		r.Kernel, r.Cmdline = change(cf.kernel, pf.kernel), change(cf.cmdline, pf.cmdline)
	}
	if both(run.ServicesFile) {
		r.Services = diffServices(cf.services, pf.services)
	}
	return r
}

// Write stores the result as JSON at path, atomically.
func (r Result) Write(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'), 0o644)
}

// Comparison is what the candidate's report carries of the result.
func (r Result) Comparison() *report.Comparison {
	p := r.Production
	c := &report.Comparison{Against: fmt.Sprintf("production %s %s (sha256 %.12s)", p.Image, p.Version, p.SHA256),
		Status: r.Checks.Status, Summary: r.Summary(),
		Properties: [][2]string{{report.PropCompareVersion, p.Version}, {report.PropCompareSHA256, p.SHA256},
			{report.PropCompareChecks, r.CheckCounts()}}}
	for _, t := range r.Timings {
		if t.Name == "boot-to-ssh" {
			c.Properties = append(c.Properties, [2]string{report.PropCompareBootToSSH, fmt.Sprintf("%.1f", t.Production)})
		}
	}
	return c
}

// CheckCounts says how many checks are in each compare status.
func (r Result) CheckCounts() string {
	c := r.Checks
	return fmt.Sprintf("%d new failure(s), %d still failing, %d fixed, %d unchanged", len(c.NewFailures), len(c.StillFailing), len(c.Fixed), c.Unchanged)
}

// Summary is the comparison for people (the testsuite's system-out).
func (r Result) Summary() string {
	var b strings.Builder
	p := r.Production
	fmt.Fprintf(&b, "compared with production %s %s/%s (sha256 %s, %s):\n", p.Image, p.Version, p.Arch, p.SHA256, p.Path)
	fmt.Fprintf(&b, "  checks: %s\n", r.CheckCounts())
	for _, l := range []struct {
		what  string
		names []string
	}{{"new failure", r.Checks.NewFailures}, {"still failing", r.Checks.StillFailing}, {"fixed", r.Checks.Fixed}} {
		for _, n := range l.names {
			fmt.Fprintf(&b, "    %s: %s\n", l.what, n)
		}
	}
	r.packagesText(&b)
	for _, f := range []struct {
		what string
		c    *Change
	}{{"kernel", r.Kernel}, {"kernel command line", r.Cmdline}, {"cloud-init", r.CloudInit}} {
		if f.c != nil {
			fmt.Fprintf(&b, "  %s: %s\n", f.what, changeText(*f.c))
		}
	}
	if s := r.Services; s != nil {
		fmt.Fprintf(&b, "  enabled services: %d newly enabled %v, %d no longer enabled %v\n", len(s.Enabled), s.Enabled, len(s.Disabled), s.Disabled)
	}
	for _, t := range r.Timings {
		fmt.Fprintf(&b, "  %s: %.1f s (production %.1f s, %+.0f%%)\n", t.Name, t.Candidate, t.Production, t.ChangePercent)
	}
	for _, pr := range r.Problems {
		fmt.Fprintf(&b, "  not compared: %s\n", pr)
	}
	return b.String()
}

func (r Result) packagesText(b *strings.Builder) {
	d := r.Packages
	if d == nil {
		return
	}
	fmt.Fprintf(b, "  packages: %d added, %d removed, %d changed\n", len(d.Added), len(d.Removed), len(d.Changed))
	for _, a := range d.Added {
		fmt.Fprintf(b, "    added: %s %s (%s)\n", a.Name, a.Version, a.Arch)
	}
	for _, a := range d.Removed {
		fmt.Fprintf(b, "    removed: %s %s (%s)\n", a.Name, a.Version, a.Arch)
	}
	for _, u := range d.Changed {
		fmt.Fprintf(b, "    changed: %s (%s) %s -> %s\n", u.Name, u.Arch, u.Production, u.Candidate)
	}
}

func changeText(c Change) string {
	if !c.Changed {
		return c.Candidate + " (unchanged)"
	}
	return fmt.Sprintf("%s (production %s)", c.Candidate, c.Production)
}
