package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/catalogue"
)

// A compared target marks each compared case after any flaky marker,
// carries the comparison's properties and summary, and stays valid JUnit.
func TestComparedCasesAreMarked(t *testing.T) {
	ft := flakyTarget()
	ft.Compare = &Comparison{Against: "production img 20261203 (sha256 abc)", Summary: "compared with production img 20261203\n",
		Status:     map[string]string{catalogue.Key("s", "flaky one"): Unchanged, catalogue.Key("s", "broken one"): StillFailing},
		Properties: [][2]string{{PropCompareVersion, "20261203"}}}
	b := BuildTarget(ft)
	outs := map[string]string{}
	for _, tc := range b.Suite.Testcases {
		if tc.SystemOut != nil {
			outs[tc.Name] = tc.SystemOut.Data
		}
	}
	if !strings.HasPrefix(outs["flaky one"], FlakyMarker) || CompareStatus(outs["flaky one"]) != Unchanged {
		t.Errorf("flaky and compared: the flaky marker stays first, the compare line follows:\n%s", outs["flaky one"])
	}
	if !strings.HasPrefix(outs["broken one"], CompareMarker+" still failing (production img 20261203") || CompareStatus(outs["broken one"]) != StillFailing {
		t.Errorf("broken one:\n%s", outs["broken one"])
	}
	if CompareStatus(outs["fine"]) != "" {
		t.Errorf("a check the comparison has no status for is not marked: %q", outs["fine"])
	}
	if b.Suite.SystemOut == nil || !strings.Contains(b.Suite.SystemOut.Data, "compared with production") {
		t.Error("the testsuite's system-out must carry the comparison's summary")
	}
	out := filepath.Join(t.TempDir(), "junit.xml")
	if err := WriteFile(out, Assemble([]Built{b})); err != nil {
		t.Fatal(err)
	}
	validate(t, out)
	page := filepath.Join(t.TempDir(), "index.html")
	if err := WritePage(page, BuildPage("r1", filepath.Dir(page), Assemble([]Built{b}), []Target{ft})); err != nil {
		t.Fatal(err)
	}
	if html, _ := os.ReadFile(page); !strings.Contains(string(html), "<h2>Compared with production</h2>") || !strings.Contains(string(html), "compared with production img 20261203") {
		t.Error("index.html lacks the comparison")
	}
}
