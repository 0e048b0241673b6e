package promote

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/atomicfile"
)

// writeGeneration writes generation gen's index.json, SHA256SUMS and
// flake history into meta/gen-N (a folder no reader is pointed at yet),
// syncs them and the folders, and makes sure the stable links at the root
// exist.
func writeGeneration(root string, gen int, idx *Index, hist []HistoryRun) error {
	meta := filepath.Join(root, MetaDir)
	if err := mkdirSynced(root, meta); err != nil {
		return err
	}
	dir := filepath.Join(meta, genName(gen))
	if err := os.RemoveAll(dir); err != nil { // an earlier attempt that never committed
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	data, err := idx.encode()
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(dir, IndexFile), data); err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(dir, SumsFile), idx.SHA256SUMS()); err != nil {
		return err
	}
	h, err := json.MarshalIndent(hist, "", " ")
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(dir, HistoryFile), append(h, '\n')); err != nil {
		return err
	}
	if err := atomicfile.SyncDir(dir); err != nil {
		return err
	}
	if err := atomicfile.SyncDir(meta); err != nil {
		return err
	}
	return stableLinks(root)
}

// stableLinks makes index.json and SHA256SUMS at the root point through
// meta/current. Until the first commit they dangle: a reader sees no
// index, the state of an empty repo.
func stableLinks(root string) error {
	for _, name := range []string{IndexFile, SumsFile} {
		want := filepath.Join(MetaDir, CurrentLink, name)
		link := filepath.Join(root, name)
		if got, err := os.Readlink(link); err == nil && got == want {
			continue
		}
		if err := symlinkAtomic(want, link); err != nil {
			return err
		}
	}
	return nil
}

// commit is the single atomic step: meta/current is switched to the new
// generation by renaming a new symbolic link over it.
func commit(root string, gen int) error {
	return symlinkAtomic(genName(gen), filepath.Join(root, MetaDir, CurrentLink))
}
