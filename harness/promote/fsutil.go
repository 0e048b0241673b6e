package promote

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/imagegate/imagegate/harness/atomicfile"
)

// tmpPrefix starts the name of every temporary file or link this package
// makes; cleanup removes any it finds.
const tmpPrefix = ".tmp-"

// mkdirSynced makes dir and its missing parents below root, syncing each
// parent so the new entries survive a crash.
func mkdirSynced(root, dir string) error {
	rel, err := filepath.Rel(root, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("%s is not inside %s", dir, root)
	}
	cur := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		next := filepath.Join(cur, part)
		if err := os.Mkdir(next, 0o755); err == nil {
			if err := atomicfile.SyncDir(cur); err != nil {
				return err
			}
		} else if !os.IsExist(err) {
			return err
		}
		cur = next
	}
	return nil
}

// writeSynced writes a new file and syncs it (not its folder).
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// symlinkAtomic points link at target with one rename(2) of a new link
// over the old one, then syncs the folder.
func symlinkAtomic(target, link string) error {
	tmp := filepath.Join(filepath.Dir(link), tmpPrefix+filepath.Base(link)+fmt.Sprintf("-%d", os.Getpid()))
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, link); err != nil {
		os.Remove(tmp)
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(link))
}
