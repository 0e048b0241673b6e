package framework

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindAccessNewest(t *testing.T) {
	root := t.TempDir()
	if _, err := FindAccess(root, "d/x86_64"); err == nil || !strings.Contains(err.Error(), "imagegate spawn") {
		t.Errorf("no kept guest: %v", err)
	}
	for _, run := range []string{"20261122-100000-aaaa", "20261122-110000-bbbb"} {
		dir := filepath.Join(root, run, "d-x86_64")
		os.MkdirAll(dir, 0o755)
		Access{Target: "d/x86_64", Domain: "imagegate-" + run, Addr: "127.0.0.1:2222", User: "u", Key: "k", KnownHosts: "kh"}.write(dir)
	}
	a, err := FindAccess(root, "d/x86_64")
	if err != nil || a.Domain != "imagegate-20261122-110000-bbbb" {
		t.Fatalf("FindAccess = %+v, %v", a, err)
	}
	args := strings.Join(a.SSHArgs(), " ")
	if !strings.Contains(args, "-p 2222 u@127.0.0.1") || !strings.Contains(args, "StrictHostKeyChecking=yes") {
		t.Errorf("ssh args %q", args)
	}
}
