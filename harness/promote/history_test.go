package promote_test

import (
	"context"
	"os"
	"testing"

	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
	"github.com/imagegate/imagegate/harness/promote"
)

// Each promotion appends the results it was promoted on to the flake
// history, committed with its generation; the rates come from it.
func TestPromotionsKeepAFlakeHistory(t *testing.T) {
	f := newFixture(t, 1<<10)
	os.WriteFile(f.policy, []byte(policy+"    flaky: allow\n"), 0o644)
	if _, err := promote.Promote(context.Background(), f.opts("v1")); err != nil {
		t.Fatal(err)
	}
	f.newImages(t, 1<<10, "20261122-110000-0002", jt.Flaky("baseline", "ok"))
	if _, err := promote.Promote(context.Background(), f.opts("v2")); err != nil {
		t.Fatal(err)
	}
	if res, err := promote.Promote(context.Background(), f.opts("")); err != nil || !res.Already {
		t.Fatalf("promoting the same files again: %v %+v", err, res)
	}
	runs, err := promote.History(f.prod)
	if err != nil || len(runs) != 4 {
		t.Fatalf("history: %d runs, %v; want 4 (two versions, two arches; nothing for a repeat)", len(runs), err)
	}
	if r := runs[3]; r.Version != "v2" || r.Runs[0] != "20261122-110000-0002" || len(r.Checks) != 1 || r.Checks[0] != (promote.HistoryCheck{Check: "baseline ok", Result: promote.Flaky}) {
		t.Errorf("latest run: %+v", r)
	}
	rates := promote.FlakeRates(runs, "deb", 0)
	if len(rates) != 2 || rates[0].Runs != 2 || rates[0].Passed != 1 || rates[0].Flaky != 1 || rates[0].Rate(rates[0].Flaky) != 0.5 {
		t.Errorf("rates: %+v", rates)
	}
	if last := promote.FlakeRates(runs, "", 1); last[0].Runs != 1 || last[0].Flaky != 1 {
		t.Errorf("the last run per arch: %+v", last)
	}
	if r := promote.FlakeRates(runs, "other", 0); len(r) != 0 {
		t.Errorf("another image has no history: %+v", r)
	}
	idx, err := promote.Current(f.prod)
	if err != nil {
		t.Fatal(err)
	}
	if v, it, ok := idx.Latest("deb", "x86_64"); !ok || v != "v2" || it.SHA256 != f.sums["x86_64"] {
		t.Errorf("latest: %s %+v %v; want v2, the last promoted", v, it, ok)
	}
	if _, _, ok := idx.Latest("deb", "s390x"); ok {
		t.Error("nothing is promoted for s390x")
	}
	mustVerify(t, f.prod)
}
