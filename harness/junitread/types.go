package junitread

import (
	"fmt"
	"time"
)

// Status is the outcome of one test case.
type Status string

// The statuses of a test case: failed means a check found the image wrong;
// error means the image was not judged (infrastructure, interrupt).
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Error   Status = "error"
	Skipped Status = "skipped"
)

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
	Time      string // seconds, as written
	RunID     string // the run the case came from
	File      string // the junit.xml it was read from
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

// Property is one <property> of a testsuite.
type Property struct{ Name, Value string }

// Target is the results of one <image>/<arch>.
type Target struct {
	Image, Arch string
	SHA256      string // image.sha256: the digest of the file that was tested
	ImagePath   string // image.path, where it was tested
	RunID       string // the latest run that contributed
	Runs        []string
	Started     time.Time // when the (latest) run of the target started; zero if unknown
	Timestamp   string
	Properties  []Property
	Cases       []Case
	File        string   // the junit.xml it was read from (the latest one after Combine)
	Files       []string // every junit.xml that contributed
}

// ID is the target's name in reports: <image>/<arch>.
func (t Target) ID() string { return t.Image + "/" + t.Arch }

// Counts is the number of cases per status.
type Counts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Errors  int `json:"errors"`
	Skipped int `json:"skipped"`
}

func (c Counts) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d errors, %d skipped", c.Passed, c.Failed, c.Errors, c.Skipped)
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
		case Skipped:
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
