package framework

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	"github.com/onsi/ginkgo/v2/types"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/run"
)

// specName is a spec's suite (the suite's Describe, below the tree's root
// and the reboot phase) and its name below it, as the catalogue and the
// report use: a check's name does not say whether it ran in the reboot
// phase.
func specName(sr types.SpecReport) (suite, name string) {
	texts := sr.ContainerHierarchyTexts
	if len(texts) > 0 && texts[0] == treeRoot {
		texts = texts[1:]
	}
	if len(texts) > 0 && texts[0] == rebootPhase {
		texts = texts[1:]
	}
	if len(texts) == 0 {
		return "", sr.LeafNodeText
	}
	return texts[0], strings.Join(append(append([]string(nil), texts[1:]...), sr.LeafNodeText), " ")
}

// results turns Ginkgo's report into imagegate's results: one per spec
// that Ginkgo reports, plus the boot, evidence and (all steps folded into
// one) cleanup steps. Specs Ginkgo filtered out are reported as not run;
// the report writer knows from the catalogue that they were not selected.
func results(r types.Report) []catalogue.Result {
	var out []catalogue.Result
	clean := -1
	for _, sr := range r.SpecReports {
		switch sr.LeafNodeType {
		case types.NodeTypeIt:
			res := result(sr, specFate(sr))
			res.Suite, res.Name = specName(sr)
			out = append(out, res)
		case types.NodeTypeBeforeSuite:
			out = append(out, named(result(sr, bootFate(sr)), catalogue.BootCase))
		case types.NodeTypeAfterSuite:
			out = append(out, named(result(sr, stepFate(sr)), catalogue.EvidenceCase))
		case types.NodeTypeCleanupAfterSuite:
			res := named(result(sr, stepFate(sr)), catalogue.CleanupCase)
			if clean < 0 {
				clean = len(out)
				out = append(out, res)
				continue
			}
			c := &out[clean]
			c.Seconds += res.Seconds
			c.Output = strings.TrimSpace(c.Output + "\n" + res.Output)
			if c.Fate == catalogue.Passed && res.Fate != catalogue.Passed {
				c.Fate, c.Type, c.Message, c.Detail = res.Fate, res.Type, res.Message, res.Detail
			}
		}
	}
	return out
}

func named(r catalogue.Result, name string) catalogue.Result { r.Name = name; return r }

func result(sr types.SpecReport, fate string) catalogue.Result {
	res := catalogue.Result{Fate: fate, Seconds: sr.RunTime.Seconds(),
		Output: strings.TrimSpace(strings.Join([]string{sr.CapturedGinkgoWriterOutput, sr.CapturedStdOutErr}, "\n"))}
	if fate != catalogue.Passed {
		res.Type = sr.State.String()
		if fate == catalogue.Error && sr.State.Is(types.SpecStateFailed) {
			res.Type = "not-judged" // the framework said so: a host fault, a check that could not look
		}
		res.Message = sr.Failure.Message
		res.Detail = strings.TrimSpace(fmt.Sprintf("%s\n%s", sr.Failure.Message, sr.Failure.Location))
	}
	for _, e := range sr.ReportEntries {
		if e.Name != catalogue.OutcomeEntry {
			res.Entries = append(res.Entries, [2]string{e.Name, e.StringRepresentation()})
		}
	}
	return res
}

// outcome is what the framework said a spec's skip or failure means.
func outcome(sr types.SpecReport) string {
	v := ""
	for _, e := range sr.ReportEntries {
		if e.Name == catalogue.OutcomeEntry {
			v = e.StringRepresentation()
		}
	}
	return v
}

func specFate(sr types.SpecReport) string {
	o := outcome(sr)
	switch {
	case sr.State.Is(types.SpecStatePassed):
		return catalogue.Passed
	case sr.State.Is(types.SpecStateSkipped) && o == catalogue.NotApplicable:
		return catalogue.NotApplicable
	case sr.State.Is(types.SpecStateSkipped | types.SpecStatePending):
		return catalogue.NotRun // skipped by Ginkgo (ordered container, abort) or a bare Skip
	case o == catalogue.Error || o == catalogue.Failed:
		return o
	case sr.State.Is(types.SpecStateInterrupted | types.SpecStateAborted):
		return catalogue.Error
	}
	return catalogue.Failed // failed, panicked, timed out
}

// bootFate: a boot fails (the image) only when the fault was the image's;
// BeforeSuite marks host and unknown faults as errors.
func bootFate(sr types.SpecReport) string {
	if sr.State.Is(types.SpecStateSkipped) {
		return catalogue.NotRun
	}
	return specFate(sr)
}

// stepFate: evidence and cleanup are the harness's work: when they fail,
// the host did (an error); the checks' results stand. Only a guest that
// died of the image's fault before its evidence was taken makes the
// evidence step a failure (the framework says so).
func stepFate(sr types.SpecReport) string {
	switch {
	case sr.State.Is(types.SpecStatePassed):
		return catalogue.Passed
	case sr.State.Is(types.SpecStateSkipped):
		return catalogue.NotRun
	case outcome(sr) == catalogue.Failed:
		return catalogue.Failed
	}
	return catalogue.Error
}

// declareResults writes results.json when the suite ends, also after an
// abort or an interrupt.
func declareResults(t run.Target) {
	ReportAfterSuite("imagegate results", func(r Report) {
		var b bytes.Buffer
		err := catalogue.WriteResults(&b, results(r))
		if err == nil {
			err = atomicfile.Write(t.Layout.Results(), b.Bytes(), 0o644)
		}
		if err != nil { // the orchestrator then reports the target as not judged
			fmt.Fprintf(os.Stderr, "imagegate: %s: cannot write results: %v\n", t.ID(), err)
		}
	})
}
