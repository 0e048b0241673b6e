package framework

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the framework is where Ginkgo lives
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/console"
	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/run"
)

// events receives the target's progress as data (nil: nobody listens).
var events *event.Sink

type testingT struct{ failed bool }

func (t *testingT) Fail() { t.failed = true }

// RunTarget boots t's guest, runs the selected checks against it and
// writes the results (results.json) and Ginkgo's own JSON report
// (ginkgo.json) into t.Layout.Out. The spec tree holds every suite that
// applies to t, exactly as the catalogue was taken (TakeCatalogue); t's
// selection only filters it. It returns whether every selected check
// passed. It may be called once per process (a Ginkgo rule), which is why
// the orchestrator runs each target in a process of its own.
func RunTarget(t run.Target, progress io.Writer, sink *event.Sink) (bool, error) {
	events = sink
	if err := registerExternal(t); err != nil {
		return false, err
	}
	suites, err := applicable(t)
	if err != nil {
		return false, err
	}
	filter, err := Filter(t.Options.Selection)
	if err != nil {
		return false, err
	}
	if t.Options.Reseed == nil { // a reproducer boots with the failed run's seed as it was
		if t.Options.UserData, t.Options.NetworkConfig, err = mergeUserData(t, selected(t, suites)); err != nil {
			return false, err
		}
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(progress, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	gomega.RegisterFailHandler(Fail)
	declareBoot(t, logf)
	declareEvidence(logf)
	declareResults(t)
	ReportAfterEach(func(r SpecReport) {
		if r.State.Is(types.SpecStateFailureStates) && current != nil {
			current.MarkFailed()
		}
		fate := specFate(r)
		suite, name := specName(r)
		text := suite + " " + name // as the report names it
		if r.LeafNodeType == types.NodeTypeIt {
			events.Emit(event.CheckOf(text, string(fate), r.RunTime))
		}
		switch {
		case r.State.Is(types.SpecStatePassed | types.SpecStateFailureStates):
			logf("check %s: %s (%s)", r.State, text, r.RunTime.Round(time.Millisecond))
		case fate == catalogue.NotApplicable:
			logf("check not applicable: %s (%s)", text, r.Failure.Message)
		}
	})
	declareSuites(suites, logf)
	sc, rc := GinkgoConfiguration()
	sc.LabelFilter, sc.FocusStrings = filter, t.Options.Selection.Focus
	sc.Timeout = 3*t.Machine.BootTimeout + time.Hour
	rc.JSONReport = t.Layout.Ginkgo()
	rc.NoColor = true
	rc.Verbose = true
	ok := RunSpecs(&testingT{}, "imagegate "+t.ID(), Label("arch:"+t.Image.Arch, "distro:"+t.Image.Family), sc, rc)
	return ok, nil
}

// declareSuites puts each suite in a container labelled suite:<name>, in
// name order, and then the reboot phase: every suite's AfterReboot checks
// after one shared reboot. One Ordered container holds them all, so they
// run in the order declared (Ginkgo would otherwise sort and shuffle them
// by where their code is) and the reboot phase comes last;
// ContinueOnFailure keeps a failed check from skipping the rest.
func declareSuites(suites []Suite, logf func(string, ...any)) {
	Describe(treeRoot, Ordered, ContinueOnFailure, func() {
		for _, s := range suites {
			Describe(s.Name, suiteLabels(s), s.Specs)
		}
		declareRebootPhase(suites, logf)
	})
}

func suiteLabels(s Suite) Labels { return Label(append([]string{"suite:" + s.Name}, s.Labels...)...) }

// Filter is the Ginkgo label filter of a selection: its
// --label-filter, narrowed to its --suite selection (suite:<name>
// labels). It checks the filter and the --focus expressions, so a typo is
// a usage error before anything boots.
func Filter(sel run.Selection) (string, error) {
	var parts []string
	if strings.TrimSpace(sel.LabelFilter) != "" {
		if _, err := types.ParseLabelFilter(sel.LabelFilter); err != nil {
			return "", fmt.Errorf("--label-filter %q: %s", sel.LabelFilter, labelFilterError(err))
		}
		parts = append(parts, "("+sel.LabelFilter+")")
	}
	if len(sel.Suites) > 0 {
		var names []string
		for _, s := range sel.Suites {
			names = append(names, "suite:"+s)
		}
		parts = append(parts, "("+strings.Join(names, " || ")+")")
	}
	for _, f := range sel.Focus {
		if _, err := regexp.Compile(f); err != nil {
			return "", fmt.Errorf("--focus %q: not a regular expression: %v", f, err)
		}
	}
	return strings.Join(parts, " && "), nil
}

// labelFilterError is the one line of a Ginkgo label filter error that says
// what is wrong: without colours and without Ginkgo's heading.
func labelFilterError(err error) string {
	s := console.Clean([]byte(err.Error())) // Ginkgo colours its errors
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && l != "Syntax Error Parsing Label Filter" {
			return l
		}
	}
	return strings.TrimSpace(s)
}
