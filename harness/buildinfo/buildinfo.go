// Package buildinfo says which imagegate wrote a report. A report records
// it (property imagegate.version) because the catalogue of checks it is
// judged against belongs to that build.
package buildinfo

import (
	"runtime/debug"
	"sync"
)

// Override is set at link time for release builds:
// go build -ldflags "-X github.com/imagegate/imagegate/harness/buildinfo.Override=1.2.3".
var Override string

var version = sync.OnceValue(func() string {
	if Override != "" {
		return Override
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	return format(v, rev, dirty)
})

func format(v, rev string, dirty bool) string {
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += "+" + rev
		if dirty {
			v += ".dirty"
		}
	}
	return v
}

// Version is this binary's version: the module version or "devel", plus
// the git revision it was built from ("devel+846361d0a1b2.dirty").
func Version() string { return version() }
