package gate

import (
	"fmt"
	"slices"
	"time"
)

// Policy is a loaded promotion policy.
type Policy struct {
	File   string
	Images []Entry // in file order; the first entry that matches an image applies
}

// Entry is the policy of the images whose name matches Name.
type Entry struct {
	Name      Pattern   // an exact name or a glob
	Arches    []string  // required arches, canonical names
	Suites    []string  // required suites: every case of these counts
	Tests     []Pattern // required checks: each must have a result on each arch
	GraceDays int       // a failing check first seen less than this many days ago does not block
	Waivers   []Waiver
	// Flaky is what a required check that failed, then passed on a
	// rerun (--rerun-failed) does to the decision: FlakyBlock (the
	// default: a flaky check is not a pass) or FlakyAllow (a note).
	Flaky string
	// Quarantine lists known-flaky checks: until an entry expires, its
	// check runs and is reported, but neither a flaky result nor a
	// failure of it blocks; once expired, either blocks and says so.
	Quarantine []Waiver
	// Judge is JudgeFull (the default: every failure of a required check
	// counts) or JudgeRegressions: when the run compared the candidate
	// with the production image, a failure production's image has too
	// (still failing) is listed, not blocking, unless MustPass names it.
	Judge    string
	MustPass []Pattern
	// MaxBootSlowdown bounds how much slower than production's image the
	// candidate may reach SSH, in percent (0: no bound).
	MaxBootSlowdown float64
	Line            int
}

// The values of an entry's judge: key.
const (
	JudgeFull        = "full"
	JudgeRegressions = "regressions"
)

// The values of an entry's flaky: key.
const (
	FlakyBlock = "block"
	FlakyAllow = "allow"
)

// Where names the entry for people: "debian-* (policy.yaml:4)".
func (e Entry) Where(file string) string { return fmt.Sprintf("%s (%s:%d)", e.Name.Text, file, e.Line) }

// Waiver accepts the failure of the checks matching Test on Arches (all
// the entry's arches if empty) until the end of the Expires day, UTC. A
// quarantine entry has the same fields.
type Waiver struct {
	Test    Pattern
	Arches  []string
	Tracker string
	Expires string    // YYYY-MM-DD as written
	Until   time.Time // the first instant it no longer applies: 00:00 UTC the day after Expires
	Reason  string
	Line    int
}

// Valid reports whether the waiver still applies at now.
func (w Waiver) Valid(now time.Time) bool { return now.Before(w.Until) }

// Covers reports whether the waiver is about arch.
func (w Waiver) Covers(arch string) bool {
	return len(w.Arches) == 0 || slices.Contains(w.Arches, arch)
}

// Match returns the first entry whose name pattern matches image.
func (p *Policy) Match(image string) (*Entry, bool) {
	for i := range p.Images {
		if p.Images[i].Name.Match(image) {
			return &p.Images[i], true
		}
	}
	return nil, false
}
