package pkgdb

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/imagegate/imagegate/harness/remote"
)

// Commands run by the dpkg Manager; the checks run as root through sudo -n.
const (
	// DpkgQueryCommand lists every package dpkg knows, with its state.
	DpkgQueryCommand = `LC_ALL=C dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\n'`
	// DpkgAuditCommand runs dpkg's database sanity and consistency checks,
	// as root: as a user dpkg cannot take its lock and exits 2 exactly when
	// it has findings.
	DpkgAuditCommand = `sudo -n env LC_ALL=C dpkg --audit`
	// DpkgVerifyCommand checks installed files against dpkg's md5sums (as
	// debsums does); root reads files only root may read. It then prints
	// dpkg's path-exclude/path-include filters: files an image excludes on
	// purpose (docs, man pages) are "missing" by design, not damage.
	DpkgVerifyCommand = `sudo -n sh -c 'LC_ALL=C dpkg --verify; rc=$?; echo "` + dpkgFilterMarker + `"; cat /etc/dpkg/dpkg.cfg.d/* /etc/dpkg/dpkg.cfg 2>/dev/null | grep -E "^path-(exclude|include)="; exit $rc'`
	dpkgFilterMarker  = "==> dpkg path filters"
)

// NewDpkg returns the Manager for dpkg-based guests.
func NewDpkg(r remote.Runner) Manager { return dpkgManager{r: r} }

type dpkgManager struct{ r remote.Runner }

func (dpkgManager) Name() string { return "dpkg" }

func (m dpkgManager) Installed(ctx context.Context) ([]Package, error) {
	res, err := remote.Check(ctx, m.r, DpkgQueryCommand)
	if err != nil {
		return nil, fmt.Errorf("dpkg: list installed packages: %w", err)
	}
	pkgs, err := ParseDpkgQuery(res.Stdout)
	if err != nil {
		return nil, fmt.Errorf("dpkg: %s: %w", DpkgQueryCommand, err)
	}
	return pkgs, nil
}

// Audit runs dpkg --audit, then dpkg --verify.
func (m dpkgManager) Audit(ctx context.Context) ([]Problem, error) {
	probs, err := m.audit(ctx)
	if err != nil {
		return nil, err
	}
	files, err := m.verify(ctx)
	return append(probs, files...), err
}

// audit runs dpkg --audit. dpkg documents exit status 1 for a check that
// found something (dpkg 1.21 still exits 0 and only prints), so status 1 with
// a report is a finding; any other failure is an error.
func (m dpkgManager) audit(ctx context.Context) ([]Problem, error) {
	res, err := m.r.Run(ctx, DpkgAuditCommand)
	if err != nil {
		return nil, fmt.Errorf("dpkg: audit: run %q: %w", DpkgAuditCommand, err)
	}
	reported := strings.TrimSpace(res.Stdout) != ""
	if !res.OK() && (res.ExitStatus != 1 || !reported) {
		return nil, fmt.Errorf("dpkg: audit: command failed:\n%s", res)
	}
	return ParseDpkgAudit(res.Stdout), nil
}

// verify runs dpkg --verify in the guest.
func (m dpkgManager) verify(ctx context.Context) ([]Problem, error) {
	res, err := m.r.Run(ctx, DpkgVerifyCommand)
	if err != nil {
		return nil, fmt.Errorf("dpkg: verify: run %q: %w", DpkgVerifyCommand, err)
	}
	// The path filters are printed after dpkg's report whatever dpkg did,
	// so only the report tells a finding (exit 1 with lines) from a dpkg
	// that could not verify (exit 2, or any failure with nothing reported).
	report, _, _ := strings.Cut(res.Stdout, dpkgFilterMarker)
	if !res.OK() && (res.ExitStatus != 1 || strings.TrimSpace(report) == "") {
		return nil, fmt.Errorf("dpkg: verify: command failed:\n%s", res)
	}
	return ParseDpkgVerify(res.Stdout), nil
}

// ParseDpkgVerify parses dpkg --verify: "??5??????   /usr/bin/x" (digest
// differs), "missing     /usr/bin/x"; a 'c' before the path marks a
// configuration file, whose changes are the admin's business, not a
// problem. dpkg does not name the package; Detail is the line.
// A "missing" file that dpkg's path-exclude filters (printed after
// dpkgFilterMarker) keep out of the image is left out too.
func ParseDpkgVerify(out string) []Problem {
	report, filters, _ := strings.Cut(out, dpkgFilterMarker)
	f := parseDpkgFilters(filters)
	var probs []Problem
	for _, l := range lines(report) {
		fields := strings.Fields(l)
		if len(fields) >= 3 && fields[1] == "c" {
			continue
		}
		if len(fields) == 2 && fields[0] == "missing" && f.excluded(fields[1]) {
			continue
		}
		probs = append(probs, Problem{Detail: strings.TrimSpace(l)})
	}
	return probs
}

// dpkgFilters are dpkg's path-exclude/path-include options, applied in
// order (the last matching one wins), as dpkg applies them.
type dpkgFilters []struct {
	include bool
	re      *regexp.Regexp
}

func parseDpkgFilters(out string) dpkgFilters {
	var f dpkgFilters
	for _, l := range lines(out) {
		k, glob, ok := strings.Cut(l, "=")
		if !ok || (k != "path-exclude" && k != "path-include") {
			continue
		}
		f = append(f, struct {
			include bool
			re      *regexp.Regexp
		}{k == "path-include", globRE(glob)})
	}
	return f
}

// excluded reports whether dpkg would not have installed path. A directory
// leading to excluded files (/usr/share/man/man1) counts as excluded when
// a pattern excludes everything below it.
func (f dpkgFilters) excluded(path string) bool {
	ex := false
	for _, r := range f {
		if r.re.MatchString(path) || r.re.MatchString(path+"/x") && !r.include {
			ex = !r.include
		}
	}
	return ex
}

// globRE turns an fnmatch pattern without FNM_PATHNAME (so * matches /, as
// dpkg uses it) into a regexp.
func globRE(glob string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, c := range glob {
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// ParseDpkgQuery parses the output of DpkgQueryCommand: one line per package,
// "STATUS\tNAME\tVERSION\tARCH", STATUS being dpkg's three-letter
// abbreviation (desired action, state, error flag, as in "ii ", "rc ",
// "iU ", "iHR"). Only packages in state "ii " (wanted, installed, no error)
// are returned; the others (removed with configuration left, unpacked, half
// configured, needing reinstallation) are not installed, and Audit reports
// the broken ones. The result is sorted by name. Empty output, or a line that
// is not in this form, is an error naming the line.
func ParseDpkgQuery(out string) ([]Package, error) {
	ls := lines(out)
	if len(ls) == 0 {
		return nil, errors.New("dpkg-query printed no packages")
	}
	var pkgs []Package
	for i, l := range ls {
		if strings.TrimSpace(l) == "" {
			continue
		}
		status, p, err := parseDpkgLine(l)
		if err != nil {
			return nil, fmt.Errorf("line %d %q: %w", i+1, l, err)
		}
		if status == "ii " {
			pkgs = append(pkgs, p)
		}
	}
	sortPackages(pkgs)
	return pkgs, nil
}

func parseDpkgLine(l string) (string, Package, error) {
	f := strings.Split(l, "\t")
	if len(f) != 4 {
		return "", Package{}, fmt.Errorf("want 4 tab-separated fields (status, package, version, architecture), got %d", len(f))
	}
	status, p := f[0], Package{Name: f[1], Version: f[2], Arch: f[3]}
	if !validDpkgStatus(status) {
		return "", Package{}, fmt.Errorf("bad status %q: want dpkg's 3-letter abbreviation such as \"ii \"", status)
	}
	if p.Name == "" || strings.ContainsAny(p.Name, " ") {
		return "", Package{}, fmt.Errorf("bad package name %q", p.Name)
	}
	if status == "ii " && p.Version == "" {
		return "", Package{}, fmt.Errorf("installed package %s has no version", p.Name)
	}
	return status, p, nil
}

// validDpkgStatus checks ${db:Status-Abbrev}: desired action
// (unknown/install/hold/remove/purge), package state (not-installed,
// config-files, half-installed, unpacked, half-configured, triggers-awaited,
// triggers-pending, installed) and error flag (none or reinst-required).
func validDpkgStatus(s string) bool {
	return len(s) == 3 &&
		strings.IndexByte("uihrp", s[0]) >= 0 &&
		strings.IndexByte("ncHUFWti", s[1]) >= 0 &&
		strings.IndexByte(" R", s[2]) >= 0
}

// ParseDpkgAudit parses the output of dpkg --audit: paragraphs separated by
// blank lines, each a message in column 0 ("The following packages are only
// half configured, ...") followed by indented lines naming one package and
// its short description. It returns one Problem per package line, with
// Package the package name and Detail the first sentence of the message.
// Empty output (a healthy database) gives no problems.
func ParseDpkgAudit(out string) []Problem {
	var (
		probs  []Problem
		header []string
		inPkgs bool // the current paragraph's package lines have started
	)
	for _, l := range lines(out) {
		switch {
		case strings.TrimSpace(l) == "":
			header, inPkgs = nil, false
		case l[0] == ' ' || l[0] == '\t':
			inPkgs = true
			name := strings.Fields(l)[0]
			probs = append(probs, Problem{Package: name, Detail: auditDetail(header)})
		default:
			if inPkgs { // a new message without a blank line before it
				header, inPkgs = nil, false
			}
			header = append(header, strings.TrimSpace(l))
		}
	}
	return probs
}

// auditDetail reduces a dpkg --audit message to its first sentence.
func auditDetail(header []string) string {
	s := strings.Join(header, " ")
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	s = strings.TrimSuffix(s, ":")
	if s == "" {
		return "reported by dpkg --audit"
	}
	return s
}
