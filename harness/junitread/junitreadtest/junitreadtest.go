// Package junitreadtest writes JUnit reports in imagegate's format for
// tests of the gate, of merging and of promotion: no VMs needed.
package junitreadtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/junitread"
	"github.com/imagegate/imagegate/harness/names"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
)

// Target is one <image>/<arch> of a fake report.
type Target struct {
	Image, Arch, SHA256, RunID, Path string
	Started                          time.Time // zero: no timestamp
	Cases                            []Case
	// NoCatalogue leaves out the catalogue properties, as reports of
	// imagegates before the catalogue did; by default the catalogue is
	// exactly the target's checks.
	NoCatalogue bool
	Selection   string
	Props       [][2]string // more testsuite properties
}

// Case is one test case; Suite "" makes a harness case (boot, cleanup).
type Case struct {
	Suite, Name string
	Status      junitread.Status
	Message     string
	Flaky       bool   // a pass that failed first (report.FlakyMarker)
	Compare     string // the compare status against production (report.NewFailure, ...)
}

// Pass, Fail, Err and Skip make cases.
func Pass(suite, name string) Case {
	return Case{Suite: suite, Name: name, Status: junitread.Passed, Message: ""}
}
func Fail(suite, name string) Case {
	return Case{Suite: suite, Name: name, Status: junitread.Failed, Message: "expected true, got false"}
}
func Err(suite, name string) Case {
	return Case{Suite: suite, Name: name, Status: junitread.Error, Message: "interrupted by user"}
}
func Skip(suite, name string) Case {
	return Case{Suite: suite, Name: name, Status: junitread.Skipped, Message: "not on this arch"}
}

// NotSel, NotApp and NotRun make the skipped kinds of the catalogue.
func NotSel(suite, name string) Case {
	return Case{Suite: suite, Name: name, Status: junitread.NotSelected, Message: "not selected: --focus 'x'"}
}
func NotApp(suite, name string) Case {
	return Case{Suite: suite, Name: name, Status: junitread.NotApplicable, Message: "not applicable: no SELinux on this family"}
}
func NotRun(suite, name string) Case {
	return Case{Suite: suite, Name: name, Status: junitread.NotRun, Message: "not run: the guest did not boot"}
}

// Flaky makes a check that failed, then passed on a rerun.
func Flaky(suite, name string) Case {
	return Case{Suite: suite, Name: name, Status: junitread.Passed, Flaky: true}
}

// Boot is the harness's boot case, passed.
func Boot() Case { return Pass("", "boot: the guest starts and accepts SSH with a verified host key") }

// Write writes dir/junit.xml (making dir) and, as a real run does, each
// target's package manifest in its folder; it returns the report's path.
func Write(t testing.TB, dir string, targets ...Target) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "junit.xml")
	if err := report.WriteFile(p, Doc(targets...)); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		m := filepath.Join(dir, tg.Image, tg.Arch, run.ManifestFile)
		os.MkdirAll(filepath.Dir(m), 0o755)
		if err := os.WriteFile(m, []byte(ManifestOf(tg.Arch)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// Doc builds the document as harness/report does for a real run.
func Doc(targets ...Target) junit.Testsuites {
	doc := junit.Testsuites{Name: "imagegate"}
	for i, tg := range targets {
		id := names.ID(tg.Image, tg.Arch)
		ts := junit.Testsuite{Name: id, ID: i, Time: "1.000"}
		if !tg.Started.IsZero() {
			ts.SetTimestamp(tg.Started)
		}
		for _, p := range [][2]string{{report.PropImage, tg.Image}, {report.PropArch, tg.Arch}, {report.PropAccel, "tcg"},
			{report.PropImageSHA256, tg.SHA256}, {report.PropImagePath, tg.Path}, {report.PropRunID, tg.RunID}, {report.PropVersion, "v0.test"}} {
			ts.AddProperty(p[0], p[1])
		}
		for _, p := range tg.Props {
			ts.AddProperty(p[0], p[1])
		}
		if !tg.NoCatalogue {
			var keys []string
			for _, c := range tg.Cases {
				if c.Suite != "" {
					keys = append(keys, catalogue.Key(c.Suite, c.Name))
				}
			}
			ts.AddProperty(catalogue.PropDigest, catalogue.DigestKeys(keys))
			ts.AddProperty(catalogue.PropSpecs, fmt.Sprint(len(keys)))
			ts.AddProperty(catalogue.PropSelection, tg.Selection)
			ts.AddProperty(catalogue.PropRerun, "imagegate run --matrix m.yaml --image "+tg.Image+" --arch "+tg.Arch+" --expect-sha256 "+tg.SHA256)
		}
		for _, c := range tg.Cases {
			ts.AddTestcase(testcase(id, c))
		}
		doc.AddSuite(ts)
	}
	doc.Skipped = 0
	doc.Time = "1.000"
	return doc
}

func testcase(id string, c Case) junit.Testcase {
	tc := junit.Testcase{Name: c.Name, Classname: id, Time: "0.100"}
	if c.Suite != "" {
		tc.Classname += "." + c.Suite
	}
	res := &junit.Result{Message: c.Message, Type: string(c.Status), Data: c.Message}
	var out []string
	if c.Flaky {
		out = append(out, report.FlakyMarker+" failed, then passed on rerun 1\nfirst failure: expected true, got false")
	}
	if c.Compare != "" {
		out = append(out, report.CompareMarker+" "+c.Compare+" (production deb 1)")
	}
	if len(out) > 0 {
		tc.SystemOut = &junit.Output{Data: strings.Join(out, "\n")}
	}
	switch c.Status {
	case junitread.Failed:
		tc.Failure = res
	case junitread.Error:
		tc.Error = res
	case junitread.Skipped:
		tc.Skipped = &junit.Result{Message: c.Message}
	case junitread.NotSelected, junitread.NotApplicable, junitread.NotRun:
		tc.Skipped = &junit.Result{Type: string(c.Status), Message: c.Message}
	}
	return tc
}

// Report renders targets and reads them back, as the gate would from a
// file called name.
func Report(t testing.TB, name string, targets ...Target) *junitread.Report {
	t.Helper()
	var buf bytes.Buffer
	doc := Doc(targets...)
	if err := doc.WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := junitread.Parse(name, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ManifestOf is the package manifest Write gives a target of arch.
func ManifestOf(arch string) string { return "base-files\t12.4+deb12u8\t" + arch + "\n" }
