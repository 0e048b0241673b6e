package gate

import (
	"fmt"
	"slices"
	"time"

	"github.com/imagegate/imagegate/harness/junitread"
)

// required reports whether c counts: the harness's own cases (boot,
// cleanup, the run error) always do, then the required suites and tests.
func (ev *evaluator) required(c junitread.Case) bool {
	if c.Harness() || slices.Contains(ev.entry.Suites, c.Suite) {
		return true
	}
	for _, p := range ev.entry.Tests {
		if p.MatchCase(c) {
			return true
		}
	}
	return false
}

// judge looks at one case of a required arch. (Checks not selected, not
// run or not applicable are judged as a group by coverage; a harness step
// that did not run is an error here.)
func (ev *evaluator) judge(ar *ArchResult, c junitread.Case) {
	if c.Harness() && !c.Status.Ran() {
		c.Status = junitread.Error
	}
	bad := c.Status == junitread.Failed || c.Status == junitread.Error
	switch {
	case c.Flaky && ev.required(c):
		ev.flaky(ar, c)
	case c.Flaky:
		ev.note(about(Finding{Kind: NotRequired, Arch: ar.Arch,
			Message: fmt.Sprintf("%q was flaky: failed, then passed on a rerun (not required by the policy)", c.FullName())}, c))
	case !bad:
	case !ev.required(c):
		ev.note(about(Finding{Kind: NotRequired, Arch: ar.Arch,
			Message: fmt.Sprintf("%q %s (not required by the policy): %s", c.FullName(), c.Status, c.Message)}, c))
	case c.Status == junitread.Error:
		ev.block(about(blocking(ErrorCase, ar.Arch, fmt.Sprintf("%q errored, the image was not judged: %s", c.FullName(), c.Message)), c))
	default:
		ev.failure(ar, c)
	}
}

// failure decides whether a failed required check blocks: a quarantine
// entry, a valid waiver or the grace period of a new check make it a note.
func (ev *evaluator) failure(ar *ArchResult, c junitread.Case) {
	if ev.quarantined(ar, c, "failed: "+c.Message) || ev.stillFailing(ar, c) {
		return
	}
	valid, expired := ev.matching(ev.entry.Waivers, ev.used, ar.Arch, c)
	first, isNew := ev.hist.isNew(c, ev.entry.GraceDays, ev.now)
	switch {
	case valid >= 0:
		w := ev.entry.Waivers[valid]
		ar.Waived++
		f := Finding{Kind: Waived, Arch: ar.Arch, Tracker: w.Tracker, Expires: w.Expires,
			Message: fmt.Sprintf("%q failed; waived until %s (%s): %s", c.FullName(), w.Expires, w.Tracker, c.Message)}
		ev.note(about(f, c))
	case isNew:
		ar.Grace++
		until := first.Add(time.Duration(ev.entry.GraceDays) * 24 * time.Hour)
		ev.note(about(Finding{Kind: Grace, Arch: ar.Arch, Message: fmt.Sprintf(
			"%q failed; a new check (first seen %s), it blocks from %s (grace_days %d): %s",
			c.FullName(), first.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339), ev.entry.GraceDays, c.Message)}, c))
	case expired >= 0:
		w := ev.entry.Waivers[expired]
		f := blocking(WaiverExpired, ar.Arch, fmt.Sprintf("%q failed; its waiver (%s, policy line %d) expired on %s: %s",
			c.FullName(), w.Tracker, w.Line, w.Expires, c.Message))
		f.Tracker, f.Expires = w.Tracker, w.Expires
		ev.block(about(f, c))
	default:
		ev.block(about(blocking(Failed, ar.Arch, fmt.Sprintf("%q failed%s: %s", c.FullName(), compared(c), c.Message)), c))
	}
}

// matching returns the first valid and the first expired waiver (or
// quarantine entry) of ws (index, or -1) that match the case on arch, and
// marks them used.
func (ev *evaluator) matching(ws []Waiver, used map[int]bool, arch string, c junitread.Case) (valid, expired int) {
	valid, expired = -1, -1
	for i, w := range ws {
		if !w.Covers(arch) || !w.Test.MatchCase(c) {
			continue
		}
		used[i] = true
		switch {
		case w.Valid(ev.now) && valid < 0:
			valid = i
		case !w.Valid(ev.now) && expired < 0:
			expired = i
		}
	}
	return valid, expired
}

// staleWaivers notes expired waivers and quarantine entries that no
// result needed.
func (ev *evaluator) staleWaivers() {
	for _, list := range []struct {
		ws   []Waiver
		used map[int]bool
		kind Kind
		what string
	}{{ev.entry.Waivers, ev.used, StaleWaiver, "waiver"}, {ev.entry.Quarantine, ev.usedQ, StaleQuarantine, "quarantine entry"}} {
		for i, w := range list.ws {
			if !w.Valid(ev.now) && !list.used[i] {
				ev.note(Finding{Kind: list.kind, Tracker: w.Tracker, Expires: w.Expires, Test: w.Test.Text,
					Message: fmt.Sprintf("%s for %q (%s, policy line %d) expired on %s: remove or renew it", list.what, w.Test.Text, w.Tracker, w.Line, w.Expires)})
			}
		}
	}
}

// extraArches lists what the reports hold for arches of img outside
// required.
func extraArches(comb junitread.Combined, img string, required []string) []ArchResult {
	var out []ArchResult
	for _, t := range comb.Targets {
		if t.Image == img && !slices.Contains(required, t.Arch) {
			out = append(out, ArchResult{Arch: t.Arch, Present: true, SHA256: t.SHA256, Path: t.ImagePath, Runs: t.Runs, Files: t.Files, Counts: t.Counts()})
		}
	}
	for _, k := range comb.Conflicts {
		if k.Image == img && !slices.Contains(required, k.Arch) {
			out = append(out, ArchResult{Arch: k.Arch, Present: true})
		}
	}
	return out
}
