package promote

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/atomicfile"
)

// generation is what a generation's folder holds: the index, the flake
// history, and the key that signs its SHA256SUMS ("" for none).
type generation struct {
	idx     *Index
	hist    []HistoryRun
	signKey string
}

// writeGeneration writes generation gen into meta/gen-N (a folder no
// reader is pointed at yet): index.json, SHA256SUMS (signed into
// SHA256SUMS.gpg with a key), history.json and the simplestreams files;
// it syncs them and the folders, and makes sure the stable links at the
// root exist.
func writeGeneration(ctx context.Context, root string, gen int, g generation) error {
	meta := filepath.Join(root, MetaDir)
	if err := mkdirSynced(root, meta); err != nil {
		return err
	}
	dir := filepath.Join(meta, genName(gen))
	if err := os.RemoveAll(dir); err != nil { // an earlier attempt that never committed
		return err
	}
	if err := mkdirSynced(meta, filepath.Join(dir, StreamsDir, "v1")); err != nil {
		return err
	}
	files, err := g.files()
	if err != nil {
		return err
	}
	for rel, data := range files {
		if err := writeSynced(genPath(dir, rel), data); err != nil {
			return err
		}
	}
	if g.signKey != "" {
		if err := sign(ctx, g.signKey, filepath.Join(dir, SumsFile), filepath.Join(dir, SigFile)); err != nil {
			return err
		}
	}
	for _, d := range []string{filepath.Join(dir, StreamsDir, "v1"), filepath.Join(dir, StreamsDir), dir, meta} {
		if err := atomicfile.SyncDir(d); err != nil {
			return err
		}
	}
	return stableLinks(root, g.signKey != "")
}

// files are the generation's files (but the signature), by path in its
// folder.
func (g generation) files() (map[string][]byte, error) {
	files, err := g.idx.streams()
	if err != nil {
		return nil, err
	}
	if files[IndexFile], err = g.idx.encode(); err != nil {
		return nil, err
	}
	files[SumsFile] = g.idx.SHA256SUMS()
	h, err := json.MarshalIndent(g.hist, "", " ")
	files[HistoryFile] = append(h, '\n')
	return files, err
}

// stableLinks makes index.json, SHA256SUMS, streams (and SHA256SUMS.gpg
// in a signed repo) at the root point through meta/current. Until the
// first commit they dangle: a reader sees no index, the state of an empty
// repo.
func stableLinks(root string, signed bool) error {
	names := []string{IndexFile, SumsFile, StreamsDir}
	if signed {
		names = append(names, SigFile)
	}
	for _, name := range names {
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
