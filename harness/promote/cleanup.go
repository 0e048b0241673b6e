package promote

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// cleanLeftovers removes what interrupted promotions left, under the lock
// and only what no committed index refers to: temp files and links,
// generations other than the current one and the one before it, image
// files not referenced, and folders left empty under images/. It returns
// how many entries it removed.
func (s *state) cleanLeftovers() (int, error) {
	n, err := s.pruneGenerations()
	if err != nil {
		return n, err
	}
	m, err := removeTemps(s.root) // half-made links of the root
	n += m
	if err != nil {
		return n, err
	}
	m, err = s.removeUnreferenced()
	return n + m, err
}

// removeTemps removes temp entries directly in dir.
func removeTemps(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// pruneGenerations keeps the current generation and the newest older one
// (a reader may still be reading it) and removes the others, including
// any newer one that was never committed.
func (s *state) pruneGenerations() (int, error) {
	meta := filepath.Join(s.root, MetaDir)
	entries, err := os.ReadDir(meta)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	prev := 0
	for _, e := range entries {
		if g, ok := parseGen(e.Name()); ok && g < s.gen && g > prev {
			prev = g
		}
	}
	n := 0
	for _, e := range entries {
		g, isGen := parseGen(e.Name())
		keep := e.Name() == CurrentLink || (isGen && (g == s.gen || g == prev))
		if keep {
			continue
		}
		if isGen || strings.HasPrefix(e.Name(), tmpPrefix) {
			if err := os.RemoveAll(filepath.Join(meta, e.Name())); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// removeUnreferenced removes files under images/ that the committed index
// does not list (temp files included), then empty folders, deepest first.
func (s *state) removeUnreferenced() (int, error) {
	images := filepath.Join(s.root, ImagesDir)
	ref := s.referenced()
	var dirs []string
	n := 0
	err := filepath.WalkDir(images, func(p string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) && p == images {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		rel, _ := filepath.Rel(s.root, p)
		if ref[filepath.ToSlash(rel)] {
			return nil
		}
		n++
		return os.Remove(p)
	})
	for i := len(dirs) - 1; i > 0; i-- { // never images/ itself
		if os.Remove(dirs[i]) == nil {
			n++
		}
	}
	return n, err
}
