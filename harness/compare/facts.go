package compare

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/imagegate/imagegate/harness/pkgdb"
	"github.com/imagegate/imagegate/harness/run"
)

// PackageDiff is what changed in the package manifest.
type PackageDiff struct {
	Added   []pkgdb.Package `json:"added"`
	Removed []pkgdb.Package `json:"removed"`
	Changed []Upgrade       `json:"changed"`
}

// Upgrade is a package whose version differs.
type Upgrade struct {
	Name       string `json:"name"`
	Arch       string `json:"arch"`
	Production string `json:"production"`
	Candidate  string `json:"candidate"`
}

// Change is one fact of both images.
type Change struct {
	Candidate  string `json:"candidate"`
	Production string `json:"production"`
	Changed    bool   `json:"changed"`
}

// ServiceDiff is what changed among the enabled unit files.
type ServiceDiff struct {
	Enabled  []string `json:"enabled"`  // enabled here, not there
	Disabled []string `json:"disabled"` // enabled there, not here
}

// Timing is one duration of both runs (timings.json: boot-to-ssh,
// cloud-init's stages, ...), and the candidate's change in percent.
type Timing struct {
	Name          string  `json:"name"`
	Candidate     float64 `json:"candidate_seconds"`
	Production    float64 `json:"production_seconds"`
	ChangePercent float64 `json:"change_percent"`
}

// facts reads what a target's report folder says about its image. Missing
// evidence is reported in problems, not guessed.
type facts struct {
	packages []pkgdb.Package
	kernel   string
	cmdline  string
	services []string
	timings  map[string]float64
	read     map[string]bool // the evidence files that were there and parsed
}

func readFacts(dir string, problems *[]string) facts {
	f := facts{read: map[string]bool{}}
	note := func(err error) {
		*problems = append(*problems, err.Error())
	}
	if b, err := os.ReadFile(filepath.Join(dir, run.ManifestFile)); err != nil {
		note(err)
	} else if f.packages, err = pkgdb.ParseManifest(b); err != nil {
		note(fmt.Errorf("%s: %w", filepath.Join(dir, run.ManifestFile), err))
	} else {
		f.read[run.ManifestFile] = true
	}
	if b, err := os.ReadFile(filepath.Join(dir, run.KernelFile)); err != nil {
		note(err)
	} else {
		f.read[run.KernelFile] = true
		lines := strings.SplitN(strings.TrimSpace(string(b)), "\n", 2)
		f.kernel = strings.TrimSpace(lines[0])
		if len(lines) == 2 {
			f.cmdline = strings.TrimSpace(lines[1])
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, run.ServicesFile)); err != nil {
		note(err)
	} else {
		f.services, f.read[run.ServicesFile] = strings.Fields(string(b)), true
	}
	if b, err := os.ReadFile(filepath.Join(dir, run.TimingsFile)); err != nil {
		note(err)
	} else if err := json.Unmarshal(b, &f.timings); err != nil {
		note(fmt.Errorf("%s: %w", filepath.Join(dir, run.TimingsFile), err))
	}
	return f
}

func diffPackages(cand, prod []pkgdb.Package) *PackageDiff {
	key := func(p pkgdb.Package) string { return p.Name + "\x00" + p.Arch }
	theirs := map[string]pkgdb.Package{}
	for _, p := range prod {
		theirs[key(p)] = p
	}
	d := &PackageDiff{Added: []pkgdb.Package{}, Removed: []pkgdb.Package{}, Changed: []Upgrade{}}
	ours := map[string]bool{}
	for _, p := range cand {
		ours[key(p)] = true
		switch q, ok := theirs[key(p)]; {
		case !ok:
			d.Added = append(d.Added, p)
		case q.Version != p.Version:
			d.Changed = append(d.Changed, Upgrade{Name: p.Name, Arch: p.Arch, Production: q.Version, Candidate: p.Version})
		}
	}
	for _, q := range prod {
		if !ours[key(q)] {
			d.Removed = append(d.Removed, q)
		}
	}
	return d
}

// version is the version of the package called name, or "".
func version(pkgs []pkgdb.Package, name string) string {
	if p, ok := pkgdb.Find(pkgs, name); ok {
		return p.Version
	}
	return ""
}

func change(cand, prod string) *Change {
	return &Change{Candidate: cand, Production: prod, Changed: cand != prod}
}

func diffServices(cand, prod []string) *ServiceDiff {
	return &ServiceDiff{Enabled: minus(cand, prod), Disabled: minus(prod, cand)}
}

func minus(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	out := []string{}
	for _, s := range a {
		if !in[s] {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func diffTimings(cand, prod map[string]float64) []Timing {
	out := []Timing{}
	for name, c := range cand {
		p, ok := prod[name]
		if !ok {
			continue
		}
		t := Timing{Name: name, Candidate: c, Production: p}
		if p > 0 {
			t.ChangePercent = (c - p) / p * 100
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
