package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

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

// child is a running `imagegate run-target`: its human log (stderr) and
// its progress events (a pipe it writes as fd 3) are read separately.
type child struct {
	cmd         *exec.Cmd
	log, events io.ReadCloser
}

// startChild starts the target's process. It has its own process group: a
// terminal's Ctrl-C reaches only us, and we pass exactly one interrupt on,
// so Ginkgo runs its cleanup once. If we die, the child is told to stop.
func startChild(self, in string, stdout io.Writer) (*child, error) {
	er, ew, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer ew.Close() // the child holds its own copy
	cmd := exec.Command(self, "run-target", "--target", in, "--events", "3")
	cmd.Stdout = stdout
	cmd.ExtraFiles = []*os.File{ew} // fd 3
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	log, err := cmd.StderrPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		er.Close()
		return nil, fmt.Errorf("start %s run-target: %v", self, err)
	}
	return &child{cmd: cmd, log: log, events: er}, nil
}
