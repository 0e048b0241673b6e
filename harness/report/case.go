package report

import (
	"fmt"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/console"
)

// caser makes one target's test cases.
type caser struct {
	t       Target
	console string
}

// tail is the console's last lines, read once.
func (c *caser) tail() string {
	if c.console == "" {
		c.console = "--- serial console (last lines)\n" + console.TailFile(c.t.Console, ConsoleTailLines)
	}
	return c.console
}

func (c *caser) classname(suite string) string {
	if suite == "" {
		return clean(c.t.ID)
	}
	return clean(c.t.ID + "." + suite)
}

func (c *caser) skipped(suite, name, kind, msg string) junit.Testcase {
	return junit.Testcase{Name: clean(name), Classname: c.classname(suite), Time: seconds(0),
		Skipped: &junit.Result{Type: kind, Message: clean(oneLine(msg))}}
}

func (c *caser) fromResult(r catalogue.Result) junit.Testcase {
	tc := junit.Testcase{Name: clean(r.Name), Classname: c.classname(r.Suite), Time: fmt.Sprintf("%.3f", r.Seconds)}
	res := &junit.Result{Message: clean(oneLine(r.Message)), Type: clean(r.Type), Data: clean(r.Detail)}
	switch r.Fate {
	case catalogue.Passed:
		return tc
	case catalogue.NotApplicable:
		return c.skipped(r.Suite, r.Name, catalogue.NotApplicable, "not applicable: "+r.Message)
	case catalogue.NotRun:
		return c.skipped(r.Suite, r.Name, catalogue.NotRun, "not run: "+r.Message)
	case catalogue.Failed:
		if r.Flaky() {
			return c.flakyCase(tc, r)
		}
		tc.Failure = res
	default:
		tc.Error = res
	}
	suite, spec := r.Suite, r.Name // focus the failed spec; the harness's steps: the whole target
	if r.Harness() {
		suite, spec = "", ""
	}
	tc.SystemOut = &junit.Output{Data: clean(joinNonEmpty(failedAgain(r), reproduce(c.t, suite, spec), r.Output, c.tail(), attachments(c.t)))}
	return tc
}

// notRunReason says why a selected check has no result.
func (c *caser) notRunReason() string {
	t := c.t
	booted, interrupted := true, false
	for _, r := range t.Results {
		if r.Name == catalogue.BootCase && r.Fate != catalogue.Passed {
			booted = false
		}
		interrupted = interrupted || r.Type == "interrupted"
	}
	switch {
	case interrupted:
		return "the run was interrupted (Ctrl-C or SIGTERM) before this check"
	case t.Fault != nil && booted:
		return fmt.Sprintf("the guest died: %s (%s fault)", t.Fault.Error(), t.Fault.Party)
	case t.Fault != nil:
		return fmt.Sprintf("the guest did not come up: %s (%s fault)", t.Fault.Error(), t.Fault.Party)
	case t.Error != "":
		return oneLine(t.Error)
	case t.Results == nil:
		return "the run produced no results"
	case !booted:
		return "the guest did not come up"
	}
	return "the run ended before this check"
}

// runError is the message of the target's "run" error case: the run could
// not judge the image as a whole.
func (c *caser) runError() string {
	switch {
	case c.t.Error != "":
		return c.t.Error
	case c.t.Results == nil:
		return "the run produced no results (it crashed or was stopped before it could write them)"
	}
	return ""
}
