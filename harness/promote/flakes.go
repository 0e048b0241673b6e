package promote

import (
	"cmp"
	"slices"

	"github.com/imagegate/imagegate/harness/junitread"
)

// FlakeRate is one check's record on one arch over the promoted runs
// looked at.
type FlakeRate struct {
	Check  string `json:"check"`
	Arch   string `json:"arch"`
	Runs   int    `json:"runs"`   // runs that had the check
	Passed int    `json:"passed"` // passed the first time
	Failed int    `json:"failed"` // failed (waived, quarantined or in grace: it was promoted)
	Flaky  int    `json:"flaky"`  // failed, then passed on a rerun
	Other  int    `json:"other"`  // not applicable, not selected, not run, error
}

// Rate is n as a share of the runs that had the check.
func (f FlakeRate) Rate(n int) float64 {
	if f.Runs == 0 {
		return 0
	}
	return float64(n) / float64(f.Runs)
}

// FlakeRates tallies each check per arch over the last n promoted runs of
// each arch (every run when n <= 0), of image only unless it is "". The
// flakiest come first, then the most failed, then by check and arch.
func FlakeRates(runs []HistoryRun, image string, n int) []FlakeRate {
	perArch := map[string][]HistoryRun{}
	for _, r := range runs {
		if image == "" || r.Image == image {
			perArch[r.Arch] = append(perArch[r.Arch], r)
		}
	}
	rates := map[[2]string]*FlakeRate{}
	for arch, rs := range perArch {
		if n > 0 && len(rs) > n {
			rs = rs[len(rs)-n:]
		}
		for _, r := range rs {
			for _, c := range r.Checks {
				k := [2]string{c.Check, arch}
				if rates[k] == nil {
					rates[k] = &FlakeRate{Check: c.Check, Arch: arch}
				}
				rates[k].add(c.Result)
			}
		}
	}
	out := make([]FlakeRate, 0, len(rates))
	for _, f := range rates {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b FlakeRate) int {
		return cmp.Or(cmp.Compare(b.Rate(b.Flaky), a.Rate(a.Flaky)), cmp.Compare(b.Rate(b.Failed), a.Rate(a.Failed)),
			cmp.Compare(a.Check, b.Check), cmp.Compare(a.Arch, b.Arch))
	})
	return out
}

func (f *FlakeRate) add(result string) {
	f.Runs++
	switch result {
	case string(junitread.Passed):
		f.Passed++
	case string(junitread.Failed):
		f.Failed++
	case Flaky:
		f.Flaky++
	default:
		f.Other++
	}
}
