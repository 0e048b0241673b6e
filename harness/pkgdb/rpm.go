package pkgdb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/imagegate/imagegate/harness/remote"
)

// Commands run by the rpm Manager.
const (
	// RPMQueryCommand lists the installed packages. %{EPOCHNUM} prints 0
	// for a package without an epoch.
	RPMQueryCommand = `LC_ALL=C rpm -qa --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\n'`
	// RPMDBCheckCommand reads every header of the database and throws the
	// list away: it fails, or prints "error:" lines, when the database is
	// damaged. It needs no root.
	RPMDBCheckCommand = `LC_ALL=C rpm -qa >/dev/null`
	// RPMVerifyCommand verifies every package's dependencies and files
	// (size, mode, owner, group, mtime, symlink target, device, capabilities)
	// against the database. It skips file digests (--nofiledigest), the
	// slow part, and packages' %verify scripts (--noscripts), which run
	// arbitrary code. It needs root to read files such as /etc/sudoers, so
	// it runs through sudo -n, which fails rather than prompts.
	RPMVerifyCommand = `sudo -n env LC_ALL=C rpm -Va --nofiledigest --noscripts`
)

// gpgPubkey is the name of the pseudo-packages that hold the OpenPGP keys
// rpm trusts. They are keys, not software (no files, arch "(none)", one
// per key under the same name), so ParseRPMQuery leaves them out.
const gpgPubkey = "gpg-pubkey"

// NewRPM returns the Manager for rpm-based guests.
func NewRPM(r remote.Runner) Manager { return rpmManager{r: r} }

type rpmManager struct{ r remote.Runner }

func (rpmManager) Name() string { return "rpm" }

func (m rpmManager) Installed(ctx context.Context) ([]Package, error) {
	res, err := remote.Check(ctx, m.r, RPMQueryCommand)
	if err != nil {
		return nil, fmt.Errorf("rpm: list installed packages: %w", err)
	}
	pkgs, err := ParseRPMQuery(res.Stdout)
	if err != nil {
		return nil, fmt.Errorf("rpm: %s: %w", RPMQueryCommand, err)
	}
	return pkgs, nil
}

// Audit first reads the whole database (RPMDBCheckCommand): failing to is an
// error, and "error:" lines it prints are problems of package "rpmdb". Then
// it verifies packages (RPMVerifyCommand), which exits non-zero whenever it
// prints a finding; a non-zero exit that printed nothing on standard output
// (sudo refused, database unreadable) is an error.
func (m rpmManager) Audit(ctx context.Context) ([]Problem, error) {
	res, err := remote.Check(ctx, m.r, RPMDBCheckCommand)
	if err != nil {
		return nil, fmt.Errorf("rpm: audit: read database: %w", err)
	}
	probs := rpmDBErrors(res.Stderr)

	res, err = m.r.Run(ctx, RPMVerifyCommand)
	if err != nil {
		return nil, fmt.Errorf("rpm: audit: run %q: %w", RPMVerifyCommand, err)
	}
	if !res.OK() && strings.TrimSpace(res.Stdout) == "" {
		return nil, fmt.Errorf("rpm: audit: verify: command failed:\n%s", res)
	}
	return append(probs, ParseRPMVerify(res.Stdout)...), nil
}

// rpmDBErrors turns the "error: ..." lines rpm prints while reading a
// damaged database (e.g. "error: rpmdbNextIterator: skipping h# 12 blob
// size(4404): BAD, 8 + 16 * il(70) + dl(3360)") into problems.
func rpmDBErrors(stderr string) []Problem {
	var probs []Problem
	for _, l := range lines(stderr) {
		if strings.HasPrefix(l, "error:") {
			probs = append(probs, Problem{Package: "rpmdb", Detail: l})
		}
	}
	return probs
}

// ParseRPMQuery parses the output of RPMQueryCommand: one line per package,
// "NAME\tEPOCH:VERSION-RELEASE\tARCH". The version is rendered as rpm
// displays it, without the epoch when it is 0 ("1.2-3", "1:3.0.7-27.el9").
// gpg-pubkey pseudo-packages are left out (see gpgPubkey). The result is
// sorted by name, then architecture; several versions of one package (such
// as kernel-core) keep rpm's order. Empty output, or a line that is not in
// this form, is an error naming the line.
func ParseRPMQuery(out string) ([]Package, error) {
	ls := lines(out)
	if len(ls) == 0 {
		return nil, errors.New("rpm printed no packages")
	}
	var pkgs []Package
	for i, l := range ls {
		if strings.TrimSpace(l) == "" {
			continue
		}
		p, err := parseRPMLine(l)
		if err != nil {
			return nil, fmt.Errorf("line %d %q: %w", i+1, l, err)
		}
		if p.Name != gpgPubkey {
			pkgs = append(pkgs, p)
		}
	}
	sortPackages(pkgs)
	return pkgs, nil
}

func parseRPMLine(l string) (Package, error) {
	f := strings.Split(l, "\t")
	if len(f) != 3 {
		return Package{}, fmt.Errorf("want 3 tab-separated fields (name, epoch:version-release, arch), got %d", len(f))
	}
	name, evr, arch := f[0], f[1], f[2]
	if name == "" || strings.ContainsAny(name, " ") {
		return Package{}, fmt.Errorf("bad package name %q", name)
	}
	if arch == "" {
		return Package{}, fmt.Errorf("package %s has no architecture", name)
	}
	v, err := rpmVersion(evr)
	if err != nil {
		return Package{}, fmt.Errorf("package %s: %w", name, err)
	}
	return Package{Name: name, Version: v, Arch: arch}, nil
}

// rpmVersion turns "E:V-R" into rpm's display form: "V-R" when E is 0 (or
// "(none)", as %{EPOCH} prints it), else "E:V-R".
func rpmVersion(evr string) (string, error) {
	epoch, vr, ok := strings.Cut(evr, ":")
	if !ok {
		return "", fmt.Errorf("version %q: want epoch:version-release", evr)
	}
	if epoch != "(none)" && !isDigits(epoch) {
		return "", fmt.Errorf("version %q: epoch %q is not a number", evr, epoch)
	}
	v, r, ok := strings.Cut(vr, "-")
	if !ok || v == "" || r == "" {
		return "", fmt.Errorf("version %q: want epoch:version-release", evr)
	}
	if epoch == "0" || epoch == "(none)" {
		return vr, nil
	}
	return evr, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ParseRPMVerify parses the output of rpm -V: lines such as
//
//	S.5....T.  c /etc/ssh/sshd_config
//	.M.......    /usr/bin/ping
//	missing     /usr/bin/cloud-init
//	missing   c /etc/foo.conf
//	Unsatisfied dependencies for cloud-init-23.4-7.el9_4.noarch:
//		python3-pyserial is needed by (installed) cloud-init-23.4-7.el9_4.noarch
//
// A file line is a problem unless the file is a configuration file (marked
// "c"), which admins and cloud-init are expected to change; its Detail is the
// line and its Package is empty, since rpm -V does not say which package owns
// the file. Each unsatisfied dependency is a problem of the package that
// needs it, named by its package name. Any other non-blank line is reported
// as a problem as it is, so nothing rpm says goes unseen.
func ParseRPMVerify(out string) []Problem {
	var (
		probs []Problem
		pkg   string // package of the dependency lines that follow
	)
	for _, l := range lines(out) {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if nevra, ok := strings.CutPrefix(l, "Unsatisfied dependencies for "); ok {
			pkg = rpmNameFromNEVRA(strings.TrimSuffix(nevra, ":"))
			continue
		}
		if l[0] == '\t' && pkg != "" {
			probs = append(probs, Problem{Package: pkg, Detail: strings.TrimSpace(l)})
			continue
		}
		pkg = ""
		if attr, ok := verifyFileAttr(l); ok {
			if attr != 'c' {
				probs = append(probs, Problem{Detail: l})
			}
			continue
		}
		probs = append(probs, Problem{Detail: l})
	}
	return probs
}

// verifyFileAttr recognises a file line of rpm -V ("RESULTS  A /path" or
// "missing   A /path", A being the file attribute: c config, d doc, g ghost,
// l license, r readme, a artifact, or a space) and returns its attribute.
func verifyFileAttr(l string) (byte, bool) {
	tok, rest, ok := strings.Cut(l, " ")
	if !ok || !(tok == "missing" || isVerifyResult(tok)) {
		return 0, false
	}
	rest = strings.TrimLeft(rest, " ")
	if strings.HasPrefix(rest, "/") {
		return ' ', true
	}
	if len(rest) >= 3 && rest[1] == ' ' && strings.HasPrefix(strings.TrimLeft(rest[2:], " "), "/") {
		return rest[0], true
	}
	return 0, false
}

// isVerifyResult recognises the result column: one character per test
// (S size, M mode, 5 digest, D device, L link, U user, G group, T mtime,
// P capabilities), each the letter when it failed, "." when it passed and
// "?" when it could not be done; 8 characters before rpm 4.6 added P.
func isVerifyResult(s string) bool {
	const tests = "SM5DLUGTP"
	if len(s) != len(tests) && len(s) != len(tests)-1 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; c != '.' && c != '?' && c != tests[i] {
			return false
		}
	}
	return true
}

// rpmNameFromNEVRA drops "-VERSION-RELEASE.ARCH" from a NEVRA such as
// "cloud-init-23.4-7.el9_4.noarch", leaving "cloud-init". A string with
// fewer than two dashes is returned as it is.
func rpmNameFromNEVRA(nevra string) string {
	s := nevra
	for range 2 {
		i := strings.LastIndexByte(s, '-')
		if i <= 0 {
			return nevra
		}
		s = s[:i]
	}
	return s
}
