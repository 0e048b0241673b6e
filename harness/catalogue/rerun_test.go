package catalogue

import "testing"

// Only failed checks are rerun: not errors (the image was not judged:
// --retries is for those), not the harness's own steps, not passes.
func TestOnlyFailedChecksAreRerun(t *testing.T) {
	rs := []Result{{Name: BootCase, Fate: Failed}, {Suite: "s", Name: "err", Fate: Error}, {Suite: "s", Name: "ok", Fate: Passed},
		{Suite: "s", Name: "bad", Fate: Failed, Message: "first"}}
	if got := ToRerun(rs); len(got) != 1 || got[0].Name != "bad" {
		t.Fatalf("ToRerun = %+v", got)
	}
	rs = MergeRerun(rs, 1, "rerun-1", []Result{{Suite: "s", Name: "ok", Fate: Failed}, {Suite: "s", Name: "bad", Fate: Passed}}, "")
	if !rs[3].Flaky() || rs[3].Message != "first" || len(rs[2].Reruns) != 0 || rs[2].Flaky() {
		t.Errorf("after a passing rerun: %+v", rs)
	}
	if len(ToRerun(rs)) != 0 {
		t.Error("a flaky check is not rerun again")
	}
	rs = MergeRerun([]Result{{Suite: "s", Name: "bad", Fate: Failed}}, 1, "rerun-1", nil, "")
	if x := rs[0].Reruns[0]; x.Fate != NotRun || x.Message != "the rerun has no result for it" || rs[0].Flaky() {
		t.Errorf("a rerun without a result: %+v", x)
	}
}
