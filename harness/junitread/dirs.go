package junitread

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// ReportFile is the name of a report in a run folder.
const ReportFile = "junit.xml"

// Files lists the junit.xml files a reports argument stands for: the
// folder's own junit.xml if it has one, else the junit.xml of each run
// folder in it (reports/<run-id>/), sorted. Symbolic links among the run
// folders (reports/latest) are skipped: they point at a run already
// listed. A run folder without junit.xml is an error, not a skip: the gate
// must not judge from part of what it was given.
func Files(dir string) ([]string, error) {
	own := filepath.Join(dir, ReportFile)
	if _, err := os.Stat(own); err == nil {
		return []string{own}, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("report %s: %w", own, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reports %s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || e.Type()&fs.ModeSymlink != 0 {
			continue
		}
		f := filepath.Join(dir, e.Name(), ReportFile)
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("report %s: %w (a run folder without its report)", f, err)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("report %s: no such file, and %s holds no run folders with one", own, dir)
	}
	sort.Strings(out)
	return out, nil
}

// ReadDirs reads every report the folders stand for, in order: the folders
// as given, each one's runs sorted by name.
func ReadDirs(dirs ...string) ([]*Report, error) {
	if len(dirs) == 0 {
		return nil, errors.New("no reports folder given")
	}
	var out []*Report
	for _, d := range dirs {
		files, err := Files(d)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			r, err := ReadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// Beside finds a file a run keeps in a target's folder next to its
// report (<run folder>/<image>/<arch>/<name>, e.g. run.ManifestFile) for
// the reports files, newest first (the order of Target.Files is oldest
// first). It returns "" when none of them has one.
func Beside(files []string, image, arch, name string) string {
	for i := len(files) - 1; i >= 0; i-- {
		p := filepath.Join(filepath.Dir(files[i]), image, arch, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}
