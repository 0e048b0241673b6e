package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteNewFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "summary.json")
	if err := Write(p, []byte("{}\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != "{}\n" {
		t.Errorf("content %q, %v", b, err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	if got := names(t, dir); !slices.Equal(got, []string{"summary.json"}) {
		t.Errorf("directory holds %v, want only summary.json", got)
	}
}

// The mode is perm whatever the umask and whatever the old file's mode.
func TestWriteReplaces(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	p := filepath.Join(dir, "junit.xml")
	if err := os.WriteFile(p, []byte("old contents, longer than the new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("content %q", b)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if got := names(t, dir); !slices.Equal(got, []string{"junit.xml"}) {
		t.Errorf("directory holds %v, want only junit.xml", got)
	}
}

func TestWriteMissingDir(t *testing.T) {
	base := t.TempDir()
	p := filepath.Join(base, "missing", "f")
	err := Write(p, []byte("x"), 0o644)
	if err == nil {
		t.Fatal("write into a missing directory succeeded")
	}
	if !strings.HasPrefix(err.Error(), "write "+p+": ") {
		t.Errorf("error %q does not start by naming %s", err, p)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v is not fs.ErrNotExist", err)
	}
	if got := names(t, base); len(got) != 0 {
		t.Errorf("left %v behind", got)
	}
}

// When the rename fails the data was already written: the temporary file
// must go and the target stay as it was.
func TestWriteRenameFailureLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, "keep"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(p, []byte("data"), 0o644)
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("write over a non-empty directory: %v", err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"f"}) {
		t.Errorf("directory holds %v, want only the untouched f", got)
	}
	if got := names(t, p); !slices.Equal(got, []string{"keep"}) {
		t.Errorf("target directory changed: %v", got)
	}
}

func TestSyncDir(t *testing.T) {
	if err := SyncDir(t.TempDir()); err != nil {
		t.Error(err)
	}
	missing := filepath.Join(t.TempDir(), "nope")
	if err := SyncDir(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing dir: %v", err)
	}
}
