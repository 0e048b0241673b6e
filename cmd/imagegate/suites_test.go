package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEveryCommandHelpExitsZero(t *testing.T) {
	for name := range commands {
		var out, errb bytes.Buffer
		if code := realMain([]string{name, "--help"}, &out, &errb); code != 0 || !strings.Contains(strings.ToLower(out.String()), "usage") {
			t.Errorf("imagegate %s --help: exit %d, want 0 with its usage\n%s%s", name, code, out.String(), errb.String())
		}
	}
}

func TestCheckSuite(t *testing.T) {
	var out, errb bytes.Buffer
	if code := realMain([]string{"check-suite", "../../examples/external-suite"}, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "example-hello: ok") || !strings.Contains(out.String(), "5 checks (1 after the shared reboot)") {
		t.Errorf("the example: exit %d\n%s%s", code, out.String(), errb.String())
	}
	bad := t.TempDir()
	os.MkdirAll(filepath.Join(bad, "checks"), 0o755)
	os.WriteFile(filepath.Join(bad, "suite.yaml"), []byte("name: ok\nrun_as: admin\n"), 0o644)
	os.WriteFile(filepath.Join(bad, "checks", "10-a.sh"), []byte("#!/bin/sh\n"), 0o755)
	out.Reset()
	errb.Reset()
	if code := realMain([]string{"check-suite", bad}, &out, &errb); code != 2 || !strings.HasPrefix(errb.String(), filepath.Join(bad, "suite.yaml")+":2: run_as:") {
		t.Errorf("a bad manifest: exit %d, stderr %q; want 2 and FILE:LINE: key", code, errb.String())
	}
	if code := realMain([]string{"check-suite"}, &out, &errb); code != 2 {
		t.Errorf("no folder: exit %d, want 2", code)
	}
}

func TestSuitesWithoutAMatrixListsThem(t *testing.T) {
	dir, _ := filepath.Abs("../../examples/external-suite")
	wd, _ := os.Getwd()
	os.Chdir(t.TempDir()) // no fixtures/matrix.yaml here
	defer os.Chdir(wd)
	var out, errb bytes.Buffer
	if code := realMain([]string{"suites", "--suite-dir", dir}, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "baseline") || !strings.Contains(out.String(), "example-hello  "+dir) {
		t.Errorf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	if code := realMain([]string{"suites", "--matrix", "none.yaml"}, &out, &errb); code != 2 {
		t.Errorf("a --matrix that is missing: exit %d, want 2", code)
	}
}
