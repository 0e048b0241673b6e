package junitread

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
)

// JUnit renders targets as imagegate's JUnit document: one testsuite per
// target with the latest run's properties, plus merged.runs naming every
// run that contributed when there is more than one.
func JUnit(targets []Target) junit.Testsuites {
	doc := junit.Testsuites{Name: "imagegate"}
	var total float64
	for i, t := range targets {
		ts := junit.Testsuite{Name: t.ID(), ID: i, Timestamp: t.Timestamp}
		for _, p := range t.Properties {
			switch p.Name {
			case report.PropMergedRuns, report.PropCatalogue, report.PropSpecs:
			default:
				ts.AddProperty(p.Name, p.Value)
			}
		}
		if t.Catalogue != "" {
			keys, _ := t.checkKeys()
			ts.AddProperty(report.PropCatalogue, t.Catalogue)
			ts.AddProperty(report.PropSpecs, strconv.Itoa(len(keys)))
		}
		if len(t.Runs) > 1 {
			ts.AddProperty(report.PropMergedRuns, strings.Join(t.Runs, ","))
		}
		var secs float64
		for _, c := range t.Cases {
			ts.AddTestcase(testcase(c))
			secs += parseSeconds(c.Time)
		}
		ts.Time = fmt.Sprintf("%.3f", secs)
		total += secs
		doc.AddSuite(ts)
	}
	// The Jenkins xUnit schema has no skipped/disabled on <testsuites>.
	doc.Skipped, doc.Disabled = 0, 0
	doc.Time = fmt.Sprintf("%.3f", total)
	return doc
}

func testcase(c Case) junit.Testcase {
	tc := junit.Testcase{Name: c.Name, Classname: c.Classname, Time: c.Time}
	if _, err := strconv.ParseFloat(c.Time, 64); err != nil {
		tc.Time = ""
	}
	res := &junit.Result{Message: c.Message, Type: c.Type, Data: c.Detail}
	switch c.Status {
	case Failed:
		tc.Failure = res
	case Error:
		tc.Error = res
	case Skipped, NotApplicable, NotSelected, NotRun:
		tc.Skipped = res
	}
	if c.SystemOut != "" {
		tc.SystemOut = &junit.Output{Data: c.SystemOut}
	}
	if c.SystemErr != "" {
		tc.SystemErr = &junit.Output{Data: c.SystemErr}
	}
	return tc
}

func parseSeconds(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 {
		return 0
	}
	return f
}

// WriteDir writes dir/junit.xml, dir/summary.json and dir/summary.txt for
// targets, each atomically, making dir if needed, and keeps each target's
// package manifest (dir/<image>/<arch>/packages.manifest, from its newest
// run that has one): promotion records it beside the image.
func WriteDir(dir string, targets []Target) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, t := range targets {
		if err := keepBeside(dir, t, run.ManifestFile); err != nil {
			return err
		}
	}
	if err := report.WriteFile(filepath.Join(dir, ReportFile), JUnit(targets)); err != nil {
		return err
	}
	sum := Summarize(targets)
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, "summary.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, "summary.txt"), []byte(sum.Text()), 0o644)
}

// keepBeside copies the newest of t's runs' files called name into dir's
// folder of t, if any run has one.
func keepBeside(dir string, t Target, name string) error {
	src := Beside(t.Files, t.Image, t.Arch, name)
	if src == "" {
		return nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	dst := filepath.Join(dir, t.Image, t.Arch, name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(dst, b, 0o644)
}
