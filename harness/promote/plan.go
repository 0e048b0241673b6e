package promote

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/imagegate/imagegate/harness/digest"
	"github.com/imagegate/imagegate/harness/gate"
	"github.com/imagegate/imagegate/harness/junitread"
	"github.com/imagegate/imagegate/harness/names"
	"github.com/imagegate/imagegate/harness/run"
)

var (
	versionRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._+-]*$`)
	fileRE    = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._+-]*$`)
)

// planned is one arch's file to promote.
type planned struct {
	arch   string
	src    string // in the testing repo
	sha256 string // what the reports recorded
	size   int64
	name   string // file name in production
	rel    string // path in production, once the version is known
	result gate.ArchResult
	// manifest is the image's package manifest (arch, src, sha256, size,
	// name set); reports are the digests of the reports that passed it.
	manifest *planned
	reports  []FileRef
}

// sources finds each required arch's file in the testing repo and checks
// that it still is the file that was tested.
func sources(ctx context.Context, from string, d gate.Decision) ([]planned, error) {
	var out []planned
	for _, a := range d.Arches {
		if !a.Required {
			continue
		}
		p, err := source(from, a)
		if err != nil {
			return nil, err
		}
		sum, size, err := digest.File(ctx, p.src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Arch, err)
		}
		if sum != p.sha256 {
			return nil, ChangedError{Arch: a.Arch, Path: p.src, Want: p.sha256, Got: sum}
		}
		p.size = size
		if err := p.provenance(ctx, d.Image); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: the policy requires no arch to promote", d.Image)
	}
	return out, nil
}

// source locates the file: image.path itself when it lies inside the
// testing repo, else the file of the same name at the repo's top.
func source(from string, a gate.ArchResult) (planned, error) {
	p := planned{arch: a.Arch, sha256: a.SHA256, result: a}
	if a.Path == "" {
		return p, fmt.Errorf("%s: the reports do not record image.path: cannot find the file to promote", a.Arch)
	}
	p.name = filepath.Base(a.Path)
	if !fileRE.MatchString(p.name) || !names.ValidArch(a.Arch) {
		return p, fmt.Errorf("%s: unusable file name %q or arch in the reports", a.Arch, p.name)
	}
	p.src = filepath.Join(from, p.name)
	if abs, err := filepath.Abs(from); err == nil && filepath.IsAbs(a.Path) {
		if rel, err := filepath.Rel(abs, a.Path); err == nil && !strings.HasPrefix(rel, "..") {
			p.src = a.Path
		}
	}
	return p, nil
}

// relPath is where an item lives in production.
func relPath(image, version string, p planned) string {
	return path.Join(ImagesDir, image, version, p.arch, p.name)
}

func wantSums(ps []planned) map[string]string {
	m := map[string]string{}
	for _, p := range ps {
		m[p.arch] = p.sha256
	}
	return m
}

// chooseVersion returns the version to create: the one asked for (which
// must not exist), else today's date, suffixed .1, .2... if taken.
func chooseVersion(idx *Index, image, asked, today string) (string, error) {
	var versions map[string]*Version
	if p := idx.Products[image]; p != nil {
		versions = p.Versions
	}
	if asked != "" {
		if _, taken := versions[asked]; taken {
			return "", ConflictError{Image: image, Version: asked}
		}
		return asked, nil
	}
	v := today
	for i := 1; versions[v] != nil; i++ {
		v = fmt.Sprintf("%s.%d", today, i)
	}
	return v, nil
}

// ManifestSuffix ends the name of an item's package manifest in
// production: <file>.manifest beside <file>.
const ManifestSuffix = ".manifest"

// provenance finds the arch's package manifest beside its reports and
// takes the digests of the manifest and of the reports. An image is not
// promoted without its manifest: a reader could not tell what it holds.
func (p *planned) provenance(ctx context.Context, image string) error {
	a := p.result
	src := junitread.Beside(a.Files, image, a.Arch, run.ManifestFile)
	if src == "" {
		return fmt.Errorf("%s: no %s in the target's folder beside its reports (%s): run it with an imagegate that collects the package manifest (report merge keeps it)",
			a.Arch, run.ManifestFile, strings.Join(a.Files, ", "))
	}
	sum, size, err := digest.File(ctx, src)
	if err != nil {
		return fmt.Errorf("%s: %w", a.Arch, err)
	}
	p.manifest = &planned{arch: a.Arch, src: src, sha256: sum, size: size, name: p.name + ManifestSuffix}
	for _, f := range a.Files {
		sum, size, err := digest.File(ctx, f)
		if err != nil {
			return fmt.Errorf("%s: report %w", a.Arch, err)
		}
		p.reports = append(p.reports, FileRef{Path: f, Size: size, SHA256: sum})
	}
	return nil
}
