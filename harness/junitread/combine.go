package junitread

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/report"
)

// Conflict is one target that two or more reports record with different
// image digests: their results are about different files.
type Conflict struct {
	Target  string // <image>/<arch>
	Image   string
	Arch    string
	Digests map[string][]string // sha256 -> the junit.xml files that record it
}

func (c Conflict) Error() string {
	var parts []string
	for _, d := range slices.Sorted(maps.Keys(c.Digests)) {
		parts = append(parts, fmt.Sprintf("%s in %s", d, strings.Join(c.Digests[d], ", ")))
	}
	return fmt.Sprintf("%s: reports disagree on the image tested (image.sha256 %s)", c.Target, strings.Join(parts, "; "))
}

// Combined is several reports folded into one result per target.
type Combined struct {
	Targets   []Target   // in order of first appearance; conflicting targets left out
	Conflicts []Conflict // targets whose reports disagree on the digest
}

// Target returns the combined target with the id <image>/<arch>.
func (c Combined) Target(id string) (Target, bool) {
	for _, t := range c.Targets {
		if t.ID() == id {
			return t, true
		}
	}
	return Target{}, false
}

// Conflict returns the conflict on target id, if any.
func (c Combined) Conflict(id string) (Conflict, bool) {
	for _, k := range c.Conflicts {
		if k.Target == id {
			return k, true
		}
	}
	return Conflict{}, false
}

type contribution struct {
	t     Target
	order int // position of the report in the list
}

// Combine folds reports (in the order given) into one result per target.
// Every test case of every run is kept; a case (same classname and name)
// reported more than once keeps the worst real result (Status.rank): a
// failure stays a failure, a result that ran is never replaced by one that
// was not run or not selected, and between equals the later run wins (the
// larger run-id, then the report later in the list). So a --focus re-run
// fills in checks an earlier run did not select, and cannot erase a
// failure. The harness's "run" error case (a run that produced no results)
// is dropped when a later run of the target exists: that run's own
// results, or their absence, speak instead.
func Combine(reports []*Report) Combined {
	groups := map[string][]contribution{}
	var order []string
	for i, r := range reports {
		for _, t := range r.Targets {
			if _, ok := groups[t.ID()]; !ok {
				order = append(order, t.ID())
			}
			groups[t.ID()] = append(groups[t.ID()], contribution{t, i})
		}
	}
	var out Combined
	for _, id := range order {
		g := groups[id]
		if k, bad := conflict(id, g); bad {
			out.Conflicts = append(out.Conflicts, k)
			continue
		}
		out.Targets = append(out.Targets, fold(g))
	}
	return out
}

func conflict(id string, g []contribution) (Conflict, bool) {
	k := Conflict{Target: id, Image: g[0].t.Image, Arch: g[0].t.Arch, Digests: map[string][]string{}}
	for _, c := range g {
		k.Digests[c.t.SHA256] = appendNew(k.Digests[c.t.SHA256], c.t.File)
	}
	return k, len(k.Digests) > 1
}

// fold merges one target's contributions, later runs winning per case.
func fold(g []contribution) Target {
	sort.SliceStable(g, func(i, j int) bool {
		if g[i].t.RunID != g[j].t.RunID {
			return g[i].t.RunID < g[j].t.RunID
		}
		return g[i].order < g[j].order
	})
	var cases []Case
	index := map[string]int{}
	var runs, files []string
	for j, c := range g {
		if j > 0 {
			cases, index = dropRunErrors(cases)
		}
		for _, tc := range c.t.Cases {
			if i, ok := index[tc.key()]; ok {
				if tc.Status.rank() >= cases[i].Status.rank() {
					cases[i] = tc
				}
				continue
			}
			index[tc.key()] = len(cases)
			cases = append(cases, tc)
		}
		runs = appendNew(runs, c.t.Runs...)
		files = appendNew(files, c.t.Files...)
	}
	out := g[len(g)-1].t
	out.Cases, out.Runs, out.Files = cases, runs, files
	out.Catalogue = ""
	for _, c := range g {
		if c.t.Catalogue != "" { // the merged checks are the catalogue now
			keys, _ := out.checkKeys()
			out.Catalogue = catalogue.DigestKeys(keys)
			break
		}
	}
	return out
}

// IsRunError reports whether c is the harness's "run" error case: the
// target's run produced no results or could not judge the image.
func IsRunError(c Case) bool { return c.Harness() && c.Name == report.RunCase && c.Status == Error }

func dropRunErrors(in []Case) ([]Case, map[string]int) {
	var out []Case
	index := map[string]int{}
	for _, c := range in {
		if IsRunError(c) {
			continue
		}
		index[c.key()] = len(out)
		out = append(out, c)
	}
	return out, index
}

func appendNew(list []string, vals ...string) []string {
	for _, v := range vals {
		found := false
		for _, have := range list {
			found = found || have == v
		}
		if !found {
			list = append(list, v)
		}
	}
	return list
}
