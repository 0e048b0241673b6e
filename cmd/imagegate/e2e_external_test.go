package main

// A SIG's view of external suites: a copy of examples/external-suite in a
// folder of its own, the built binary copied beside it, no Go toolchain on
// PATH and nothing of the repository in reach (the matrix is written
// there too). The suite runs green on the fixture, the gate judges it by a
// policy that names it, and a check broken in the copy fails exactly that
// check.

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sigPATH is a PATH without Go on it: the system's folders only.
const sigPATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

func TestE2EExternalSuite(t *testing.T) {
	bin := e2eBinary(t)
	t.Parallel() // one guest at a time: shares the host with another such test (see e2eBinary)
	image := fixtureImage(t)
	for _, d := range filepath.SplitList(sigPATH) {
		if _, err := os.Stat(filepath.Join(d, "go")); err == nil {
			t.Fatalf("%s/go exists: the test must run without a Go toolchain on PATH", d)
		}
	}
	home := t.TempDir() // the SIG's checkout: outside the repository
	sigBin := filepath.Join(home, "imagegate")
	copyTree(t, bin, sigBin)
	suite := filepath.Join(home, "hello-suite")
	copyTree(t, "../../examples/external-suite", suite)
	matrix := filepath.Join(home, "matrix.yaml")
	os.WriteFile(matrix, []byte("images:\n"+matrixEntry("debian-12", image, image+".SHA256SUMS")), 0o644)
	policy := filepath.Join(home, "policy.yaml")
	os.WriteFile(policy, []byte("version: 1\nimages:\n  - name: debian-12\n    arches: [x86_64]\n    suites: [example-hello]\n"), 0o644)
	sig := func(args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(sigBin, args...)
		cmd.Dir, cmd.Env = home, append(os.Environ(), "PATH="+sigPATH)
		out, err := cmd.CombinedOutput()
		t.Logf("imagegate %s\n%s", strings.Join(args, " "), out)
		return string(out), exitCode(t, err)
	}

	if out, code := sig("check-suite", "hello-suite"); code != 0 || !strings.Contains(out, "example-hello: ok") {
		t.Fatalf("check-suite on the example: exit %d", code)
	}
	if _, code := sig("run", "--matrix", "matrix.yaml", "--suite-dir", "hello-suite", "--suite", "example-hello",
		"--reports", "reports", "--work-dir", "work"); code != 0 {
		t.Fatalf("the example suite on the fixture: exit %d, want 0", code)
	}
	green := filepath.Join(home, "reports", readLink(t, filepath.Join(home, "reports", "latest")))
	fates := caseFates(t, filepath.Join(green, "junit.xml"), "example-hello")
	want := map[string]string{"installs and starts": "passed", "heartbeat moves": "passed", "greets as the seed says": "passed",
		"selinux labels the payload": "not-applicable", "runs again after the reboot": "passed"}
	for name, fate := range want {
		if fates[name] != fate {
			t.Errorf("%q: %s, want %s (all: %v)", name, fates[name], fate, fates)
		}
	}
	assertNothingLeft(t, filepath.Base(green), filepath.Join(home, "work"))
	if out, code := sig("gate", "--policy", "policy.yaml", "--reports", green); code != 0 {
		t.Errorf("gate by a policy naming the external suite: exit %d, want 0 (promote)\n%s", code, out)
	}

	// Break one check in the copy: that check, and only it, fails.
	broken := filepath.Join(suite, "checks", "30-greets-as-the-seed-says.sh")
	b, _ := os.ReadFile(broken)
	os.WriteFile(broken, []byte(strings.Replace(string(b), `want="hello from the seed"`, `want="good morning"`, 1)), 0o755)
	if _, code := sig("run", "--matrix", "matrix.yaml", "--suite-dir", "hello-suite", "--suite", "example-hello",
		"--label-filter", "!slow", "--reports", "reports", "--work-dir", "work"); code != 1 {
		t.Fatalf("a broken check: exit %d, want 1", code)
	}
	red := filepath.Join(home, "reports", readLink(t, filepath.Join(home, "reports", "latest")))
	fates = caseFates(t, filepath.Join(red, "junit.xml"), "example-hello")
	for name, fate := range fates {
		if want := map[bool]string{true: "failed", false: want[name]}[name == "greets as the seed says"]; fate != want && fate != "not-selected" {
			t.Errorf("broken copy: %q is %s, want %s", name, fate, want)
		}
	}
	for _, c := range readJUnit(t, filepath.Join(red, "junit.xml")).Suites[0].Cases {
		if c.Failure != nil && !strings.Contains(c.Failure.Message+c.Failure.Text, `greeting is "hello from the seed", want "good morning"`) {
			t.Errorf("the failed case must carry the check's stderr: %+v", c.Failure)
		}
	}
	assertNothingLeft(t, filepath.Base(red), filepath.Join(home, "work"))
	if out, code := sig("gate", "--policy", "policy.yaml", "--reports", red); code != 1 || !strings.Contains(out, "greets as the seed says") {
		t.Errorf("gate on the broken copy: exit %d, want 1 (reject) naming the check\n%s", code, out)
	}
}

// caseFates maps the cases of one suite of the first target to their fate.
func caseFates(t *testing.T, path, suite string) map[string]string {
	t.Helper()
	d := readJUnit(t, path)
	out := map[string]string{}
	for _, c := range d.Suites[0].Cases {
		if !strings.HasSuffix(c.Classname, "."+suite) {
			continue
		}
		switch {
		case c.Failure != nil:
			out[c.Name] = "failed"
		case c.Error != nil:
			out[c.Name] = "error"
		case c.Skipped != nil:
			out[c.Name] = c.Skipped.Type
		default:
			out[c.Name] = "passed"
		}
	}
	return out
}

func readLink(t *testing.T, p string) string {
	t.Helper()
	l, err := os.Readlink(p)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// copyTree copies a file or a folder, keeping modes (the checks' x bits).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(target, info.Mode().Perm())
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}
