package promote

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The copy is hashed as it is written: a file that changes between the
// check before the lock and the copy is refused, and nothing is left.
func TestInstallRefusesWhatItDidNotCopyAsTested(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(t.TempDir(), "img")
	os.WriteFile(src, []byte("swapped after the check"), 0o644)
	tested := sha256.Sum256([]byte("the tested bytes"))
	p := planned{arch: "x86_64", src: src, sha256: hex.EncodeToString(tested[:]), name: "img", rel: "images/deb/v1/x86_64/img"}
	_, err := install(context.Background(), p, root)
	var ce ChangedError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(root, "images/deb/v1/x86_64"))
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	good := sha256.Sum256([]byte("swapped after the check"))
	p.sha256 = hex.EncodeToString(good[:])
	if _, err := install(ctx, p, root); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled copy: %v", err)
	}
	if n, err := install(context.Background(), p, root); err != nil || n != 23 {
		t.Errorf("install: %d %v", n, err)
	}
}

func TestSHA256SUMSAndGenerations(t *testing.T) {
	idx := emptyIndex()
	idx.Products["b"] = &Product{Versions: map[string]*Version{"1": {Items: map[string]*Item{
		"x86_64": {Path: "images/b/1/x86_64/f", SHA256: "bb"}, "aarch64": {Path: "images/b/1/aarch64/f", SHA256: "aa"}}}}}
	if got := string(idx.SHA256SUMS()); got != "aa  images/b/1/aarch64/f\nbb  images/b/1/x86_64/f\n" {
		t.Errorf("SHA256SUMS:\n%s", got)
	}
	for name, want := range map[string]bool{"gen-000001": true, "gen-1": false, "gen-000000": false, "gen-00000x": false, "current": false} {
		if _, ok := parseGen(name); ok != want {
			t.Errorf("parseGen(%q) = %v", name, ok)
		}
	}
	if v, err := chooseVersion(idx, "b", "", "1"); err != nil || v != "1.1" {
		t.Errorf("chooseVersion: %q %v", v, err)
	}
}
