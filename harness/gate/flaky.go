package gate

import (
	"fmt"

	"github.com/imagegate/imagegate/harness/junitread"
)

// flaky judges a required check that failed, then passed on a rerun
// (imagegate run --rerun-failed): a quarantine entry decides first, then
// the entry's flaky: rule. A flaky check is not a pass unless the policy
// says so.
func (ev *evaluator) flaky(ar *ArchResult, c junitread.Case) {
	ar.Flaky++
	what := "was flaky (failed, then passed on a rerun on a fresh guest)"
	if ev.quarantined(ar, c, what) {
		return
	}
	if ev.entry.Flaky == FlakyAllow {
		ev.note(about(Finding{Kind: FlakyAllowed, Arch: ar.Arch, Message: fmt.Sprintf("%q %s; allowed: the policy says flaky: allow", c.FullName(), what)}, c))
		return
	}
	ev.block(about(blocking(FlakyCheck, ar.Arch, fmt.Sprintf(
		"%q %s; the policy says flaky: %s (fix the check, quarantine it with a tracker and an expiry, or set flaky: %s)",
		c.FullName(), what, FlakyBlock, FlakyAllow)), c))
}

// quarantined judges a flaky or failed required check (what says which)
// that a quarantine entry names: under a valid entry it is a note; once
// the entry has expired it blocks. It reports whether an entry applied.
func (ev *evaluator) quarantined(ar *ArchResult, c junitread.Case, what string) bool {
	valid, expired := ev.matching(ev.entry.Quarantine, ev.usedQ, ar.Arch, c)
	switch {
	case valid >= 0:
		q := ev.entry.Quarantine[valid]
		ar.Quarantined++
		f := Finding{Kind: Quarantined, Arch: ar.Arch, Tracker: q.Tracker, Expires: q.Expires,
			Message: fmt.Sprintf("%q %s; quarantined until %s (%s)", c.FullName(), what, q.Expires, q.Tracker)}
		ev.note(about(f, c))
	case expired >= 0:
		q := ev.entry.Quarantine[expired]
		f := blocking(QuarantineExpired, ar.Arch, fmt.Sprintf("%q %s; its quarantine (%s, policy line %d) expired on %s: fix the check or renew the entry",
			c.FullName(), what, q.Tracker, q.Line, q.Expires))
		f.Tracker, f.Expires = q.Tracker, q.Expires
		ev.block(about(f, c))
	default:
		return false
	}
	return true
}
