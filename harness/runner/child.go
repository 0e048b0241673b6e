package runner

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/run"
)

// prepareTarget makes the target's folders, writes the child's input into
// its work dir, clears what an earlier attempt left in its report folder,
// and opens run.log.
func prepareTarget(t run.Target) (string, *os.File, error) {
	for _, d := range []string{t.Layout.Out, t.Layout.Work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", nil, err
		}
	}
	for _, f := range []string{t.Layout.Results(), t.Layout.Fault(), t.Layout.Ginkgo()} {
		os.Remove(f)
	}
	in := t.Layout.Input()
	if err := run.Write(in, t); err != nil {
		return "", nil, err
	}
	logFile, err := os.Create(t.Layout.RunLog())
	return in, logFile, err
}

// processError says what went wrong with the child process itself, if
// anything: its own results say the rest.
func processError(t run.Target, werr error, interrupted bool) string {
	var exit *exec.ExitError
	switch {
	case werr == nil:
		return ""
	case errors.As(werr, &exit) && exit.ExitCode() >= 0:
		if _, err := os.Stat(t.Layout.Results()); err != nil {
			return fmt.Sprintf("run-target for %s exited %d without results; see %s", t.ID(), exit.ExitCode(), t.Layout.RunLog())
		}
		return ""
	case interrupted:
		return fmt.Sprintf("run-target for %s was stopped by the interrupt: %v", t.ID(), werr)
	}
	return fmt.Sprintf("run-target for %s ended abnormally: %v", t.ID(), werr)
}

// loadRun reads a target's results and fault; a problem reading them is
// said in why.
func loadRun(l run.Layout) (res []catalogue.Result, f *fault.Fault, why string) {
	f, err := fault.Read(l.Out)
	if err != nil {
		why = err.Error()
	}
	b, err := os.Open(l.Results())
	if err != nil {
		return nil, f, why
	}
	defer b.Close()
	if res, err = catalogue.ReadResults(b); err != nil {
		return nil, f, fmt.Sprintf("%s: %v", l.Results(), err)
	}
	return res, f, why
}
