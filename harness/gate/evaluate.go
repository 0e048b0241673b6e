package gate

import (
	"sort"
	"time"

	"github.com/imagegate/imagegate/harness/junitread"
)

// Input is what the gate judges.
type Input struct {
	Policy  *Policy
	Reports []*junitread.Report // the results under judgment, combined per target
	History []*junitread.Report // older runs: only used to date checks for the grace period
	Images  []string            // decide only these; empty: every image in the reports or named literally by the policy
	Now     time.Time           // zero: time.Now()
}

// Result is the gate's answer for every image in scope.
type Result struct {
	EvaluatedAt time.Time  `json:"evaluated_at"`
	Policy      string     `json:"policy"`
	Reports     []string   `json:"reports"`
	Decisions   []Decision `json:"decisions"`
	ExitCode    int        `json:"exit_code"`
}

// Evaluate applies the policy to the reports.
func Evaluate(in Input) Result {
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	comb := junitread.Combine(in.Reports)
	hist := newHistory(append(append([]*junitread.Report(nil), in.Reports...), in.History...))
	res := Result{EvaluatedAt: now.UTC(), Policy: in.Policy.File}
	for _, r := range in.Reports {
		res.Reports = append(res.Reports, r.File)
	}
	for _, img := range scope(in, comb) {
		res.Decisions = append(res.Decisions, decide(in.Policy, img, comb, hist, now))
	}
	res.ExitCode = exitCode(res.Decisions)
	return res
}

// Decision returns the decision on image.
func (r Result) Decision(image string) (Decision, bool) {
	for _, d := range r.Decisions {
		if d.Image == image {
			return d, true
		}
	}
	return Decision{}, false
}

// exitCode: 0 when every image is promoted; 2 when any is inconclusive
// (or nothing was judged); else 1 when any is rejected.
func exitCode(ds []Decision) int {
	if len(ds) == 0 {
		return ExitInconclusive
	}
	code := ExitPromote
	for _, d := range ds {
		switch d.Verdict {
		case Inconclusive:
			return ExitInconclusive
		case Reject:
			code = ExitReject
		}
	}
	return code
}

// scope lists the images to decide, sorted.
func scope(in Input, comb junitread.Combined) []string {
	set := map[string]bool{}
	if len(in.Images) > 0 {
		for _, im := range in.Images {
			set[im] = true
		}
		return sortedSet(set)
	}
	for _, t := range comb.Targets {
		set[t.Image] = true
	}
	for _, k := range comb.Conflicts {
		set[k.Image] = true
	}
	for _, e := range in.Policy.Images {
		if !IsGlob(e.Name.Text) {
			set[e.Name.Text] = true
		}
	}
	return sortedSet(set)
}

func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
