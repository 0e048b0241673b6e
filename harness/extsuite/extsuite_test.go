package extsuite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadExample(t *testing.T) {
	s, err := Load("../../examples/external-suite")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "example-hello" || !filepath.IsAbs(s.Dir) || len(s.Files) != 2 || s.NotApplicableExit != 77 {
		t.Fatalf("suite: %+v", s)
	}
	want := []struct {
		name, as string
		after    bool
	}{
		{"installs and starts", AsRoot, false},
		{"heartbeat moves", AsUser, false},
		{"greets as the seed says", AsUser, false},
		{"selinux labels the payload", AsRoot, false},
		{"runs again after the reboot", AsRoot, true},
	}
	if len(s.Checks) != len(want) {
		t.Fatalf("checks: %+v", s.Checks)
	}
	for i, w := range want {
		c := s.Checks[i]
		if c.Name != w.name || c.RunAs != w.as || c.AfterReboot != w.after || c.Timeout != 3*time.Minute {
			t.Errorf("check %d: %+v, want %+v", i, c, w)
		}
	}
	if !s.NeedsReboot() || !strings.Contains(s.UserData, "GREETING=") || s.Files[0].Mode != 0o755 || s.Files[1].Mode != 0o644 {
		t.Errorf("user data %q, files %+v", s.UserData, s.Files)
	}
	if len(s.SHA256) != 64 {
		t.Errorf("digest %q", s.SHA256)
	}
}

// suiteDir writes a suite folder: a manifest and executable checks.
func suiteDir(t *testing.T, manifest string, checks ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, Checks), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, Manifest), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if err := os.WriteFile(filepath.Join(dir, Checks, c), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadErrorsNameFileLineKey(t *testing.T) {
	cases := []struct{ manifest, want string }{
		{"name: Bad_Name\n", "suite.yaml:1: name: \"Bad_Name\": use lowercase"},
		{"description: x\n", "suite.yaml:1: name: missing"},
		{"name: x\ntimeout: soon\n", "suite.yaml:2: timeout: \"soon\" is not a positive duration"},
		{"name: x\narches: [sparc]\n", "suite.yaml:2: arches:"},
		{"name: x\nrun_as: admin\n", "suite.yaml:2: run_as: \"admin\": want root"},
		{"name: x\nchecks:\n  10-a.sh:\n    run_as: nobody\n", "suite.yaml:4: checks.10-a.sh.run_as:"},
		{"name: x\nchecks:\n  99-gone.sh: {}\n", "suite.yaml:3: checks.99-gone.sh: there is no executable checks/99-gone.sh"},
		{"name: x\nfiles:\n  - src: ../../etc/passwd\n    dest: /x\n", "suite.yaml:3: files.0.src: \"../../etc/passwd\" is outside"},
		{"name: x\nfiles:\n  - src: suite.yaml\n    dest: relative\n", "suite.yaml:4: files.0.dest:"},
		{"name: x\nfiles:\n  - src: suite.yaml\n    dest: /x\n    mode: rwx\n", "suite.yaml:5: files.0.mode:"},
		{"name: x\nuser_data: [a]\n", "suite.yaml:2: user_data: must be a mapping"},
		{"name: x\nlabels: [\"a b\"]\n", "suite.yaml:2: labels: label \"a b\""},
		{"name: x\nnot_applicable_exit: 1\n", "suite.yaml:2: not_applicable_exit: 1:"},
		{"name: x\nchecks:\n  10-a.sh:\n    name: same\n  20-b.sh:\n    name: same\n", "both named \"same\""},
		{"name: x\nunknown_key: 1\n", "suite.yaml:2: unknown_key: unknown key unknown_key"},
	}
	for _, c := range cases {
		dir := suiteDir(t, c.manifest, "10-a.sh", "20-b.sh")
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), dir) {
			t.Errorf("manifest %q: error %v, want one starting with the folder and containing %q", c.manifest, err, c.want)
		}
	}
}

func TestLoadRefusesWhatWouldBeDroppedSilently(t *testing.T) {
	dir := suiteDir(t, "name: x\n", "10-a.sh")
	os.WriteFile(filepath.Join(dir, Checks, "README"), []byte("notes"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "checks/README: not executable; chmod +x it") {
		t.Errorf("a non-executable file in checks/: %v", err)
	}
	if _, err := Load(suiteDir(t, "name: x\n")); err == nil || !strings.Contains(err.Error(), "no checks") {
		t.Errorf("no checks: %v", err)
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "suite.yaml: no such file or directory") {
		t.Errorf("no manifest: %v", err)
	}
}

func TestDigestFollowsContent(t *testing.T) {
	dir := suiteDir(t, "name: x\n", "10-a.sh")
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Load(dir)
	os.WriteFile(filepath.Join(dir, Checks, "10-a.sh"), []byte("#!/bin/sh\nexit 1\n"), 0o755)
	c, _ := Load(dir)
	if a.SHA256 != b.SHA256 || a.SHA256 == c.SHA256 {
		t.Errorf("digests %s %s %s: want the same for the same folder, another after a check changed", a.SHA256, b.SHA256, c.SHA256)
	}
}

func TestNameOf(t *testing.T) {
	for in, want := range map[string]string{
		"10-installs_the-payload.sh": "installs the payload",
		"check":                      "check",
		"007":                        "007",
		"20-a.b.py":                  "a.b",
	} {
		if got := NameOf(in); got != want {
			t.Errorf("NameOf(%q) = %q, want %q", in, got, want)
		}
	}
}
