package compare

import (
	"sort"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/report"
)

// Checks is how the candidate's checks fared against production's.
type Checks struct {
	NewFailures  []string `json:"new_failures"`  // failed here, passed (or did not fail) there
	StillFailing []string `json:"still_failing"` // failed in both
	Fixed        []string `json:"fixed"`         // passed here, failed there
	Unchanged    int      `json:"unchanged"`     // passed in both
	// Status is each compared check's status (report.NewFailure, ...) by
	// catalogue key. Checks that neither passed nor failed here (an
	// error, not applicable, not run) are not compared.
	Status map[string]string `json:"-"`
}

// compareChecks marks each check of cand that passed or failed against
// prod's result of the same check. A candidate failure is a new failure
// unless production failed the same check: a check production did not
// run, or could not judge, cannot excuse it.
func compareChecks(cand, prod []catalogue.Result) Checks {
	theirs := map[string]catalogue.Result{}
	for _, r := range prod {
		theirs[r.Key()] = r
	}
	c := Checks{NewFailures: []string{}, StillFailing: []string{}, Fixed: []string{}, Status: map[string]string{}}
	for _, r := range cand {
		if r.Harness() {
			continue
		}
		p, ok := theirs[r.Key()]
		pFailed := ok && failed(p)
		name := r.Suite + " " + r.Name
		switch {
		case failed(r) && pFailed:
			c.Status[r.Key()], c.StillFailing = report.StillFailing, append(c.StillFailing, name)
		case failed(r):
			c.Status[r.Key()], c.NewFailures = report.NewFailure, append(c.NewFailures, name)
		case r.Fate != catalogue.Passed && !r.Flaky(): // an error, not applicable, not run
		case pFailed:
			c.Status[r.Key()], c.Fixed = report.Fixed, append(c.Fixed, name)
		default:
			c.Status[r.Key()] = report.Unchanged
			c.Unchanged++
		}
	}
	for _, l := range [][]string{c.NewFailures, c.StillFailing, c.Fixed} {
		sort.Strings(l)
	}
	return c
}

// failed: the check found the image wrong (a flaky check, which passed on
// a rerun, did not).
func failed(r catalogue.Result) bool { return r.Fate == catalogue.Failed && !r.Flaky() }
