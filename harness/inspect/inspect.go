package inspect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrUnsupported means the root file system cannot be read here.
var ErrUnsupported = errors.New("image root file system not readable by debugfs (ext2/3/4 only)")

// ErrNotExist is returned for a path the image does not have; it is an
// fs.ErrNotExist, so callers that only know io/fs can tell it too.
var ErrNotExist = fmt.Errorf("no such file in the image: %w", fs.ErrNotExist)

// Image is an opened, read-only view of a disk image's root file system.
type Image struct {
	dir    string // temp dir holding the raw copy, removed by Close
	device string // "raw?offset=N" as debugfs takes it
}

// Open converts path (qcow2 or raw) to a raw copy in a temp dir under
// tmpRoot and finds the root partition. The caller must Close it.
func Open(ctx context.Context, path, format, tmpRoot string) (*Image, error) {
	dir, err := os.MkdirTemp(tmpRoot, "inspect-")
	if err != nil {
		return nil, err
	}
	im := &Image{dir: dir}
	raw := filepath.Join(dir, "disk.raw")
	if out, err := exec.CommandContext(ctx, "qemu-img", "convert", "-f", format, "-O", "raw", path, raw).CombinedOutput(); err != nil {
		im.Close()
		return nil, fmt.Errorf("inspect %s: qemu-img convert: %v: %s", path, err, out)
	}
	offsets, err := partitionOffsets(ctx, raw)
	if err != nil {
		im.Close()
		return nil, fmt.Errorf("inspect %s: %w", path, err)
	}
	for _, off := range offsets {
		dev := fmt.Sprintf("%s?offset=%d", raw, off)
		if _, err := debugfs(ctx, dev, "stat /etc/os-release"); err == nil {
			im.device = dev
			return im, nil
		}
	}
	im.Close()
	return nil, fmt.Errorf("inspect %s: %w", path, ErrUnsupported)
}

// Close removes the raw copy.
func (im *Image) Close() error { return os.RemoveAll(im.dir) }

// partitionOffsets lists the byte offsets of the partitions, or 0 for an
// unpartitioned file system.
func partitionOffsets(ctx context.Context, raw string) ([]int64, error) {
	out, err := exec.CommandContext(ctx, "sfdisk", "-J", raw).Output()
	if err != nil {
		return []int64{0}, nil // no partition table: maybe a bare file system
	}
	var t struct {
		PartitionTable struct {
			SectorSize int64 `json:"sectorsize"`
			Partitions []struct {
				Start int64 `json:"start"`
			} `json:"partitions"`
		} `json:"partitiontable"`
	}
	if err := json.Unmarshal(out, &t); err != nil {
		return nil, fmt.Errorf("sfdisk -J: %w", err)
	}
	ss := t.PartitionTable.SectorSize
	if ss == 0 {
		ss = 512
	}
	var offs []int64
	for _, p := range t.PartitionTable.Partitions {
		offs = append(offs, p.Start*ss)
	}
	return offs, nil
}

// debugfs runs one read-only request. debugfs reports most problems on
// stderr with exit 0, so stderr lines other than its banner are errors.
func debugfs(ctx context.Context, dev, request string) (string, error) {
	cmd := exec.CommandContext(ctx, "debugfs", "-R", request, dev)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if problems := complaints(stderr.String()); len(problems) > 0 {
		msg := strings.Join(problems, "; ")
		if strings.Contains(msg, "File not found") || strings.Contains(msg, "not found by ext2_lookup") {
			return "", ErrNotExist
		}
		return "", fmt.Errorf("debugfs %q: %s", request, msg)
	}
	if err != nil {
		return "", fmt.Errorf("debugfs %q: %w", request, err)
	}
	return stdout.String(), nil
}

// complaints are debugfs's stderr lines other than its banner.
func complaints(stderr string) []string {
	var problems []string
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "debugfs ") {
			problems = append(problems, l)
		}
	}
	return problems
}

// ReadFile returns a file's content.
func (im *Image) ReadFile(ctx context.Context, path string) ([]byte, error) {
	out, err := debugfs(ctx, im.device, "cat "+quote(path))
	return []byte(out), err
}

// Entry is one directory entry.
type Entry struct {
	Name    string
	Dir     bool
	Regular bool // a plain file (not a directory, symlink or device)
	Size    int64
}

// List returns a directory's entries, without . and ..
func (im *Image) List(ctx context.Context, dir string) ([]Entry, error) {
	out, err := debugfs(ctx, im.device, "ls -p "+quote(dir))
	if err != nil {
		return nil, err
	}
	// ls -p: /inode/mode/uid/gid/name/size/
	var entries []Entry
	for _, l := range strings.Split(out, "\n") {
		f := strings.Split(strings.TrimSpace(l), "/")
		if len(f) < 7 || f[5] == "." || f[5] == ".." || f[5] == "" {
			continue
		}
		var size int64
		fmt.Sscan(f[6], &size)
		entries = append(entries, Entry{Name: f[5], Dir: strings.HasPrefix(f[2], "40"), Regular: strings.HasPrefix(f[2], "100"), Size: size})
	}
	return entries, nil
}

func quote(p string) string { return `"` + strings.ReplaceAll(p, `"`, `\"`) + `"` }
