package pkgdb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/imagegate/imagegate/harness/remote"
)

// DetectCommand probes the guest in one round trip. It prints "tool:NAME"
// for dpkg-query and rpm when they are on PATH, "db:dpkg" when dpkg's status
// file exists, and "db:rpm" when an rpm database exists in one of the places
// distributions keep it (/var/lib/rpm, /usr/lib/sysimage/rpm) in one of its
// formats (sqlite, Berkeley DB, ndb). It always exits 0.
const DetectCommand = `for t in dpkg-query rpm; do command -v "$t" >/dev/null 2>&1 && echo "tool:$t"; done; ` +
	`[ -s /var/lib/dpkg/status ] && echo db:dpkg; ` +
	`for d in /var/lib/rpm /usr/lib/sysimage/rpm; do for f in rpmdb.sqlite Packages Packages.db; do ` +
	`[ -f "$d/$f" ] && echo db:rpm; done; done; true`

// Detect finds the guest's package manager. dpkg is chosen when dpkg-query
// is on PATH and /var/lib/dpkg/status exists, even if rpm is installed too
// (Debian can carry rpm as a tool); otherwise rpm when it is on PATH and its
// database exists. Anything else is an error that says what was found.
func Detect(ctx context.Context, r remote.Runner) (Manager, error) {
	if r == nil {
		return nil, errors.New("pkgdb: detect: nil runner")
	}
	res, err := remote.Check(ctx, r, DetectCommand)
	if err != nil {
		return nil, fmt.Errorf("pkgdb: detect package manager: %w", err)
	}
	seen := map[string]bool{}
	for _, l := range lines(res.Stdout) {
		seen[strings.TrimSpace(l)] = true
	}
	switch {
	case seen["tool:dpkg-query"] && seen["db:dpkg"]:
		return NewDpkg(r), nil
	case seen["tool:rpm"] && seen["db:rpm"]:
		return NewRPM(r), nil
	}
	return nil, fmt.Errorf("pkgdb: no package manager found in the guest: "+
		"dpkg-query %s, /var/lib/dpkg/status %s; rpm %s, rpm database %s",
		onPath(seen["tool:dpkg-query"]), exists(seen["db:dpkg"]),
		onPath(seen["tool:rpm"]), exists(seen["db:rpm"]))
}

func onPath(ok bool) string {
	if ok {
		return "on PATH"
	}
	return "not on PATH"
}

func exists(ok bool) string {
	if ok {
		return "present"
	}
	return "missing"
}
