package junitread_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/junitread"
	"github.com/imagegate/imagegate/harness/report"
)

// A flaky check (failed, then passed on a rerun) reads back as a pass
// marked Flaky, and a compared one with its compare status, from the case
// itself, so merging keeps both.
func TestReadFlakyMarker(t *testing.T) {
	specs := []catalogue.Spec{{Suite: "s", Name: "a", Selected: true}, {Suite: "s", Name: "b", Selected: true}}
	results := catalogue.MergeRerun([]catalogue.Result{
		{Suite: "s", Name: "a", Fate: catalogue.Failed, Message: "once"}, {Suite: "s", Name: "b", Fate: catalogue.Passed}},
		1, "rerun-1", []catalogue.Result{{Suite: "s", Name: "a", Fate: catalogue.Passed}}, "")
	doc := report.Build([]report.Target{{ID: "img/x86_64", Catalogue: specs, Results: results,
		Compare:    &report.Comparison{Against: "production img 1", Status: map[string]string{catalogue.Key("s", "b"): report.Fixed}},
		Properties: [][2]string{{report.PropImage, "img"}, {report.PropArch, "x86_64"}, {report.PropImageSHA256, strings.Repeat("a", 64)}, {report.PropCatalogue, catalogue.Digest(specs)}}}})
	var buf bytes.Buffer
	if err := doc.WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := junitread.Parse("junit.xml", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	cs := r.Targets[0].Cases
	if cs[0].Name != "a" || cs[0].Status != junitread.Passed || !cs[0].Flaky || cs[1].Flaky || cs[0].Compare != "" || cs[1].Compare != report.Fixed {
		t.Errorf("cases: %+v", cs)
	}
	if got := r.Targets[0].Property(report.PropFlaky); got != "1: s a" {
		t.Errorf("flaky property %q", got)
	}
}
