package gate

import (
	"time"

	"github.com/imagegate/imagegate/harness/junitread"
)

// history dates checks and suites: when each was first seen in any run
// (of any image and arch) given to the gate, by the start time of the
// target's run. Targets whose start is unknown date nothing.
type history struct {
	check map[string]time.Time // suite + "\x00" + name
	suite map[string]time.Time
}

func newHistory(reports []*junitread.Report) history {
	h := history{check: map[string]time.Time{}, suite: map[string]time.Time{}}
	for _, r := range reports {
		for _, t := range r.Targets {
			if t.Started.IsZero() {
				continue
			}
			for _, c := range t.Cases {
				earliest(h.check, c.Suite+"\x00"+c.Name, t.Started)
				earliest(h.suite, c.Suite, t.Started)
			}
		}
	}
	return h
}

func earliest(m map[string]time.Time, k string, ts time.Time) {
	if have, ok := m[k]; !ok || ts.Before(have) {
		m[k] = ts
	}
}

// isNew reports whether c is a new check within its grace period: its
// suite was seen in a run that did not have it (the check was first seen
// strictly after its suite was), and it was first seen less than days
// ago. A check whose suite is as new as it is (a new suite, or no older
// runs given) is not new: without an older run to compare, nothing is.
// The harness's own cases are never new.
func (h history) isNew(c junitread.Case, days int, now time.Time) (time.Time, bool) {
	if days <= 0 || c.Harness() {
		return time.Time{}, false
	}
	first, ok := h.check[c.Suite+"\x00"+c.Name]
	suite, sok := h.suite[c.Suite]
	if !ok || !sok || !first.After(suite) {
		return first, false
	}
	return first, now.Sub(first) < time.Duration(days)*24*time.Hour
}
