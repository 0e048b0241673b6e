// Package profiles holds the image profiles imagegate ships, one YAML file
// per distribution family, built into the binary like the suites. A run
// holds every image to its family's profile; a matrix anywhere — a
// pipeline's own, outside this repository — gets them without copying
// files, so no profile check is ever dropped because a file was not found.
// A matrix entry's profile: or --profile FILE replaces the built-in one.
package profiles

import (
	"embed"
	"io/fs"
	"slices"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// Lookup returns the built-in profile of family, and its name for reports.
func Lookup(family string) (data []byte, name string, ok bool) {
	b, err := files.ReadFile(family + ".yaml")
	if err != nil {
		return nil, "", false
	}
	return b, "built-in profile " + family, true
}

// Families lists the families with a built-in profile.
func Families() []string {
	names, _ := fs.Glob(files, "*.yaml")
	var out []string
	for _, n := range names {
		out = append(out, strings.TrimSuffix(n, ".yaml"))
	}
	slices.Sort(out)
	return out
}
