package gate

import (
	"fmt"
	"time"

	"github.com/imagegate/imagegate/harness/junitread"
)

// evaluator judges one image against its policy entry.
type evaluator struct {
	file  string
	entry *Entry
	comb  junitread.Combined
	hist  history
	now   time.Time
	used  map[int]bool // waivers that matched a failure
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
	ev := &evaluator{file: p.File, entry: e, comb: comb, hist: hist, now: now, used: map[int]bool{}, d: &d}
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
	id := img + "/" + arch
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
	ar.Present, ar.SHA256, ar.Path, ar.Runs, ar.Files, ar.Counts = true, t.SHA256, t.ImagePath, t.Runs, t.Files, t.Counts()
	ev.coverage(arch, t)
	for _, c := range t.Cases {
		ev.judge(&ar, c)
	}
	return ar
}

// coverage checks that every required suite and test pattern has at least
// one result that ran (not skipped) on the target.
func (ev *evaluator) coverage(arch string, t junitread.Target) {
	for _, s := range ev.entry.Suites {
		ran, skipped := count(t, func(c junitread.Case) bool { return c.Suite == s })
		if ran == 0 {
			ev.block(blocking(MissingSuite, arch, fmt.Sprintf("required suite %q has no results on %s%s", s, t.ID(), skippedNote(skipped))))
		}
	}
	for _, p := range ev.entry.Tests {
		ran, skipped := count(t, p.MatchCase)
		if ran == 0 {
			f := blocking(MissingTest, arch, fmt.Sprintf("no result on %s for required test %q%s", t.ID(), p.Text, skippedNote(skipped)))
			f.Test = p.Text
			ev.block(f)
		}
	}
}

func count(t junitread.Target, match func(junitread.Case) bool) (ran, skipped int) {
	for _, c := range t.Cases {
		switch {
		case !match(c):
		case c.Status == junitread.Skipped:
			skipped++
		default:
			ran++
		}
	}
	return ran, skipped
}

func skippedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (only %d skipped)", n)
}

func (ev *evaluator) block(f Finding) { ev.d.Blocking = append(ev.d.Blocking, f) }
func (ev *evaluator) note(f Finding)  { ev.d.Notes = append(ev.d.Notes, f) }
