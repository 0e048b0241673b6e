package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/catalogue"
)

// flakyTarget has one check that failed, then passed on rerun 2, and one
// that failed on the first run and both reruns.
func flakyTarget() Target {
	specs := []catalogue.Spec{{Suite: "s", Name: "flaky one", Selected: true}, {Suite: "s", Name: "broken one", Selected: true}, {Suite: "s", Name: "fine", Selected: true}}
	first := func(name string) catalogue.Result {
		return catalogue.Result{Suite: "s", Name: name, Fate: catalogue.Failed, Message: "boom on " + name, Output: "$ check\n"}
	}
	results := []catalogue.Result{{Name: catalogue.BootCase, Fate: catalogue.Passed}, first("flaky one"), first("broken one"),
		{Suite: "s", Name: "fine", Fate: catalogue.Passed}}
	results = catalogue.MergeRerun(results, 1, "rerun-1", []catalogue.Result{
		{Suite: "s", Name: "flaky one", Fate: catalogue.Failed, Message: "boom again"}, {Suite: "s", Name: "broken one", Fate: catalogue.Failed, Message: "still"}}, "")
	results = catalogue.MergeRerun(results, 2, "rerun-2", []catalogue.Result{
		{Suite: "s", Name: "flaky one", Fate: catalogue.Passed}}, "rerun 2: its guest did not come up")
	return Target{ID: "img/x86_64", Catalogue: specs, Results: results, Properties: [][2]string{{"image", "img"}, {"arch", "x86_64"}}}
}

func TestFlakyCasesAreMarkedPassesAndSchemaValid(t *testing.T) {
	ft := flakyTarget()
	if n := len(catalogue.ToRerun(ft.Results)); n != 1 {
		t.Fatalf("after the reruns %d check(s) still need one; want 1 (the broken one)", n)
	}
	b := BuildTarget(ft)
	var flaky, broken string
	for _, tc := range b.Suite.Testcases {
		switch tc.Name {
		case "flaky one":
			if tc.Failure != nil || tc.Error != nil || tc.SystemOut == nil || !IsFlaky(tc.SystemOut) {
				t.Fatalf("flaky case: want a pass marked flaky, got %+v", tc)
			}
			flaky = tc.SystemOut.Data
		case "broken one":
			if tc.Failure == nil || tc.Failure.Message != "boom on broken one" || IsFlaky(tc.SystemOut) {
				t.Fatalf("broken case: want its first failure, got %+v", tc)
			}
			broken = tc.SystemOut.Data
		}
	}
	for _, want := range []string{FlakyMarker + " failed, then passed on rerun 2", "first failure: boom on flaky one", "rerun 1 (rerun-1/): failed: boom again", "rerun 2 (rerun-2/): passed"} {
		if !strings.Contains(flaky, want) {
			t.Errorf("flaky case's system-out lacks %q:\n%s", want, flaky)
		}
	}
	for _, want := range []string{"not flaky: failed again on 1 of 2 rerun(s)", "rerun 1 (rerun-1/): failed: still", "rerun 2 (rerun-2/): not-run: rerun 2: its guest did not come up"} {
		if !strings.Contains(broken, want) {
			t.Errorf("broken case's system-out lacks %q:\n%s", want, broken)
		}
	}
	props := map[string]string{}
	for _, p := range *b.Suite.Properties {
		props[p.Name] = p.Value
	}
	if props[PropFlaky] != "1: s flaky one" || !strings.Contains(props[PropReruns], "2 failed check(s) rerun on fresh guests: 1 flaky, 1 failed every time") {
		t.Errorf("properties: %v", props)
	}
	if v, why := Verdict(b.Suite); v != "failed" || !strings.Contains(why, "broken one") {
		t.Errorf("verdict %s (%s); want failed by the broken one", v, why)
	}
	rec, _ := Record(b)
	var got struct{ Checks []recordCase }
	json.Unmarshal(rec, &got)
	if got.Checks[0].Name != "flaky one" || !got.Checks[0].Flaky || got.Checks[0].Fate != catalogue.Passed || got.Checks[1].Flaky {
		t.Errorf("target.json checks: %+v", got.Checks)
	}
	out := filepath.Join(t.TempDir(), "junit.xml")
	if err := WriteFile(out, Assemble([]Built{b})); err != nil {
		t.Fatal(err)
	}
	validate(t, out)
	if data, _ := os.ReadFile(out); !strings.Contains(string(data), `name="flaky" value="1: s flaky one"`) {
		t.Errorf("junit.xml lacks the flaky property")
	}
}
