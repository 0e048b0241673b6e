package catalogue

// Rerun is how a failed check ended when it was run again on a fresh
// guest booted from the same seed inputs (imagegate run --rerun-failed).
// A check that fails and then passes is flaky; one that fails every time
// is broken, and stays failed. The policy decides what a flaky check
// means for promotion: the run only records it.
type Rerun struct {
	Attempt int    `json:"attempt"` // 1 for the first rerun
	Fate    string `json:"fate"`
	Message string `json:"message,omitempty"`
	// Dir is the rerun's report folder, relative to the target's
	// (rerun-1): its console, evidence and results.
	Dir string `json:"dir"`
}

// Flaky reports whether the check failed, then passed on a rerun.
func (r Result) Flaky() bool {
	if r.Fate != Failed {
		return false
	}
	for _, x := range r.Reruns {
		if x.Fate == Passed {
			return true
		}
	}
	return false
}

// NeedsRerun reports whether the check failed (the image was judged
// wrong, not an error) and no rerun has passed yet. The harness's own
// steps are not rerun: a guest that did not boot is not a flaky check.
func (r Result) NeedsRerun() bool { return !r.Harness() && r.Fate == Failed && !r.Flaky() }

// ToRerun lists the checks of results that NeedsRerun.
func ToRerun(results []Result) []Result {
	var out []Result
	for _, r := range results {
		if r.NeedsRerun() {
			out = append(out, r)
		}
	}
	return out
}

// MergeRerun records attempt n of a rerun (its results, read from its
// folder dir) on every check of results that needed it. A check the
// rerun has no result for did not run there: notRun says why (the
// rerun's guest did not come up, the rerun could not start). The first
// failure stays the check's fate and message; the report decides how a
// flaky check is shown.
func MergeRerun(results []Result, n int, dir string, rerun []Result, notRun string) []Result {
	byKey := map[string]Result{}
	for _, r := range rerun {
		byKey[r.Key()] = r
	}
	if notRun == "" {
		notRun = "the rerun has no result for it"
	}
	out := make([]Result, len(results))
	for i, r := range results {
		out[i] = r
		if !r.NeedsRerun() {
			continue
		}
		x := Rerun{Attempt: n, Fate: NotRun, Message: notRun, Dir: dir}
		if got, ok := byKey[r.Key()]; ok {
			x.Fate, x.Message = got.Fate, got.Message
		}
		out[i].Reruns = append(append([]Rerun(nil), r.Reruns...), x)
	}
	return out
}
