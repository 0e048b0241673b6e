package junitread

import (
	"fmt"
	"time"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/names"
)

// Status is the outcome of one test case.
type Status string

// The statuses of a test case: failed means a check found the image wrong;
// error means the image was not judged (infrastructure, interrupt).
const (
	Passed  Status = catalogue.Passed
	Failed  Status = catalogue.Failed
	Error   Status = catalogue.Error
	Skipped Status = "skipped" // a <skipped> of no known kind (reports by older imagegates)
	// The kinds of <skipped type="...">: none of them is a pass.
	NotApplicable Status = catalogue.NotApplicable // the check said why it does not apply
	NotSelected   Status = catalogue.NotSelected   // filtered out by --focus, --label-filter or --suite
	NotRun        Status = catalogue.NotRun        // selected, but the run ended before it
)

// Ran reports whether the check ran to a verdict about the image or an
// error: passed, failed or error.
func (s Status) Ran() bool { return s == Passed || s == Failed || s == Error }

// rank orders results for merging: the worst real result wins. A failure
// outranks a pass (a re-run that passes does not erase a failure of the
// same bytes); a real result (passed, failed, not applicable) outranks an
// error (not judged); and anything that ran outranks a check that was not
// run or not selected, which never replace a result.
func (s Status) rank() int {
	switch s {
	case Failed:
		return 5
	case Passed, NotApplicable:
		return 4
	case Error:
		return 3
	case NotRun:
		return 2
	case Skipped:
		return 1
	}
	return 0 // not selected
}

// Case is one test case of a target.
type Case struct {
	Suite     string // from the classname; "" for the harness's own cases
	Name      string
	Classname string
	Status    Status
	Message   string // the failure, error or skip message
	Type      string // the failure or error type
	Detail    string // the failure or error body
	SystemOut string
	SystemErr string
	// Flaky: a passed check that had failed first, then passed when run
	// again on a fresh guest (report.FlakyMarker); the gate's policy
	// decides whether that blocks.
	Flaky bool
	// Compare is how the check fared against the production image the
	// run compared the candidate with (report.NewFailure, StillFailing,
	// Fixed, Unchanged), or "" when it was not compared.
	Compare string
	Time    string // seconds, as written
	RunID   string // the run the case came from
	File    string // the junit.xml it was read from
}

// FullName is the check's text as Ginkgo prints it: "<suite> <name>", or
// just the name of a harness case.
func (c Case) FullName() string {
	if c.Suite == "" {
		return c.Name
	}
	return c.Suite + " " + c.Name
}

// Harness reports whether the case is the harness's own (boot, cleanup,
// the "run" error) rather than a check of a suite.
func (c Case) Harness() bool { return c.Suite == "" }

// key identifies a case within a target, across runs.
func (c Case) key() string { return c.Classname + "\x00" + c.Name }

// CheckKey identifies the check, as the catalogue does.
func (c Case) CheckKey() string { return catalogue.Key(c.Suite, c.Name) }

// Property is one <property> of a testsuite.
type Property struct{ Name, Value string }

// Target is the results of one <image>/<arch>.
type Target struct {
	Image, Arch string
	SHA256      string // image.sha256: the digest of the file that was tested
	ImagePath   string // image.path, where it was tested
	// Catalogue is the digest of the checks the report lists (property
	// catalogue.sha256, checked against the cases when read); "" when the
	// report has none, so its completeness cannot be shown.
	Catalogue  string
	Rerun      string // the command that runs the target again (property rerun)
	Selection  string // what the (latest) run selected
	RunID      string // the latest run that contributed
	Runs       []string
	Started    time.Time // when the (latest) run of the target started; zero if unknown
	Timestamp  string
	Properties []Property
	Cases      []Case
	File       string   // the junit.xml it was read from (the latest one after Combine)
	Files      []string // every junit.xml that contributed
}

// ID is the target's name in reports: <image>/<arch>.
func (t Target) ID() string { return names.ID(t.Image, t.Arch) }

// Counts is the number of cases per status.
type Counts struct {
	Passed        int `json:"passed"`
	Failed        int `json:"failed"`
	Errors        int `json:"errors"`
	NotApplicable int `json:"not_applicable"`
	NotSelected   int `json:"not_selected"`
	NotRun        int `json:"not_run"`
	Skipped       int `json:"skipped"` // of no known kind
}

func (c Counts) String() string {
	s := fmt.Sprintf("%d passed, %d failed, %d errors", c.Passed, c.Failed, c.Errors)
	for _, x := range []struct {
		n    int
		what string
	}{{c.NotApplicable, "not applicable"}, {c.NotSelected, "not selected"}, {c.NotRun, "not run"}, {c.Skipped, "skipped"}} {
		if x.n > 0 {
			s += fmt.Sprintf(", %d %s", x.n, x.what)
		}
	}
	return s
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.Passed += o.Passed
	c.Failed += o.Failed
	c.Errors += o.Errors
	c.NotApplicable += o.NotApplicable
	c.NotSelected += o.NotSelected
	c.NotRun += o.NotRun
	c.Skipped += o.Skipped
}

// Counts tallies the target's cases.
func (t Target) Counts() Counts {
	var n Counts
	for _, c := range t.Cases {
		switch c.Status {
		case Passed:
			n.Passed++
		case Failed:
			n.Failed++
		case Error:
			n.Errors++
		case NotApplicable:
			n.NotApplicable++
		case NotSelected:
			n.NotSelected++
		case NotRun:
			n.NotRun++
		default:
			n.Skipped++
		}
	}
	return n
}

// Property returns the value of the first property called name.
func (t Target) Property(name string) string {
	for _, p := range t.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// Report is one junit.xml.
type Report struct {
	File    string
	Targets []Target
}
