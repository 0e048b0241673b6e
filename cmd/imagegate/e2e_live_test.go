package main

// Helpers for e2e tests that act on a run while it is going: start it,
// follow its progress lines, find its QEMU, judge what it left.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// liveRun is an imagegate run in progress.
type liveRun struct {
	t      testing.TB
	cmd    *exec.Cmd
	lines  chan string
	mu     sync.Mutex
	out    strings.Builder
	runID  string
	done   chan struct{}
	err    error
	cancel context.CancelFunc
}

var runLineRE = regexp.MustCompile(`^run (\d{8}-\d{6}-[0-9a-f]{4}):`)

// startRun starts `bin args...` with stdout and stderr followed line by
// line. It stops by itself after 30 minutes.
func startRun(t testing.TB, bin string, args ...string) *liveRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	r := &liveRun{t: t, lines: make(chan string, 10000), done: make(chan struct{}), cancel: cancel}
	r.cmd = imagegateCmd(ctx, bin, args...)
	pr, pw, _ := os.Pipe()
	r.cmd.Stdout, r.cmd.Stderr = pw, pw
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			l := sc.Text()
			r.mu.Lock()
			r.out.WriteString(l + "\n")
			if m := runLineRE.FindStringSubmatch(l); m != nil {
				r.runID = m[1]
			}
			r.mu.Unlock()
			select {
			case r.lines <- l:
			default:
			}
		}
		r.err = r.cmd.Wait()
		close(r.lines)
		close(r.done)
	}()
	return r
}

// waitFor returns the first line from now on containing substr.
func (r *liveRun) waitFor(substr string, timeout time.Duration) string {
	r.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-r.lines:
			if !ok {
				r.t.Fatalf("run ended before %q:\n%s", substr, r.output())
			}
			if strings.Contains(l, substr) {
				return l
			}
		case <-deadline:
			r.t.Fatalf("no %q within %s:\n%s", substr, timeout, r.output())
		}
	}
}

// wait waits for the run to end and returns its exit code.
func (r *liveRun) wait() int {
	r.t.Helper()
	<-r.done
	r.cancel()
	var exit *exec.ExitError
	switch {
	case r.err == nil:
		return 0
	case errors.As(r.err, &exit):
		return exit.ExitCode()
	}
	r.t.Fatalf("run did not end normally: %v", r.err)
	return -1
}

func (r *liveRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

func (r *liveRun) id() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runID
}

// qemuPID is the pid of the run's QEMU (the first, if several).
func qemuPID(t testing.TB, runID string) int {
	t.Helper()
	out, _ := exec.Command("pgrep", "-f", "guest=imagegate-"+runID).Output()
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			return pid
		}
	}
	t.Fatalf("no QEMU of run %s", runID)
	return 0
}

// faultsPolicy is a policy for runs of one check: the boot, evidence and
// cleanup steps and that check must be green on x86_64.
func faultsPolicy(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(p, []byte("version: 1\nimages:\n  - name: \"*\"\n    arches: [x86_64]\n    tests: [\"ssh logs in with the injected key *\"]\n"), 0o644)
	return p
}

// gateVerdict runs the gate on a run folder for one image.
func gateVerdict(t testing.TB, bin, policy, runDir, image string) string {
	t.Helper()
	out, err := exec.Command(bin, "gate", "--policy", policy, "--reports", runDir, "--image", image).CombinedOutput()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	}
	t.Logf("gate %s: exit %d\n%s", image, code, out)
	return map[int]string{0: "promote", 1: "reject", 2: "inconclusive"}[code]
}

// caseKind is how the case whose name starts with prefix ended in a
// testsuite: passed, failure, error, or skipped:<type>.
func caseKind(d junitDoc, suite, prefix string) string {
	for _, s := range d.Suites {
		if s.Name != suite {
			continue
		}
		for _, c := range s.Cases {
			if !strings.HasPrefix(c.Name, prefix) {
				continue
			}
			switch {
			case c.Failure != nil:
				return "failure"
			case c.Error != nil:
				return "error"
			case c.Skipped != nil:
				return "skipped:" + c.Skipped.Type
			}
			return "passed"
		}
	}
	return fmt.Sprintf("(no case %q in %s)", prefix, suite)
}

// caseText is the message and output of that case, for asserting on.
func caseText(path, suite, prefix string) string {
	b, _ := os.ReadFile(path)
	s := string(b)
	i := strings.Index(s, `<testsuite name="`+suite+`"`)
	if i < 0 {
		return ""
	}
	s = s[i:]
	j := strings.Index(s, `<testcase name="`+prefix)
	if j < 0 {
		return ""
	}
	s = s[j:]
	if k := strings.Index(s, "</testcase>"); k >= 0 {
		s = s[:k]
	}
	return s
}

func schemaErr(path string) error {
	schema, _ := filepath.Abs("../../../shared/schemas/junit-10.xsd")
	if _, err := os.Stat(schema); err != nil {
		return nil
	}
	return exec.Command("xmllint", "--noout", "--schema", schema, path).Run()
}

// leftovers says what a run left: a domain, a QEMU, its work folder.
func leftovers(runID, work string) string {
	var out []string
	if b, _ := exec.Command("virsh", "-c", "qemu:///system", "list", "--all", "--name").CombinedOutput(); strings.Contains(string(b), runID) {
		out = append(out, "a domain")
	}
	if b, _ := exec.Command("pgrep", "-af", "qemu-system").CombinedOutput(); strings.Contains(string(b), runID) {
		out = append(out, "a QEMU")
	}
	if _, err := os.Stat(filepath.Join(work, runID)); !os.IsNotExist(err) {
		out = append(out, "the work dir")
	}
	return strings.Join(out, ", ")
}

// writeTable prints the results as a table and keeps it in reports/faults.md.
func (e *faultEnv) writeTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("| fault | exit | JUnit case | gate | junit.xml | left | time | note |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range e.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.scenario, r.exit, r.kind, r.verdict, r.schema, r.left, r.took, r.note)
	}
	t.Logf("fault table:\n%s", b.String())
	os.MkdirAll("../../reports", 0o755)
	os.WriteFile("../../reports/faults.md", []byte(b.String()), 0o644)
}
