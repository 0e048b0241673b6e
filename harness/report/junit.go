package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/imagegate/imagegate/harness/console"
)

// Target is what the orchestrator knows about one target's run.
type Target struct {
	ID         string            // <image>/<arch>
	Properties [][2]string       // in order: image, arch, accel, image.sha256, ...
	GinkgoJSON string            // Ginkgo's JSON report, if the run got that far
	Console    string            // serial console log
	Started    time.Time         //
	Duration   time.Duration     //
	Error      string            // the run could not judge the image (infrastructure)
	Extra      map[string]string // more properties, e.g. from report entries
	// Attachments are evidence files linked from every failed case, as
	// [[ATTACHMENT|path]] lines that Jenkins' JUnit attachments plugin reads.
	Attachments []string
	// Reproduce is the command that boots the same image digest on the same
	// arch and keeps it; a failed case adds --focus for its own spec.
	Reproduce string
}

// ConsoleTailLines is how much of the console a failed case carries.
const ConsoleTailLines = 60

// Build makes the JUnit document for the targets, in their order.
func Build(targets []Target) (junit.Testsuites, error) {
	var doc junit.Testsuites
	doc.Name = "imagegate"
	var total time.Duration
	for i, t := range targets {
		ts, err := suiteFor(t)
		if err != nil {
			return doc, err
		}
		ts.ID = i
		doc.AddSuite(ts)
		total += t.Duration
	}
	// The Jenkins xUnit schema has no skipped/disabled on <testsuites>.
	doc.Skipped, doc.Disabled = 0, 0
	doc.Time = seconds(total)
	return doc, nil
}

func suiteFor(t Target) (junit.Testsuite, error) {
	ts := junit.Testsuite{Name: clean(t.ID), Time: seconds(t.Duration)}
	if !t.Started.IsZero() {
		ts.SetTimestamp(t.Started)
	}
	for _, p := range t.Properties {
		ts.AddProperty(clean(p[0]), clean(p[1]))
	}
	var reports []types.Report
	if t.GinkgoJSON != "" {
		b, err := os.ReadFile(t.GinkgoJSON)
		if err == nil {
			if err := json.Unmarshal(b, &reports); err != nil {
				return ts, fmt.Errorf("%s: ginkgo report %s: %w", t.ID, t.GinkgoJSON, err)
			}
		} else if !os.IsNotExist(err) {
			return ts, err
		}
	}
	tail := ""
	cases := 0
	for _, r := range reports {
		for _, sr := range mergeCleanups(r.SpecReports) {
			for _, e := range sr.ReportEntries {
				ts.AddProperty(clean(e.Name), clean(e.StringRepresentation()))
			}
			tc, ok := testcase(t.ID, sr)
			if !ok {
				continue
			}
			if tc.Failure != nil || tc.Error != nil {
				if tail == "" {
					tail = "--- serial console (last lines)\n" + console.TailFile(t.Console, ConsoleTailLines)
				}
				spec := tc.Name // focus the failed spec; boot and cleanup: the whole target
				if sr.LeafNodeType != types.NodeTypeIt {
					spec = ""
				}
				tc.SystemOut = &junit.Output{Data: clean(joinNonEmpty(reproduce(t, spec), output(sr), tail, attachments(t)))}
			}
			ts.AddTestcase(tc)
			cases++
		}
	}
	if t.Error != "" || cases == 0 {
		msg := t.Error
		if msg == "" {
			msg = "the run produced no results (it crashed or was interrupted before any spec ran)"
		}
		ts.AddTestcase(junit.Testcase{Name: "run", Classname: clean(t.ID),
			Error: &junit.Result{Message: clean(firstLine(msg)), Type: "infrastructure", Data: clean(msg)},
			SystemOut: &junit.Output{Data: clean(joinNonEmpty(reproduce(t, ""),
				"--- serial console (last lines)\n"+console.TailFile(t.Console, ConsoleTailLines), attachments(t)))}})
	}
	return ts, nil
}

// mergeCleanups folds the suite-level cleanup nodes (one per DeferCleanup)
// into one report, so JUnit shows a single cleanup case: failed if any step
// failed, timed as all of them.
func mergeCleanups(in types.SpecReports) types.SpecReports {
	var out types.SpecReports
	merged := -1
	for _, sr := range in {
		if sr.LeafNodeType != types.NodeTypeCleanupAfterSuite && sr.LeafNodeType != types.NodeTypeAfterSuite {
			out = append(out, sr)
			continue
		}
		if merged < 0 {
			merged = len(out)
			out = append(out, sr)
			continue
		}
		m := &out[merged]
		m.RunTime += sr.RunTime
		m.CapturedGinkgoWriterOutput += sr.CapturedGinkgoWriterOutput
		if m.State == types.SpecStatePassed && sr.State != types.SpecStatePassed {
			m.State, m.Failure = sr.State, sr.Failure
		}
	}
	return out
}

// testcase maps one Ginkgo spec to a JUnit case; ok is false for specs that
// did not run (filtered out) and for Ginkgo's own report nodes.
func testcase(target string, sr types.SpecReport) (junit.Testcase, bool) {
	var name string
	switch sr.LeafNodeType {
	case types.NodeTypeIt:
		name = strings.Join(append(sr.ContainerHierarchyTexts[min(1, len(sr.ContainerHierarchyTexts)):], sr.LeafNodeText), " ")
	case types.NodeTypeBeforeSuite:
		name = "boot: the guest starts and accepts SSH with a verified host key"
	case types.NodeTypeAfterSuite, types.NodeTypeCleanupAfterSuite:
		name = "cleanup: evidence collected and machine destroyed"
	default:
		return junit.Testcase{}, false
	}
	class := target
	if len(sr.ContainerHierarchyTexts) > 0 {
		class += "." + sr.ContainerHierarchyTexts[0]
	}
	tc := junit.Testcase{Name: clean(name), Classname: clean(class), Time: seconds(sr.RunTime)}
	msg := clean(sr.Failure.Message)
	detail := clean(fmt.Sprintf("%s\n%s", sr.Failure.Message, sr.Failure.Location))
	switch sr.State {
	case types.SpecStatePassed:
	case types.SpecStateSkipped, types.SpecStatePending:
		if sr.Failure.Message == "" {
			return tc, false // filtered out, never ran
		}
		tc.Skipped = &junit.Result{Message: msg}
	case types.SpecStateInterrupted, types.SpecStateAborted:
		tc.Error = &junit.Result{Message: firstLine(msg), Type: sr.State.String(), Data: detail}
	default: // failed, panicked, timed out
		tc.Failure = &junit.Result{Message: firstLine(msg), Type: sr.State.String(), Data: detail}
	}
	return tc, true
}

// reproduce is the one-line command to re-run a failed spec (all of the
// target's specs when spec is empty) on the same image digest and arch,
// leaving the guest up afterwards.
func reproduce(t Target, spec string) string {
	if t.Reproduce == "" {
		return ""
	}
	cmd := t.Reproduce
	if spec != "" {
		cmd += " --focus " + shellQuote(regexp.QuoteMeta(spec))
	}
	return "reproduce: " + cmd
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func attachments(t Target) string {
	var b strings.Builder
	for _, a := range t.Attachments {
		fmt.Fprintf(&b, "[[ATTACHMENT|%s]]\n", a)
	}
	return b.String()
}

func output(sr types.SpecReport) string {
	return joinNonEmpty(sr.CapturedGinkgoWriterOutput, sr.CapturedStdOutErr)
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

// firstLine is a one-line summary for the message attribute: Gomega's
// messages span lines ("Expected\n<string>: a\nto equal..."), so white
// space is folded rather than the text cut at the first newline.
func firstLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

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
	return AtomicWrite(path, buf.Bytes())
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// AtomicWrite writes data to a temp file beside path, syncs it and renames
// it into place.
func AtomicWrite(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
