package framework

import (
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/remote"
	"github.com/imagegate/imagegate/harness/run"
)

func entry(v string) types.ReportEntries {
	return types.ReportEntries{{Name: catalogue.OutcomeEntry, Value: types.WrapEntryValue(v)}}
}

func it(leaf string, st types.SpecState, msg string, entries types.ReportEntries) types.SpecReport {
	return types.SpecReport{LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{"baseline", "ssh"}, LeafNodeText: leaf,
		State: st, Failure: types.Failure{Message: msg}, ReportEntries: entries, RunTime: time.Second}
}

func TestResultsMapGinkgoStatesToFates(t *testing.T) {
	r := types.Report{SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "QEMU exited"}, ReportEntries: entry(catalogue.Error)},
		it("passes", types.SpecStatePassed, "", nil),
		it("fails", types.SpecStateFailed, "Expected true", nil),
		it("could not look", types.SpecStateFailed, "could not check: sudo refused", entry(catalogue.Error)),
		it("does not apply", types.SpecStateSkipped, "the profile asks for no security mode", entry(catalogue.NotApplicable)),
		it("bare skip", types.SpecStateSkipped, "someone called Skip", nil),
		it("filtered or aborted", types.SpecStateSkipped, "", nil),
		it("guest died, image", types.SpecStateAborted, "the guest died", entry(catalogue.Failed)),
		it("guest died, host", types.SpecStateAborted, "the guest died", entry(catalogue.Error)),
		it("interrupted", types.SpecStateInterrupted, "interrupted by user", nil),
		it("timed out", types.SpecStateTimedout, "timeout", nil),
		{LeafNodeType: types.NodeTypeAfterSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "evidence not fully collected"}},
		{LeafNodeType: types.NodeTypeAfterSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "the guest died: kernel panic"}, ReportEntries: entry(catalogue.Failed)},
		{LeafNodeType: types.NodeTypeCleanupAfterSuite, State: types.SpecStatePassed, RunTime: time.Second},
		{LeafNodeType: types.NodeTypeCleanupAfterSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "destroy failed"}, RunTime: time.Second},
		{LeafNodeType: types.NodeTypeReportAfterSuite, State: types.SpecStatePassed},
	}}
	want := map[string]string{
		catalogue.BootCase: catalogue.Error, "ssh passes": catalogue.Passed, "ssh fails": catalogue.Failed,
		"ssh could not look": catalogue.Error, "ssh does not apply": catalogue.NotApplicable, "ssh bare skip": catalogue.NotRun,
		"ssh filtered or aborted": catalogue.NotRun, "ssh guest died, image": catalogue.Failed, "ssh guest died, host": catalogue.Error,
		"ssh interrupted": catalogue.Error, "ssh timed out": catalogue.Failed,
		catalogue.EvidenceCase: catalogue.Error, catalogue.CleanupCase: catalogue.Error,
	}
	got := results(r)
	if got[len(got)-2].Name != catalogue.EvidenceCase || got[len(got)-2].Fate != catalogue.Failed {
		t.Errorf("a guest that died of the image's fault before its evidence: %+v", got[len(got)-2])
	}
	got = append(got[:len(got)-2], got[len(got)-1])
	if len(got) != len(want) {
		t.Errorf("%d results, want %d: %+v", len(got), len(want), got)
	}
	for _, res := range got {
		if want[res.Name] != res.Fate {
			t.Errorf("%q: fate %s, want %s", res.Name, res.Fate, want[res.Name])
		}
		if res.Name == "ssh passes" && res.Suite != "baseline" {
			t.Errorf("suite %q", res.Suite)
		}
		if res.Name == catalogue.CleanupCase && (res.Seconds != 2 || res.Message != "destroy failed") {
			t.Errorf("cleanup steps not folded: %+v", res)
		}
	}
}

func TestFilterCombinesSuitesAndChecksInput(t *testing.T) {
	f, err := Filter(run.Selection{LabelFilter: "!slow", Suites: []string{"baseline", "layered-hello"}})
	if err != nil || f != "(!slow) && (suite:baseline || suite:layered-hello)" {
		t.Errorf("Filter = %q, %v", f, err)
	}
	if f, _ := Filter(run.Selection{}); f != "" {
		t.Errorf("no selection: %q", f)
	}
	if _, err := Filter(run.Selection{LabelFilter: "slow &&"}); err == nil || strings.Contains(err.Error(), "\x1b") || strings.Count(err.Error(), "\n") > 0 {
		t.Errorf("bad label filter: %q", err)
	}
	if _, err := Filter(run.Selection{Focus: []string{"a("}}); err == nil || !strings.Contains(err.Error(), "--focus") {
		t.Errorf("bad focus: %v", err)
	}
}

func TestCannotRun(t *testing.T) {
	for res, want := range map[*remote.Result]string{
		{Command: "dpkg-query -W", ExitStatus: 127, Stderr: "sh: dpkg-query: not found"}:                    "missing",
		{Command: "sudo -n sh -c 'cat /etc/shadow'", ExitStatus: 1, Stderr: "sudo: a password is required"}: "sudo refused",
		{Command: "sudo -n sh -c 'false'", ExitStatus: 1}:                                                   "",
		{Command: "grep x /f", ExitStatus: 1}:                                                               "",
	} {
		if got := cannotRun(*res); (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("cannotRun(%+v) = %q, want %q", *res, got, want)
		}
	}
}

func TestSpecNameIgnoresTheTreesOwnContainers(t *testing.T) {
	for _, texts := range [][]string{{"baseline", "reboot"}, {treeRoot, "baseline", "reboot"}, {treeRoot, rebootPhase, "baseline", "reboot"}} {
		suite, name := specName(types.SpecReport{ContainerHierarchyTexts: texts, LeafNodeText: "comes back"})
		if suite != "baseline" || name != "reboot comes back" {
			t.Errorf("%q: suite %q, name %q", texts, suite, name)
		}
	}
}
