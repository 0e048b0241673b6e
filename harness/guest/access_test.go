package guest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/run"
)

func TestFindAccessNewest(t *testing.T) {
	root := t.TempDir()
	if _, err := FindAccess(root, "d/x86_64"); err == nil || !strings.Contains(err.Error(), "imagegate spawn") {
		t.Errorf("no kept guest: %v", err)
	}
	for _, id := range []string{"20261122-100000-aaaa", "20261122-110000-bbbb"} {
		l := run.RunLayout{Work: filepath.Join(root, id)}.Target("d", "x86_64")
		os.MkdirAll(l.Work, 0o755)
		Access{Target: "d/x86_64", Domain: "imagegate-" + id, Addr: "127.0.0.1:2222", User: "u", Key: "k", KnownHosts: "kh"}.write(l.Access())
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
