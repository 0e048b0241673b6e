package report

import (
	"os"
	"path/filepath"
	"testing"
)

func TestInvocation(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "imagegate")
	os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755)
	t.Setenv("PATH", "/nonexistent")
	if got := Invocation(bin); got != "'"+bin+"'" {
		t.Errorf("not on PATH: %s, want the quoted path", got)
	}
	t.Setenv("PATH", dir)
	if got := Invocation(bin); got != "imagegate" {
		t.Errorf("on PATH: %s, want imagegate", got)
	}
	other := filepath.Join(t.TempDir(), "imagegate")
	os.WriteFile(other, []byte("#!/bin/sh\n"), 0o755)
	if got := Invocation(other); got != "'"+other+"'" {
		t.Errorf("another imagegate is on PATH: %s, want this one's path", got)
	}
}
