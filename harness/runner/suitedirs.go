package runner

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/imagegate/imagegate/harness/extsuite"
	"github.com/imagegate/imagegate/harness/matrix"
	"github.com/imagegate/imagegate/harness/run"
)

// loadSuiteDirs validates every external suite the run names (--suite-dir
// and each image's suite_dirs:) before anything boots, so a bad manifest
// is a usage error naming its file and line, not a red target. It returns
// them by absolute folder.
func loadSuiteDirs(o Options, images []matrix.Image) (map[string]*extsuite.Suite, error) {
	out := map[string]*extsuite.Suite{}
	load := func(dir string) error {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return err
		}
		if _, done := out[abs]; done {
			return nil
		}
		s, err := extsuite.Load(abs)
		if err != nil {
			return err
		}
		if slices.Contains(o.KnownSuites, s.Name) {
			return fmt.Errorf("--suite-dir %s: suite %q is also compiled into imagegate; rename it in %s", dir, s.Name, filepath.Join(dir, extsuite.Manifest))
		}
		out[abs] = s
		return nil
	}
	for _, d := range o.SuiteDirs {
		if err := load(d); err != nil {
			return nil, err
		}
	}
	for _, im := range images {
		for _, d := range im.SuiteDirs {
			if err := load(d); err != nil {
				return nil, fmt.Errorf("matrix %s: %s: suite_dirs: %w", o.Matrix, im.ID(), err)
			}
		}
	}
	return out, nil
}

// suiteDirsOf are the external suites of one image: the run's, then the
// image's own. Two folders may not bring suites of the same name.
func (p *Plan) suiteDirsOf(im matrix.Image) ([]run.SuiteDir, error) {
	var out []run.SuiteDir
	seen := map[string]string{}
	for _, d := range append(slices.Clone(p.Opts.SuiteDirs), im.SuiteDirs...) {
		abs, _ := filepath.Abs(d)
		s := p.External[abs]
		if other, dup := seen[s.Name]; dup {
			if other == abs {
				continue
			}
			return nil, fmt.Errorf("%s: %s and %s both hold a suite named %q", im.ID(), other, abs, s.Name)
		}
		seen[s.Name] = abs
		out = append(out, run.SuiteDir{Dir: abs, Name: s.Name, SHA256: s.SHA256})
	}
	return out, nil
}

// externalNames are the names of the run's external suites.
func externalNames(ext map[string]*extsuite.Suite) []string {
	var out []string
	for _, s := range ext {
		out = append(out, s.Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// SuiteDirs resolves external suites as NewPlan does, for listings that
// boot nothing (imagegate suites): own are the run's folders
// (--suite-dir), in order; perImage[i] are images[i]'s suites, its own
// suite_dirs: included. Every folder is validated, and a name clash
// refused, the same way as in a run.
func SuiteDirs(o Options, images []matrix.Image) (own []*extsuite.Suite, perImage [][]run.SuiteDir, err error) {
	ext, err := loadSuiteDirs(o, images)
	if err != nil {
		return nil, nil, usage(err)
	}
	for _, d := range o.SuiteDirs {
		abs, _ := filepath.Abs(d)
		own = append(own, ext[abs])
	}
	p := &Plan{Opts: o, External: ext}
	for _, im := range images {
		dirs, err := p.suiteDirsOf(im)
		if err != nil {
			return nil, nil, usage(err)
		}
		perImage = append(perImage, dirs)
	}
	return own, perImage, nil
}
