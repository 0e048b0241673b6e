package digest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, size, err := File(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want || size != 3 {
		t.Fatalf("File = %s, %d bytes; want %s, 3 bytes", got, size, want)
	}
	if _, _, err := File(context.Background(), p+".missing"); err == nil {
		t.Fatal("File of a missing file: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := File(ctx, p); !errors.Is(err, context.Canceled) {
		t.Fatalf("File with a cancelled context: err = %v", err)
	}
}

func TestPinCopiesAndChecks(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "image.raw")
	// A sparse file with data at both ends.
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("head")
	f.WriteAt([]byte("tail"), 64<<20)
	f.Close()
	sum, _, err := File(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "pinned")
	if err := Pin(context.Background(), src, dst, strings.ToUpper(sum)); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := File(context.Background(), dst); got != sum {
		t.Fatalf("pinned copy hashes to %s, want %s", got, sum)
	}
	st, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o444 {
		t.Errorf("pinned copy mode %v, want read-only", st.Mode().Perm())
	}
	// Replacing the original afterwards does not touch the pinned copy.
	if err := os.WriteFile(src, []byte("other"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := File(context.Background(), dst); got != sum {
		t.Fatalf("pinned copy changed with its original")
	}
}

func TestPinRefusesAChangedFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "image.qcow2")
	os.WriteFile(src, []byte("planned"), 0o644)
	planned, _, _ := File(context.Background(), src)
	os.WriteFile(src, []byte("swapped"), 0o644)
	dst := filepath.Join(dir, "pinned")
	err := Pin(context.Background(), src, dst, planned)
	if err == nil || !strings.Contains(err.Error(), "changed after the run was planned") || !strings.Contains(err.Error(), planned) {
		t.Fatalf("Pin of a swapped file: err = %v", err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("a refused copy is left at %s", dst)
	}
	if err := Pin(context.Background(), src, dst, ""); err == nil {
		t.Error("Pin without a digest: no error")
	}
	if err := Pin(context.Background(), src+".missing", dst, planned); err == nil || !strings.Contains(err.Error(), "cp") {
		t.Errorf("Pin of a missing file: err = %v", err)
	}
}
