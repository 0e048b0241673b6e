package pkgdb

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/remote"
)

// localRunner runs commands on this machine with sh -c, as the guest's
// shell would over SSH.
type localRunner struct{}

func (localRunner) Run(ctx context.Context, cmd string) (remote.Result, error) {
	c := exec.CommandContext(ctx, "sh", "-c", cmd)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	res := remote.Result{Command: cmd, Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		res.ExitStatus = exit.ExitCode()
		return res, nil
	}
	return res, err
}

// TestLocalDpkg runs the real dpkg of this machine (a Debian-based one)
// through Detect and Installed.
func TestLocalDpkg(t *testing.T) {
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		t.Skip("dpkg-query is not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	m, err := Detect(ctx, localRunner{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != "dpkg" {
		t.Fatalf("Detect chose %q on a machine with dpkg", m.Name())
	}
	pkgs, err := m.Installed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !isSortedByName(pkgs) {
		t.Error("Installed is not sorted by name")
	}
	for _, name := range []string{"dpkg", "bash"} {
		p, ok := Find(pkgs, name)
		if !ok {
			t.Errorf("%s is not installed according to Installed (%d packages)", name, len(pkgs))
			continue
		}
		if p.Version == "" || p.Arch == "" {
			t.Errorf("%s: incomplete %+v", name, p)
		}
		t.Logf("found %v", p)
	}
	// Audit (dpkg --audit and a full dpkg --verify) is exercised against a
	// real guest by the e2e tests; over a whole developer machine it takes
	// minutes.
}
