package main

// The reproduce: line of a failed case (the gate test's '!slow' run), run as
// written, fails the same check again on the same digest with the same seed, leaves the guest up
// behind the printed `imagegate ssh` line (strict host key checking), and
// `imagegate ssh --destroy` leaves nothing behind.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/run"
)

// reproduceFailure runs the reproduce: line of the failed check of the
// password-auth variant in the run folder first (the gate test's '!slow' run).
func reproduceFailure(t *testing.T, bin, first string) {
	const target, check = "debian-12-password-auth/x86_64", "ssh refuses password authentication"
	line := reproduceLine(t, filepath.Join(first, "junit.xml"), target, check)
	if !strings.HasPrefix(line, "'"+bin+"' run ") || !strings.Contains(line, "--accel tcg") || !strings.Contains(line, "--suite 'baseline'") ||
		!strings.Contains(line, "--seed-from '"+filepath.Join(first, "debian-12-password-auth", "x86_64")+"'") {
		t.Errorf("reproduce line %q: want this binary's path (it is not on PATH), the accelerator, the suite and the seed", line)
	}

	// Run it as written, from another folder, with a PATH that has no imagegate.
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "PATH="+sigPATH)
	out, err := cmd.CombinedOutput()
	t.Logf("%s\n%s", line, out)
	if code := exitCode(t, err); code != 1 {
		t.Fatalf("the reproducer: exit %d, want 1 (the same check fails again)", code)
	}
	again := filepath.Join(dir, "reports", readLink(t, filepath.Join(dir, "reports", "latest")))
	defer assertNothingLeft(t, filepath.Base(again), run.DefaultWorkRoot)
	if fates := caseFates(t, filepath.Join(again, "junit.xml"), "baseline"); fates[check] != "failed" {
		t.Errorf("%q in the reproducer's run: %s, want failed", check, fates[check])
	}
	if a, b := property(t, first, target, "image.sha256"), property(t, again, target, "image.sha256"); a == "" || a != b {
		t.Errorf("digests %q and %q: the reproducer must test the same image", a, b)
	}
	seedA, seedB := filepath.Join(first, "debian-12-password-auth", "x86_64"), filepath.Join(again, "debian-12-password-auth", "x86_64")
	if a, b := readFile(t, seedA, "meta-data"), readFile(t, seedB, "meta-data"); a != b {
		t.Errorf("meta-data differs:\n%s\n---\n%s", a, b)
	}
	keyLine := regexp.MustCompile(`ssh-ed25519 \S+ \S+`)
	a, b := readFile(t, seedA, "user-data"), readFile(t, seedB, "user-data")
	if keyLine.ReplaceAllString(a, "KEY") != keyLine.ReplaceAllString(b, "KEY") || a == b {
		t.Errorf("user-data must be the failed run's with a fresh key:\n%s\n---\n%s", a, b)
	}

	// The printed ssh line reaches the kept guest; --destroy ends it.
	m := regexp.MustCompile(`running: (.+ ssh (?:--work-dir \S+ )?\S+)   \(or: .*\); destroy with: (.+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the reproducer printed no imagegate ssh line")
	}
	login, destroy := string(m[1]), string(bytes.TrimSpace(m[2]))
	if out, err := exec.Command("sh", "-c", login+" id -un").CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "imagegate" {
		t.Errorf("%s id -un: %v\n%s", login, err, out)
	}
	if out, err := exec.Command("sh", "-c", destroy).CombinedOutput(); err != nil {
		t.Errorf("%s: %v\n%s", destroy, err, out)
	}
}

// reproduceLine is the reproduce: command of target's failed case name.
func reproduceLine(t *testing.T, path, target, name string) string {
	t.Helper()
	for _, c := range suiteOf(t, path, target).Cases {
		if c.Name == name && c.Failure != nil {
			for _, l := range strings.Split(c.SystemOut, "\n") {
				if cmd, ok := strings.CutPrefix(l, "reproduce: "); ok {
					return cmd
				}
			}
			t.Fatalf("%s: the failed case %q has no reproduce: line", path, name)
		}
	}
	t.Fatalf("%s: %s has no failed case %q", path, target, name)
	return ""
}

// suiteOf is target's testsuite in a junit.xml.
func suiteOf(t *testing.T, path, target string) suiteDoc {
	t.Helper()
	for _, s := range readJUnit(t, path).Suites {
		if s.Name == target {
			return s
		}
	}
	t.Fatalf("%s has no testsuite %s", path, target)
	return suiteDoc{}
}

func property(t *testing.T, runDir, target, name string) string {
	for _, p := range suiteOf(t, filepath.Join(runDir, "junit.xml"), target).Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
