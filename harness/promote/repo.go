package promote

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The production repo's layout.
const (
	LockFile    = ".lock"
	MetaDir     = "meta"
	CurrentLink = "current" // in MetaDir
	IndexFile   = "index.json"
	SumsFile    = "SHA256SUMS"
	ImagesDir   = "images"
	genPrefix   = "gen-"
)

func genName(n int) string { return fmt.Sprintf("%s%06d", genPrefix, n) }

func parseGen(name string) (int, bool) {
	if !strings.HasPrefix(name, genPrefix) {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(name, genPrefix))
	return n, err == nil && n > 0 && genName(n) == name
}

// state is the committed state of a repo: generation 0 is an empty repo.
type state struct {
	root string
	gen  int
	idx  *Index
}

// checkRepo refuses a folder that is neither empty nor a production repo:
// promotion removes files it does not know under images/.
func checkRepo(root string) error {
	st, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("production repo %s: %w (create it first)", root, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("production repo %s is not a folder", root)
	}
	if _, err := os.Lstat(filepath.Join(root, MetaDir)); err == nil {
		return nil
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != LockFile {
			return fmt.Errorf("%s is neither empty nor an imagegate production repo (no %s/): refusing to manage it", root, MetaDir)
		}
	}
	return nil
}

// readState reads the committed generation and its index.
func readState(root string) (*state, error) {
	link := filepath.Join(root, MetaDir, CurrentLink)
	target, err := os.Readlink(link)
	if errors.Is(err, fs.ErrNotExist) {
		return &state{root: root, idx: emptyIndex()}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("production repo %s: %w", root, err)
	}
	n, ok := parseGen(target)
	if !ok {
		return nil, fmt.Errorf("production repo %s: %s points at %q, not a generation", root, link, target)
	}
	path := filepath.Join(root, MetaDir, target, IndexFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("production repo %s: %w", root, err)
	}
	idx, err := parseIndex(path, data)
	if err != nil {
		return nil, err
	}
	if idx.Generation != n {
		return nil, fmt.Errorf("index %s says generation %d", path, idx.Generation)
	}
	return &state{root: root, gen: n, idx: idx}, nil
}

// checkFiles insists that every item of the committed index exists with
// its recorded size: a repo already damaged is not promoted into.
func (s *state) checkFiles() error {
	for _, it := range s.idx.Files() {
		st, err := os.Stat(filepath.Join(s.root, filepath.FromSlash(it.Path)))
		if err != nil {
			return fmt.Errorf("production repo %s is damaged: %w", s.root, err)
		}
		if st.Size() != it.Size {
			return fmt.Errorf("production repo %s is damaged: %s is %d bytes, the index says %d", s.root, it.Path, st.Size(), it.Size)
		}
	}
	return nil
}

// referenced is the set of file paths of the committed index.
func (s *state) referenced() map[string]bool {
	m := map[string]bool{}
	for _, f := range s.idx.Files() {
		m[f.Path] = true
	}
	return m
}

// signed reports whether the committed generation has a signature.
func (s *state) signed() bool {
	if s.gen == 0 {
		return false
	}
	_, err := os.Stat(filepath.Join(s.root, MetaDir, genName(s.gen), SigFile))
	return err == nil
}
