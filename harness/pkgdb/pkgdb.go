package pkgdb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// Package is one installed package.
type Package struct {
	Name string
	// Version is the full version: epoch:version-release for rpm (the epoch
	// left out when it is 0, as rpm displays it), and exactly what dpkg prints
	// for dpkg (which already carries the epoch when there is one).
	Version string
	// Arch is the architecture as the package manager prints it: "amd64",
	// "all" for dpkg; "x86_64", "noarch" for rpm.
	Arch string
}

// String renders the package as name=version/arch.
func (p Package) String() string { return p.Name + "=" + p.Version + "/" + p.Arch }

// Problem is one finding of an audit: a package that is not cleanly
// installed, a packaged file that fails verification, an unsatisfied
// dependency, or an error reading the database.
type Problem struct {
	// Package names the package concerned when the output says which one;
	// it is empty for rpm file verification lines, which name only the file.
	Package string
	// Detail is what the package manager said, in its own words.
	Detail string
}

// String renders the problem for failure messages.
func (p Problem) String() string {
	if p.Package == "" {
		return p.Detail
	}
	return p.Package + ": " + p.Detail
}

// Summary is problems on one line, for the first line of a failure
// message (the one a run's summary and Jenkins show): how many, and the
// first three in the package manager's own words.
func Summary(ps []Problem) string {
	const shown = 3
	parts := make([]string, 0, shown)
	for _, p := range ps[:min(len(ps), shown)] {
		parts = append(parts, p.String())
	}
	noun := "problems"
	if len(ps) == 1 {
		noun = "problem"
	}
	s := fmt.Sprintf("%d package database %s: %s", len(ps), noun, strings.Join(parts, "; "))
	if len(ps) > shown {
		s += fmt.Sprintf("; and %d more", len(ps)-shown)
	}
	return s
}

// Manager is a package manager in the guest.
type Manager interface {
	// Name is "dpkg" or "rpm".
	Name() string
	// Installed lists the installed packages, sorted by name (then
	// architecture; packages installed in several versions, like rpm
	// kernels, keep the order the package manager printed them in).
	Installed(ctx context.Context) ([]Package, error)
	// Audit checks the health of the package database. An empty result
	// means healthy; an error means the check itself could not be done.
	Audit(ctx context.Context) ([]Problem, error)
}

// Find returns the first package called name.
func Find(pkgs []Package, name string) (Package, bool) {
	for _, p := range pkgs {
		if p.Name == name {
			return p, true
		}
	}
	return Package{}, false
}

// FindPrefix returns the packages whose name starts with prefix, such as
// "linux-image-" or "kernel-core", in the order of pkgs.
func FindPrefix(pkgs []Package, prefix string) []Package {
	var out []Package
	for _, p := range pkgs {
		if strings.HasPrefix(p.Name, prefix) {
			out = append(out, p)
		}
	}
	return out
}

// sortPackages sorts by name, then architecture, keeping the input order of
// equal entries.
func sortPackages(pkgs []Package) {
	slices.SortStableFunc(pkgs, func(a, b Package) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Arch, b.Arch))
	})
}

// lines splits command output into lines, numbered from 1, without the
// trailing newline and without a carriage return at the end of a line.
func lines(out string) []string {
	out = strings.TrimSuffix(out, "\n")
	if out == "" {
		return nil
	}
	ls := strings.Split(out, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimSuffix(l, "\r")
	}
	return ls
}
