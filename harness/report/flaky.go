package report

import (
	"fmt"
	"strings"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/imagegate/imagegate/harness/catalogue"
)

// FlakyMarker starts the system-out of a flaky check's case: it failed,
// then passed when run again on a fresh guest (--rerun-failed). The case
// itself is a plain pass, as Jenkins shows a flaky test (the xUnit schema
// has no flaky element); the marker and the target's PropFlaky say what
// happened, and the gate judges it by its policy's flaky: rule. junitread
// reads the marker back, so a merged report keeps it per case.
const FlakyMarker = "imagegate: flaky:"

// flakyCase is the case of a check that failed and then passed on a rerun.
func (c *caser) flakyCase(tc junit.Testcase, r catalogue.Result) junit.Testcase {
	note := fmt.Sprintf("%s failed, then passed on rerun %d on a fresh guest (the same seed inputs)\nfirst failure: %s\n%s",
		FlakyMarker, firstPass(r), oneLine(r.Message), rerunLines(r))
	tc.SystemOut = &junit.Output{Data: clean(joinNonEmpty(note, r.Output, attachments(c.t)))}
	return tc
}

// failedAgain is what a failed case's system-out says about its reruns.
func failedAgain(r catalogue.Result) string {
	if len(r.Reruns) == 0 {
		return ""
	}
	return fmt.Sprintf("imagegate: not flaky: failed again on %d of %d rerun(s) on fresh guests\n%s",
		count(r.Reruns, catalogue.Failed), len(r.Reruns), rerunLines(r))
}

func rerunLines(r catalogue.Result) string {
	var b strings.Builder
	for _, x := range r.Reruns {
		fmt.Fprintf(&b, "rerun %d (%s/): %s", x.Attempt, x.Dir, x.Fate)
		if x.Message != "" && x.Fate != catalogue.Passed {
			fmt.Fprintf(&b, ": %s", oneLine(x.Message))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func firstPass(r catalogue.Result) int {
	for _, x := range r.Reruns {
		if x.Fate == catalogue.Passed {
			return x.Attempt
		}
	}
	return 0
}

func count(xs []catalogue.Rerun, fate string) int {
	n := 0
	for _, x := range xs {
		if x.Fate == fate {
			n++
		}
	}
	return n
}

// rerunProps are the target's properties about reruns of failed checks:
// which checks were flaky (PropFlaky) and what was rerun (PropReruns).
// None when nothing was rerun.
func rerunProps(results []catalogue.Result) [][2]string {
	var rerun, flaky []string
	for _, r := range results {
		if len(r.Reruns) == 0 {
			continue
		}
		full := strings.TrimSpace(r.Suite + " " + r.Name)
		rerun = append(rerun, full)
		if r.Flaky() {
			flaky = append(flaky, full)
		}
	}
	if len(rerun) == 0 {
		return nil
	}
	props := [][2]string{{PropReruns, fmt.Sprintf("%d failed check(s) rerun on fresh guests: %d flaky, %d failed every time",
		len(rerun), len(flaky), len(rerun)-len(flaky))}}
	if len(flaky) > 0 {
		props = append(props, [2]string{PropFlaky, fmt.Sprintf("%d: %s", len(flaky), strings.Join(flaky, " | "))})
	}
	return props
}

// IsFlaky reports whether a case's system-out marks it flaky.
func IsFlaky(out *junit.Output) bool {
	return out != nil && strings.HasPrefix(strings.TrimSpace(out.Data), FlakyMarker)
}
