package report

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/console"
	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/textx"
)

// Target is what the orchestrator knows about one target's run.
type Target struct {
	ID         string      // <image>/<arch>
	Properties [][2]string // in order: image, arch, accel, image.sha256, catalogue.sha256, ...
	// Catalogue is every check that applies to the target, each marked
	// selected or not; the report lists every one of them.
	Catalogue []catalogue.Spec
	// Selection is what the run selected, for the not-selected message.
	Selection string
	// Results are the run's own (results.json); nil when it produced none.
	Results []catalogue.Result
	// Fault is why the guest did not come up or died (fault.json), if so.
	Fault    *fault.Fault
	Console  string        // serial console log
	Started  time.Time     //
	Duration time.Duration //
	Error    string        // the run could not judge the image (the process failed, was stopped, ...)
	// Attachments are evidence files linked from every failed case, as
	// [[ATTACHMENT|path]] lines that Jenkins' JUnit attachments plugin reads.
	Attachments []string
	// Reproduce is the command that boots the same image digest on the same
	// arch and keeps it; a failed case adds --focus for its own spec.
	Reproduce string
	// Compare, when set, is how the target fared against the production
	// image (--compare-to): a line per compared case, properties and the
	// testsuite's system-out.
	Compare *Comparison
}

// ConsoleTailLines is how much of the console a failed case carries.
const ConsoleTailLines = 60

// RunCase is the name of the harness's case for a run that could not judge
// the image as a whole (its process crashed, was stopped, or never started).
const RunCase = "run"

// Built is a target's report, built once from its inputs: the verdict,
// target.json and every rewrite of the run's junit.xml reuse it, so
// rewriting the run's report after each target costs no rebuilding.
type Built struct {
	Target Target
	Suite  junit.Testsuite
}

// BuildTarget builds t's <testsuite>.
func BuildTarget(t Target) Built { return Built{Target: t, Suite: Suite(t)} }

// Build makes the JUnit document for the targets, in their order.
func Build(targets []Target) junit.Testsuites {
	built := make([]Built, len(targets))
	for i, t := range targets {
		built[i] = BuildTarget(t)
	}
	return Assemble(built)
}

// Assemble makes the JUnit document of targets built before, in order.
func Assemble(built []Built) junit.Testsuites {
	var doc junit.Testsuites
	doc.Name = "imagegate"
	var total time.Duration
	for i, b := range built {
		ts := b.Suite
		ts.ID = i
		doc.AddSuite(ts)
		total += b.Target.Duration
	}
	// The Jenkins xUnit schema has no skipped/disabled on <testsuites>.
	doc.Skipped, doc.Disabled = 0, 0
	doc.Time = seconds(total)
	return doc
}

// Suite is one target's <testsuite>: the harness's steps, then every check
// of the catalogue with its fate, then the run's own error, if any.
func Suite(t Target) junit.Testsuite {
	ts := junit.Testsuite{Name: clean(t.ID), Time: seconds(t.Duration)}
	if !t.Started.IsZero() {
		ts.SetTimestamp(t.Started)
	}
	for _, p := range slices.Concat(t.Properties, rerunProps(t.Results), t.Compare.props()) {
		ts.AddProperty(clean(p[0]), clean(p[1]))
	}
	c := caser{t: t}
	byKey := map[string]catalogue.Result{}
	for _, r := range t.Results {
		for _, e := range r.Entries {
			ts.AddProperty(clean(e[0]), clean(e[1]))
		}
		if r.Harness() {
			ts.AddTestcase(c.fromResult(r))
		} else {
			byKey[r.Key()] = r
		}
	}
	known := map[string]bool{}
	for _, s := range t.Catalogue {
		known[s.Key()] = true
		r, ran := byKey[s.Key()]
		switch {
		case !s.Selected:
			ts.AddTestcase(c.skipped(s.Suite, s.Name, catalogue.NotSelected, "not selected: "+orEverything(t.Selection)))
		case ran && (r.Fate != catalogue.NotRun || r.Message != ""): // a bare not-run: the report says why
			ts.AddTestcase(c.withCompareLine(c.fromResult(r), s.Key()))
		default:
			ts.AddTestcase(c.skipped(s.Suite, s.Name, catalogue.NotRun, "not run: "+c.notRunReason()))
		}
	}
	for _, r := range t.Results { // fail closed: a result the catalogue does not know
		if !r.Harness() && !known[r.Key()] {
			r.Fate, r.Message = catalogue.Error, "ran, but is not in the catalogue taken when the run was planned: "+r.Message
			ts.AddTestcase(c.fromResult(r))
		}
	}
	if t.Compare != nil {
		ts.SystemOut = &junit.Output{Data: clean(t.Compare.Summary)}
	}
	if msg := c.runError(); msg != "" {
		ts.AddTestcase(junit.Testcase{Name: RunCase, Classname: clean(t.ID),
			Error:     &junit.Result{Message: clean(oneLine(msg)), Type: "infrastructure", Data: clean(msg)},
			SystemOut: &junit.Output{Data: clean(joinNonEmpty(reproduce(t, "", ""), c.tail(), attachments(t)))}})
	}
	return ts
}

func orEverything(sel string) string {
	if sel == "" {
		return "this run's selection"
	}
	return sel
}

// Verdict is a target's outcome as its cases show it, with the first
// case that decided it: "failed" when a case failed (the image is wrong);
// else "error" when a case errored or a selected check did not run (the
// image was not judged); else "passed".
func Verdict(ts junit.Testsuite) (verdict, why string) {
	var checkErr, stepErr, notRun string
	for _, tc := range ts.Testcases {
		isStep := tc.Classname == ts.Name
		switch {
		case tc.Failure != nil:
			return "failed", tc.Name + ": " + tc.Failure.Message
		case tc.Error != nil && !isStep && checkErr == "":
			checkErr = tc.Name + ": " + tc.Error.Message
		case tc.Error != nil && isStep && stepErr == "":
			stepErr = tc.Name + ": " + tc.Error.Message
		case tc.Skipped != nil && tc.Skipped.Type == catalogue.NotRun && notRun == "":
			notRun = tc.Name + ": " + tc.Skipped.Message
		}
	}
	// A check's error says more than a harness step's, which says more
	// than a check that did not run.
	for _, w := range []string{checkErr, stepErr, notRun} {
		if w != "" {
			return "error", w
		}
	}
	return "passed", ""
}

// reproduce is the one-line command to re-run a failed spec of suite (all
// of the target's specs when spec is empty) on the same image digest and
// arch, leaving the guest up afterwards.
func reproduce(t Target, suite, spec string) string {
	if t.Reproduce == "" {
		return ""
	}
	cmd := t.Reproduce
	if suite != "" {
		cmd += " --suite " + ShellQuote(suite)
	}
	if spec != "" {
		cmd += " --focus " + ShellQuote(regexp.QuoteMeta(spec))
	}
	return "reproduce: " + cmd
}

// ShellQuote quotes s for a POSIX shell: the one quoting of imagegate's
// command lines (reproducers, the guest's commands).
func ShellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func attachments(t Target) string {
	var b strings.Builder
	for _, a := range t.Attachments {
		fmt.Fprintf(&b, "[[ATTACHMENT|%s]]\n", a)
	}
	return b.String()
}

func joinNonEmpty(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			keep = append(keep, strings.TrimRight(p, "\n"))
		}
	}
	return strings.Join(keep, "\n")
}

// oneLine is a one-line summary for the message attribute: Gomega's
// messages span lines ("Expected\n<string>: a\nto equal..."), so every
// run of white space, newlines included, becomes one space rather than the
// text being cut at the first newline; then it is clipped to 300
// characters.
func oneLine(s string) string { return textx.Clip(strings.Join(strings.Fields(s), " "), 300) }

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// clean makes any guest output safe for XML 1.0 (also inside CDATA, which
// go-junit-report uses and which escapes nothing): escape sequences and
// control bytes dropped, invalid UTF-8 and non-characters replaced, and
// "]]>" cannot end the section early because encoding/xml splits it.
func clean(s string) string {
	s = console.Clean([]byte(s))
	return strings.Map(func(r rune) rune {
		switch {
		case r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF):
			return '\uFFFD'
		}
		return r
	}, s)
}

// WriteFile writes the document atomically: a reader (Jenkins, or a person
// after a crash) sees the previous complete file or the new one.
func WriteFile(path string, doc junit.Testsuites) error {
	var buf bytes.Buffer
	buf.WriteString(xmlHeader)
	if err := doc.WriteXML(&buf); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
