package runner

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/framework"
)

// prepareTarget makes the target's folders, writes the child's input into
// its work dir, clears what an earlier attempt left in its report folder,
// and opens run.log.
func prepareTarget(t framework.Target) (string, *os.File, error) {
	for _, d := range []string{t.OutDir, t.WorkDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", nil, err
		}
	}
	for _, f := range []string{catalogue.ResultsFile, fault.File, "ginkgo.json"} {
		os.Remove(filepath.Join(t.OutDir, f))
	}
	in := filepath.Join(t.WorkDir, "run-target.json")
	if err := framework.WriteTarget(in, t); err != nil {
		return "", nil, err
	}
	logFile, err := os.Create(filepath.Join(t.OutDir, "run.log"))
	return in, logFile, err
}

// processError says what went wrong with the child process itself, if
// anything: its own results say the rest.
func processError(t framework.Target, werr error, interrupted bool) string {
	var exit *exec.ExitError
	switch {
	case werr == nil:
		return ""
	case errors.As(werr, &exit) && exit.ExitCode() >= 0:
		if _, err := os.Stat(filepath.Join(t.OutDir, catalogue.ResultsFile)); err != nil {
			return fmt.Sprintf("run-target for %s exited %d without results; see %s", t.ID(), exit.ExitCode(), filepath.Join(t.OutDir, "run.log"))
		}
		return ""
	case interrupted:
		return fmt.Sprintf("run-target for %s was stopped by the interrupt: %v", t.ID(), werr)
	}
	return fmt.Sprintf("run-target for %s ended abnormally: %v", t.ID(), werr)
}

// loadRun reads a target's results and fault; a problem reading them is
// said in why.
func loadRun(dir string) (res []catalogue.Result, f *fault.Fault, why string) {
	f, err := fault.Read(dir)
	if err != nil {
		why = err.Error()
	}
	b, err := os.Open(filepath.Join(dir, catalogue.ResultsFile))
	if err != nil {
		return nil, f, why
	}
	defer b.Close()
	if res, err = catalogue.ReadResults(b); err != nil {
		return nil, f, fmt.Sprintf("%s: %v", filepath.Join(dir, catalogue.ResultsFile), err)
	}
	return res, f, why
}
