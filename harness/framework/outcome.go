package framework

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/guest"
)

// A check ends in one of four ways, and each means something different to
// the gate: it passed; it failed (the image is wrong: a Gomega assertion,
// or MustRun's command failing); it is not applicable to this image, for a
// reason it states (NotApplicable); or it could not judge the image
// (CouldNotCheck, ErrorIf, Query: a command that could not run, an
// unreadable file, sudo refused, a tool missing, the guest gone). The
// last is a JUnit <error>, never a pass: a check that could not look has
// not found the image good.

// NotApplicable ends the running check as not applicable to this image,
// for reason (which the report and the gate show). It is the only way a
// suite skips a check; a bare Ginkgo Skip is refused by a test.
func NotApplicable(reason string) {
	GinkgoHelper()
	if strings.TrimSpace(reason) == "" {
		CouldNotCheck("framework.NotApplicable called without a reason")
	}
	AddReportEntry(catalogue.OutcomeEntry, catalogue.NotApplicable, ReportEntryVisibilityNever)
	Skip(reason)
}

// CouldNotCheck ends the running check as an error: it could not judge
// the image.
func CouldNotCheck(format string, args ...any) {
	GinkgoHelper()
	AddReportEntry(catalogue.OutcomeEntry, catalogue.Error, ReportEntryVisibilityNever)
	Fail("could not check: " + fmt.Sprintf(format, args...))
}

// ErrorIf ends the running check as an error when err is not nil: what
// failed was the means of checking (listing packages, reading a file), not
// the image. If the guest died, the fault decides instead (see died).
func ErrorIf(err error, what string) {
	GinkgoHelper()
	if err == nil {
		return
	}
	if f, ok := fault.As(err); ok {
		if current != nil && current.Dead() == f {
			died(f) // the target's own guest
		}
		faulted(f, what) // a sibling
	}
	CouldNotCheck("%s: %v", what, err)
}

// faulted ends the running check because a guest it used (not the
// target's own) died: a failure when the image is at fault, else an error.
func faulted(f *fault.Fault, what string) {
	GinkgoHelper()
	if !f.ImageFault() {
		CouldNotCheck("%s: %v", what, f)
	}
	Fail(fmt.Sprintf("%s: the guest died: %v", what, f))
}

// died ends the running check because the target's guest died: a failure
// when the image is at fault, else an error; and it ends the suite, since
// no later check can run either (they are reported as not run, with the
// fault as the reason).
func died(f *fault.Fault) {
	GinkgoHelper()
	markOutcome(f)
	msg := "the guest died: " + f.Error()
	if current != nil {
		msg = "the guest died: " + guest.Describe(f, current.Machine.ConsolePath())
	}
	AbortSuite(msg)
}

// markOutcome tells the report writer how the running node's failure
// counts under the fault model: a failure when the image is at fault, else
// an error (the image was not judged).
func markOutcome(f *fault.Fault) {
	outcome := catalogue.Error
	if f.ImageFault() {
		outcome = catalogue.Failed
	}
	AddReportEntry(catalogue.OutcomeEntry, outcome, ReportEntryVisibilityNever)
}
