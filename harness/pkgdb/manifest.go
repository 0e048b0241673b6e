package pkgdb

import (
	"fmt"
	"slices"
	"strings"
)

// Manifest renders packages as a package manifest: one
// "name<TAB>version<TAB>arch" line per package, sorted by name then arch,
// as cloud images publish beside the image (Ubuntu's .manifest has the
// first two columns).
func Manifest(pkgs []Package) []byte {
	sorted := slices.Clone(pkgs)
	sortPackages(sorted)
	var b strings.Builder
	for _, p := range sorted {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", p.Name, p.Version, p.Arch)
	}
	return []byte(b.String())
}

// ParseManifest reads what Manifest wrote.
func ParseManifest(data []byte) ([]Package, error) {
	var out []Package
	for i, l := range lines(string(data)) {
		f := strings.Split(l, "\t")
		if len(f) != 3 || f[0] == "" || f[1] == "" {
			return nil, fmt.Errorf("manifest line %d: %q is not name<TAB>version<TAB>arch", i+1, l)
		}
		out = append(out, Package{Name: f[0], Version: f[1], Arch: f[2]})
	}
	return out, nil
}
