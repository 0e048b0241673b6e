package pkgdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/imagegate/imagegate/harness/remote"
)

// readTestdata returns a recorded output from testdata/.
func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fakeRunner answers commands from a map; an unknown command is an error, so
// a test fails when the code runs something it did not expect.
type fakeRunner struct {
	results map[string]remote.Result
	errs    map[string]error

	mu  sync.Mutex
	ran []string
}

func (f *fakeRunner) Run(_ context.Context, cmd string) (remote.Result, error) {
	f.mu.Lock()
	f.ran = append(f.ran, cmd)
	f.mu.Unlock()
	if err, ok := f.errs[cmd]; ok {
		return remote.Result{Command: cmd}, err
	}
	res, ok := f.results[cmd]
	if !ok {
		return remote.Result{}, fmt.Errorf("fakeRunner: unexpected command %q", cmd)
	}
	res.Command = cmd
	return res, nil
}

func (f *fakeRunner) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ran)
}

func ok(stdout string) remote.Result { return remote.Result{Stdout: stdout} }

func failed(status int, stdout, stderr string) remote.Result {
	return remote.Result{Stdout: stdout, Stderr: stderr, ExitStatus: status}
}

// wantErrContains fails unless err is non-nil and contains every part.
func wantErrContains(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func names(pkgs []Package) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.Name)
	}
	return out
}

func isSortedByName(pkgs []Package) bool {
	return slices.IsSortedFunc(pkgs, func(a, b Package) int { return strings.Compare(a.Name, b.Name) })
}
