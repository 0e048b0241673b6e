package inspect

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestOpenRealFileSystem builds a small partitioned disk with a real ext4
// root (mkfs.ext4 -d, sfdisk, as the fixture recipe does) and reads it.
func TestOpenRealFileSystem(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	os.MkdirAll(filepath.Join(root, "etc", "ssh"), 0o755)
	os.MkdirAll(filepath.Join(root, "var", "log"), 0o755)
	os.WriteFile(filepath.Join(root, "etc", "os-release"), []byte("ID=test\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc", "machine-id"), nil, 0o444)
	os.WriteFile(filepath.Join(root, "var", "log", "leftover.log"), []byte("old boot\n"), 0o644)
	os.Symlink("../../usr/share/doc/README.logs", filepath.Join(root, "var", "log", "README"))
	qcow := buildDisk(t, dir, root)
	disk := filepath.Join(dir, "disk.raw")
	ctx := context.Background()
	im, err := Open(ctx, qcow, "qcow2", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if b, err := im.ReadFile(ctx, "/etc/os-release"); err != nil || string(b) != "ID=test\n" {
		t.Errorf("os-release = %q, %v", b, err)
	}
	if b, err := im.ReadFile(ctx, "/etc/machine-id"); err != nil || len(b) != 0 {
		t.Errorf("machine-id = %q, %v", b, err)
	}
	if _, err := im.ReadFile(ctx, "/root/.bash_history"); !errors.Is(err, ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	ents, err := im.List(ctx, "/var/log")
	files := map[string]Entry{}
	for _, e := range ents {
		files[e.Name] = e
	}
	if l := files["leftover.log"]; err != nil || len(ents) != 2 || l.Size != 9 || l.Dir || !l.Regular || files["README"].Regular {
		t.Errorf("List /var/log = %+v, %v", ents, err)
	}
	if ents, _ := im.List(ctx, "/etc"); len(ents) != 3 {
		t.Errorf("List /etc = %+v", ents)
	}
	if err := im.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(im.dir); !os.IsNotExist(err) {
		t.Error("Close left the raw copy")
	}
	if _, err := Open(ctx, disk, "raw", dir); err != nil {
		t.Errorf("raw image: %v", err)
	}
	os.WriteFile(disk, make([]byte, 1<<20), 0o644)
	if _, err := Open(ctx, disk, "raw", dir); !errors.Is(err, ErrUnsupported) {
		t.Errorf("blank image: %v", err)
	}
}

// buildDisk makes a qcow2 disk with one GPT partition holding an ext4
// file system made from root, as the fixture recipe does (no loop device).
func buildDisk(t *testing.T, dir, root string) string {
	t.Helper()
	for _, tool := range []string{"mkfs.ext4", "sfdisk", "debugfs", "qemu-img"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	fs := filepath.Join(dir, "root.img")
	run(t, "mkfs.ext4", "-q", "-d", root, fs, "16M")
	disk := filepath.Join(dir, "disk.raw")
	run(t, "truncate", "-s", "20M", disk)
	run(t, "sh", "-c", "echo 'label: gpt\nstart=2048, size=32768' | sfdisk -q "+disk)
	run(t, "dd", "if="+fs, "of="+disk, "bs=512", "seek=2048", "conv=notrunc", "status=none")
	qcow := filepath.Join(dir, "disk.qcow2")
	run(t, "qemu-img", "convert", "-O", "qcow2", disk, qcow)
	return qcow
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}
