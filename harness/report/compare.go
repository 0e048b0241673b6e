package report

import (
	"strings"

	"github.com/jstemmer/go-junit-report/v2/junit"
)

// A candidate compared with the production image (run --compare-to):
// each check that passed or failed is marked by how production's image
// fared with it, in a line of the case's system-out that starts with
// CompareMarker, e.g. "imagegate: compare: still failing (production
// debian-12 20261203 (sha256 ...))". junitread reads the status back per
// case, and a policy that judges regressions only blocks on new failures.
const (
	CompareMarker = "imagegate: compare:"
	NewFailure    = "new failure"   // failed here; production's image did not fail it
	StillFailing  = "still failing" // production's image fails it too
	Fixed         = "fixed"         // passed here; production's image failed it
	Unchanged     = "unchanged"     // passed in both
)

// Comparison is what a target's report carries of its comparison with
// production (harness/compare builds it).
type Comparison struct {
	Against    string            // "production debian-12 20261203 (sha256 ...)"
	Status     map[string]string // by catalogue key
	Summary    string            // the testsuite's system-out
	Properties [][2]string
}

// compareLine is the marker line of a compared case ("" when the check
// was not compared).
func (c *caser) compareLine(key string) string {
	cmp := c.t.Compare
	if cmp == nil || cmp.Status[key] == "" {
		return ""
	}
	return CompareMarker + " " + cmp.Status[key] + " (" + cmp.Against + ")"
}

// withCompareLine adds the case's compare line to its system-out, after a
// flaky marker (which must stay first).
func (c *caser) withCompareLine(tc junit.Testcase, key string) junit.Testcase {
	l := c.compareLine(key)
	if l == "" {
		return tc
	}
	if tc.SystemOut == nil {
		tc.SystemOut = &junit.Output{Data: clean(l)}
		return tc
	}
	out := tc.SystemOut.Data
	if IsFlaky(tc.SystemOut) {
		first, rest, _ := strings.Cut(out, "\n")
		tc.SystemOut = &junit.Output{Data: first + "\n" + clean(l) + "\n" + rest}
		return tc
	}
	tc.SystemOut = &junit.Output{Data: clean(l) + "\n" + out}
	return tc
}

// CompareStatus is the compare status a case's system-out records, or "".
func CompareStatus(systemOut string) string {
	for _, l := range strings.Split(systemOut, "\n") {
		if rest, ok := strings.CutPrefix(l, CompareMarker+" "); ok {
			for _, s := range []string{NewFailure, StillFailing, Fixed, Unchanged} {
				if strings.HasPrefix(rest, s) {
					return s
				}
			}
		}
	}
	return ""
}

func (c *Comparison) props() [][2]string {
	if c == nil {
		return nil
	}
	return c.Properties
}
