package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestE2ECandidateSwappedMidRun: two copies of the fixture are tested one
// after the other; once the first is booting, the second is changed on
// disk. The run must refuse the second ("changed after the run was
// planned") rather than test other bytes under the planned digest, and
// still pass the first.
func TestE2ECandidateSwappedMidRun(t *testing.T) {
	bin := e2eBinary(t)
	t.Parallel() // one guest at a time: shares the host with another such test (see e2eBinary)
	fixture := fixtureImage(t)
	dir, reports, work := t.TempDir(), t.TempDir(), t.TempDir()
	for _, n := range []string{"one", "two"} {
		if out, err := exec.Command("cp", "--reflink=auto", fixture, filepath.Join(dir, n+".qcow2")).CombinedOutput(); err != nil {
			t.Fatalf("copy fixture: %v: %s", err, out)
		}
	}
	matrix := filepath.Join(dir, "matrix.yaml")
	var m strings.Builder
	m.WriteString("images:\n")
	for _, n := range []string{"one", "two"} {
		fmt.Fprintf(&m, "  - {name: %s, path: %s/%s.qcow2, format: qcow2, arch: x86_64, family: debian, firmware: uefi, memory_mib: 1024}\n", n, dir, n)
	}
	os.WriteFile(matrix, []byte(m.String()), 0o644)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := imagegateCmd(ctx, bin, "run", "--matrix", matrix, "--parallel", "1",
		"--focus", "cloud-init finished", "--reports", reports, "--work-dir", work)
	pipe, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(pipe)
	first := ""
	re := regexp.MustCompile(`^\[(one|two)/x86_64\] .*starting domain`)
	for first == "" && sc.Scan() {
		t.Log(sc.Text())
		if mm := re.FindStringSubmatch(sc.Text()); mm != nil {
			first = mm[1]
		}
	}
	if first == "" {
		t.Fatal("run never started a domain")
	}
	second := map[string]string{"one": "two", "two": "one"}[first]
	f, err := os.OpenFile(filepath.Join(dir, second+".qcow2"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("swapped after planning"))
	f.Close()
	go io.Copy(io.Discard, pipe)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("run with a swapped candidate: %v; want exit 2 (a target was not judged)", err)
	}
	id := runID(t, reports)
	path := filepath.Join(reports, id, "junit.xml")
	d := readJUnit(t, path)
	for _, s := range d.Suites {
		switch s.Name {
		case first + "/x86_64":
			if s.Failures+s.Errors != 0 {
				t.Errorf("%s was not changed but did not pass: %d failures, %d errors", s.Name, s.Failures, s.Errors)
			}
		case second + "/x86_64":
			// Not the image's fault: the bytes planned were never tested.
			if s.Errors == 0 || s.Failures != 0 {
				t.Errorf("%s was changed mid-run: %d failures, %d errors; want an error, no failure", s.Name, s.Failures, s.Errors)
			}
		}
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), second+".qcow2 changed after the run was planned") {
		t.Errorf("junit.xml does not say that %s.qcow2 changed after planning", second)
	}
	// One check passed on the untouched copy: a --focus run is not promoted.
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(policy, []byte("version: 1\nimages:\n  - name: "+first+"\n    arches: [x86_64]\n    suites: [baseline]\n"), 0o644)
	out, gerr := exec.Command(bin, "gate", "--policy", policy, "--reports", filepath.Join(reports, id), "--image", first).CombinedOutput()
	if !errors.As(gerr, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "not selected (--focus 'cloud-init finished')") ||
		!strings.Contains(string(out), "--suite baseline") {
		t.Errorf("gate on a --focus run: %v; want exit 2 naming the checks not selected and how to run them\n%s", gerr, out)
	}
	assertNothingLeft(t, id, work)
}
