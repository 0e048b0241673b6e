package gate

import (
	"fmt"
	"strings"
	"time"

	"github.com/imagegate/imagegate/harness/junitread"
	"github.com/imagegate/imagegate/harness/names"
	"github.com/imagegate/imagegate/harness/report"
)

// evaluator judges one image against its policy entry.
type evaluator struct {
	file  string
	entry *Entry
	comb  junitread.Combined
	hist  history
	now   time.Time
	used  map[int]bool // waivers that matched a failure
	usedQ map[int]bool // quarantine entries that matched a flaky or failed check
	d     *Decision
}

func decide(p *Policy, img string, comb junitread.Combined, hist history, now time.Time) Decision {
	d := Decision{Image: img, Blocking: []Finding{}, Notes: []Finding{}}
	e, ok := p.Match(img)
	if !ok {
		d.Blocking = append(d.Blocking, blocking(NoPolicy, "", fmt.Sprintf("no entry of policy %s matches image %q", p.File, img)))
		d.Arches = extraArches(comb, img, nil)
		d.Verdict = d.verdict()
		return d
	}
	d.Policy = e.Where(p.File)
	ev := &evaluator{file: p.File, entry: e, comb: comb, hist: hist, now: now, used: map[int]bool{}, usedQ: map[int]bool{}, d: &d}
	for _, a := range e.Arches {
		d.Arches = append(d.Arches, ev.arch(img, a))
	}
	for _, a := range extraArches(comb, img, e.Arches) {
		d.Arches = append(d.Arches, a)
		d.Notes = append(d.Notes, Finding{Kind: ExtraArch, Arch: a.Arch,
			Message: fmt.Sprintf("results for %s/%s are not judged: the policy does not require %s", img, a.Arch, a.Arch)})
	}
	ev.staleWaivers()
	d.Verdict = d.verdict()
	return d
}

// arch judges one required arch.
func (ev *evaluator) arch(img, arch string) ArchResult {
	id := names.ID(img, arch)
	ar := ArchResult{Arch: arch, Required: true}
	if k, bad := ev.comb.Conflict(id); bad {
		ev.block(blocking(DigestConflict, arch, k.Error()))
		return ar
	}
	t, ok := ev.comb.Target(id)
	if !ok {
		ev.block(blocking(MissingArch, arch, fmt.Sprintf("no results for %s in the reports", id)))
		return ar
	}
	ar.Present, ar.SHA256, ar.Path, ar.Runs, ar.Files, ar.Counts, ar.Cases = true, t.SHA256, t.ImagePath, t.Runs, t.Files, t.Counts(), t.Cases
	ar.ImagegateVersion, ar.Catalogue = t.Property(report.PropVersion), t.Catalogue
	ev.coverage(arch, t)
	for _, c := range t.Cases {
		ev.judge(&ar, c)
	}
	ev.bootSlowdown(arch, t)
	return ar
}

// coverage checks that the target's report is complete for the policy:
// it lists its catalogue, every check of every required suite ran (or
// said why it does not apply), and every required test pattern matches a
// check that ran. Failures and errors themselves are judged case by case.
func (ev *evaluator) coverage(arch string, t junitread.Target) {
	if t.Catalogue == "" {
		ev.block(blocking(NoCatalogue, arch, fmt.Sprintf("the report of %s does not list its catalogue of checks (%s), so it cannot show that every required check ran: "+
			"re-run it with an imagegate that records one", t.ID(), strings.Join(t.Files, ", "))))
	}
	for _, s := range ev.entry.Suites {
		ev.suiteCoverage(arch, t, s)
	}
	for _, p := range ev.entry.Tests {
		ev.testCoverage(arch, t, p)
	}
}

// suiteCoverage: every check of required suite s on t passed, failed or
// errored (judged elsewhere), or is not applicable with a reason (noted).
// Checks not selected or not run leave the image unjudged.
func (ev *evaluator) suiteCoverage(arch string, t junitread.Target, s string) {
	var total int
	groups := map[junitread.Status][]junitread.Case{}
	for _, c := range t.Cases {
		if c.Suite != s {
			continue
		}
		total++
		groups[c.Status] = append(groups[c.Status], c)
	}
	if total == 0 {
		ev.block(blocking(MissingSuite, arch, fmt.Sprintf("required suite %q has no checks on %s (does it apply to this family and arch? is the suite name right?)", s, t.ID())))
		return
	}
	cmd := ""
	if t.Rerun != "" {
		cmd = t.Rerun + " --suite " + s
	}
	if cs := groups[junitread.NotSelected]; len(cs) > 0 {
		sel := t.Selection
		if sel == "" {
			sel = "a filtered run"
		}
		f := blocking(NotSelected, arch, fmt.Sprintf("%d of %d checks of required suite %s did not run on %s: not selected (%s)%s",
			len(cs), total, s, t.ID(), sel, runThem(cmd)))
		ev.block(group(f, s, cs, cmd))
	}
	notRun := append(groups[junitread.NotRun], groups[junitread.Skipped]...)
	if len(notRun) > 0 {
		f := blocking(NotRun, arch, fmt.Sprintf("%d of %d checks of required suite %s did not run on %s: %s%s",
			len(notRun), total, s, t.ID(), notRun[0].Message, runThem(cmd)))
		ev.block(group(f, s, notRun, cmd))
	}
	for _, c := range groups[junitread.NotApplicable] {
		if !ev.mustRun(c) {
			ev.note(about(Finding{Kind: NotApplicableNote, Arch: arch, Message: fmt.Sprintf("%q: %s", c.FullName(), c.Message)}, c))
		}
	}
}

func runThem(cmd string) string {
	if cmd == "" {
		return ""
	}
	return "; run them: " + cmd
}

func group(f Finding, suite string, cs []junitread.Case, cmd string) Finding {
	f.Suite, f.Command, f.File = suite, cmd, cs[0].File
	for _, c := range cs {
		f.Checks = append(f.Checks, c.Name)
	}
	return f
}

// mustRun reports whether a tests: pattern requires c to run.
func (ev *evaluator) mustRun(c junitread.Case) bool {
	for _, p := range ev.entry.Tests {
		if p.MatchCase(c) {
			return true
		}
	}
	return false
}

// testCoverage: a required test pattern must match a check that ran (not
// merely one that was not applicable, not selected or not run).
func (ev *evaluator) testCoverage(arch string, t junitread.Target, p Pattern) {
	var ran int
	var other []junitread.Case
	for _, c := range t.Cases {
		switch {
		case !p.MatchCase(c):
		case c.Status.Ran():
			ran++
		default:
			other = append(other, c)
		}
	}
	if ran > 0 {
		return
	}
	why := ""
	if len(other) > 0 {
		why = fmt.Sprintf(" (%q: %s)", other[0].FullName(), other[0].Message)
	}
	f := blocking(MissingTest, arch, fmt.Sprintf("required test %q did not run on %s%s", p.Text, t.ID(), why))
	f.Test = p.Text
	ev.block(f)
}

func (ev *evaluator) block(f Finding) { ev.d.Blocking = append(ev.d.Blocking, f) }
func (ev *evaluator) note(f Finding)  { ev.d.Notes = append(ev.d.Notes, f) }
