package inspect

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// TestReadFiles reads many files in one debugfs run from a real ext4 disk
// laid out like a merged-/usr system: through a directory symlink, a
// missing file, an empty file, a name with a backslash, a thousand more;
// a symlink or a directory as the file itself is an error, not content.
func TestReadFiles(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.MkdirAll(filepath.Join(root, "usr", "lib", "many"), 0o755)
	os.WriteFile(filepath.Join(root, "etc", "os-release"), []byte("ID=test\n"), 0o644)
	os.WriteFile(filepath.Join(root, "usr", "lib", "libx.so"), []byte("ELF"), 0o644)
	os.Symlink("usr/lib", filepath.Join(root, "lib"))
	os.Symlink("libx.so", filepath.Join(root, "usr", "lib", "liby.so"))
	os.WriteFile(filepath.Join(root, "usr", "lib", `system\x2dx.slice`), []byte("unit"), 0o644)
	os.WriteFile(filepath.Join(root, "etc", "empty"), nil, 0o644)
	paths := []string{"/etc/os-release", "/lib/libx.so", "/usr/lib/gone", `/lib/system\x2dx.slice`, "/etc/empty"}
	for i := range 1005 {
		name := "/usr/lib/many/f" + itoa(i)
		os.WriteFile(filepath.Join(root, name), []byte(itoa(i)), 0o644)
		paths = append(paths, name)
	}
	ctx := context.Background()
	im, err := Open(ctx, buildDisk(t, dir, root), "qcow2", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()

	var got []string
	err = im.ReadFiles(ctx, paths, func(p string, r io.Reader) error {
		if r == nil {
			got = append(got, p+"=<none>")
			return nil
		}
		b, err := io.ReadAll(r)
		got = append(got, p+"="+string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(paths) || got[0] != "/etc/os-release=ID=test\n" || got[1] != "/lib/libx.so=ELF" || got[2] != "/usr/lib/gone=<none>" || got[3] != `/lib/system\x2dx.slice=unit` || got[4] != "/etc/empty=" {
		t.Errorf("ReadFiles: %d answers for %d paths, first %q", len(got), len(paths), got[:min(5, len(got))])
	}
	if last := got[len(got)-1]; last != paths[len(paths)-1]+"="+itoa(1004) {
		t.Errorf("last answer %q", last)
	}

	if err := im.ReadFiles(ctx, []string{"/usr/lib/liby.so"}, func(string, io.Reader) error { return nil }); err == nil {
		t.Error("a symlink read as a file: want an error")
	}
	if err := im.ReadFiles(ctx, []string{"/usr/lib"}, func(string, io.Reader) error { return nil }); err == nil {
		t.Error("a directory read as a file: want an error")
	}
	if err := im.ReadFiles(ctx, []string{`/etc/"x`}, func(string, io.Reader) error { return nil }); err == nil {
		t.Error("a path with a quote: want an error")
	}
	stop := errors.New("stop")
	if err := im.ReadFiles(ctx, paths, func(string, io.Reader) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("each's error: got %v", err)
	}
	if names, err := im.Names(ctx, "/usr/lib"); err != nil || !slices.Contains(names, "libx.so") || slices.Contains(names, "..") {
		t.Errorf("Names /usr/lib = %v, %v", names, err)
	}
	if _, err := im.Names(ctx, "/nonexistent"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Names of a missing dir: %v, want fs.ErrNotExist", err)
	}
	if left, _ := filepath.Glob(filepath.Join(im.dir, "requests-*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
