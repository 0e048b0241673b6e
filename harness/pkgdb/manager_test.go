package pkgdb

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/imagegate/imagegate/harness/remote"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name     string
		probe    remote.Result
		probeErr error
		want     string   // Manager.Name(); "" when an error is expected
		wantErr  []string // substrings of the error
	}{
		{name: "debian", probe: ok("tool:dpkg-query\ndb:dpkg\n"), want: "dpkg"},
		{name: "fedora sysimage", probe: ok("tool:rpm\ndb:rpm\n"), want: "rpm"},
		{name: "rpm db found twice", probe: ok("tool:rpm\ndb:rpm\ndb:rpm\n"), want: "rpm"},
		{name: "debian with rpm tool and db", probe: ok("tool:dpkg-query\ntool:rpm\ndb:dpkg\ndb:rpm\n"), want: "dpkg"},
		{name: "rpm distro with stray dpkg-query", probe: ok("tool:dpkg-query\ntool:rpm\ndb:rpm\n"), want: "rpm"},
		{
			name:    "nothing",
			probe:   ok(""),
			wantErr: []string{"no package manager", "dpkg-query not on PATH", "/var/lib/dpkg/status missing", "rpm not on PATH", "rpm database missing"},
		},
		{
			name:    "dpkg-query without status file",
			probe:   ok("tool:dpkg-query\n"),
			wantErr: []string{"no package manager", "dpkg-query on PATH", "/var/lib/dpkg/status missing"},
		},
		{
			name:    "rpm without database",
			probe:   ok("tool:rpm\n"),
			wantErr: []string{"rpm on PATH, rpm database missing"},
		},
		{
			name:    "probe fails",
			probe:   failed(127, "", "sh: 1: for: not found"),
			wantErr: []string{"detect", DetectCommand, "exit status 127", "for: not found"},
		},
		{
			name:     "connection lost",
			probeErr: errors.New("ssh: connection reset"),
			wantErr:  []string{"detect", "connection reset"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fakeRunner{results: map[string]remote.Result{DetectCommand: tt.probe}}
			if tt.probeErr != nil {
				r.errs = map[string]error{DetectCommand: tt.probeErr}
			}
			m, err := Detect(context.Background(), r)
			if tt.wantErr != nil {
				wantErrContains(t, err, tt.wantErr...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Name() != tt.want {
				t.Errorf("Detect chose %q, want %q", m.Name(), tt.want)
			}
		})
	}
}

func TestDetectNilRunner(t *testing.T) {
	_, err := Detect(context.Background(), nil)
	wantErrContains(t, err, "nil runner")
}

func TestInstalled(t *testing.T) {
	dpkgOut := readTestdata(t, "dpkg-query.txt")
	rpmOut := readTestdata(t, "rpm-qa-rhel9.txt")
	tests := []struct {
		name     string
		manager  func(remote.Runner) Manager
		results  map[string]remote.Result
		errs     map[string]error
		wantLen  int
		wantFind Package
		wantErr  []string
	}{
		{
			name:     "dpkg",
			manager:  NewDpkg,
			results:  map[string]remote.Result{DpkgQueryCommand: ok(dpkgOut)},
			wantLen:  42,
			wantFind: Package{"dpkg", "1.21.22", "amd64"},
		},
		{
			name:     "rpm",
			manager:  NewRPM,
			results:  map[string]remote.Result{RPMQueryCommand: ok(rpmOut)},
			wantLen:  31,
			wantFind: Package{"openssl", "1:3.0.7-27.el9", "x86_64"},
		},
		{
			name:    "dpkg-query fails",
			manager: NewDpkg,
			results: map[string]remote.Result{DpkgQueryCommand: failed(2, "", "dpkg-query: error: parsing file '/var/lib/dpkg/status' near line 5")},
			wantErr: []string{"dpkg", DpkgQueryCommand, "exit status 2", "parsing file '/var/lib/dpkg/status'"},
		},
		{
			name:    "rpm fails",
			manager: NewRPM,
			results: map[string]remote.Result{RPMQueryCommand: failed(1, "", readTestdata(t, "rpm-qa-corrupt-db.stderr"))},
			wantErr: []string{"rpm", RPMQueryCommand, "exit status 1", "cannot open Packages database in /var/lib/rpm"},
		},
		{
			name:    "dpkg malformed output",
			manager: NewDpkg,
			results: map[string]remote.Result{DpkgQueryCommand: ok("ii \tbash\t5.2\tamd64\ngarbage\n")},
			wantErr: []string{"dpkg", "line 2", "garbage"},
		},
		{
			name:    "rpm empty output",
			manager: NewRPM,
			results: map[string]remote.Result{RPMQueryCommand: ok("")},
			wantErr: []string{"rpm", "no packages"},
		},
		{
			name:    "runner error",
			manager: NewRPM,
			errs:    map[string]error{RPMQueryCommand: context.DeadlineExceeded},
			wantErr: []string{"rpm", "deadline exceeded"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fakeRunner{results: tt.results, errs: tt.errs}
			pkgs, err := tt.manager(r).Installed(context.Background())
			if tt.wantErr != nil {
				wantErrContains(t, err, tt.wantErr...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(pkgs) != tt.wantLen {
				t.Errorf("got %d packages, want %d", len(pkgs), tt.wantLen)
			}
			if got, _ := Find(pkgs, tt.wantFind.Name); got != tt.wantFind {
				t.Errorf("Find(%q) = %v, want %v", tt.wantFind.Name, got, tt.wantFind)
			}
			if !isSortedByName(pkgs) {
				t.Errorf("not sorted by name: %v", names(pkgs))
			}
		})
	}
}

func TestAudit(t *testing.T) {
	brokenAudit := readTestdata(t, "dpkg-audit-broken.txt")
	rpmVerify := readTestdata(t, "rpm-va-recorded.txt")
	tests := []struct {
		name         string
		manager      func(remote.Runner) Manager
		results      map[string]remote.Result
		errs         map[string]error
		wantPackages []string // Package of each problem, in order
		wantErr      []string
		wantRan      []string // commands run, when checked
	}{
		{
			name:    "dpkg clean",
			manager: NewDpkg,
			results: map[string]remote.Result{DpkgAuditCommand: ok(""), DpkgVerifyCommand: ok("")},
			wantRan: []string{DpkgAuditCommand, DpkgVerifyCommand},
		},
		{
			name:         "dpkg broken, exit 0 (dpkg 1.21)",
			manager:      NewDpkg,
			results:      map[string]remote.Result{DpkgAuditCommand: ok(brokenAudit), DpkgVerifyCommand: ok("")},
			wantPackages: []string{"pkgdb-reinstreq", "pkgdb-unpacked", "pkgdb-halfconf", "pkgdb-reinstreq", "pkgdb-reinstreq"},
		},
		{
			name:         "dpkg broken, exit 1 (check returned false)",
			manager:      NewDpkg,
			results:      map[string]remote.Result{DpkgAuditCommand: failed(1, brokenAudit, ""), DpkgVerifyCommand: ok("")},
			wantPackages: []string{"pkgdb-reinstreq", "pkgdb-unpacked", "pkgdb-halfconf", "pkgdb-reinstreq", "pkgdb-reinstreq"},
		},
		{
			name:    "dpkg verify: changed binary is a problem, changed conffile is not",
			manager: NewDpkg,
			results: map[string]remote.Result{DpkgAuditCommand: ok(""),
				DpkgVerifyCommand: failed(1, "??5??????   /usr/bin/ssh\n??5?????? c /etc/ssh/ssh_config\nmissing     /usr/bin/scp\n"+
					"missing     /usr/share/doc/bash/NEWS.gz\nmissing     /usr/share/man/man1\nmissing     /usr/share/doc/bash/copyright\n"+
					dpkgFilterMarker+"\npath-exclude=/usr/share/man/*\npath-exclude=/usr/share/doc/*\npath-include=/usr/share/doc/*/copyright\n", "")},
			wantPackages: []string{"", "", ""}, // ssh changed, scp missing, an included copyright missing
		},
		{
			// The path filters follow dpkg's report whatever dpkg did: a
			// dpkg that could not verify must not read as "nothing found".
			name:    "dpkg verify that could not run",
			manager: NewDpkg,
			results: map[string]remote.Result{DpkgAuditCommand: ok(""),
				DpkgVerifyCommand: failed(2, dpkgFilterMarker+"\npath-exclude=/usr/share/doc/*\n", "dpkg: error: dpkg frontend lock was locked by another process")},
			wantErr: []string{"dpkg: verify: command failed", "exit status 2", "frontend lock"},
		},
		{
			name:    "dpkg verify exit 1 with nothing reported",
			manager: NewDpkg,
			results: map[string]remote.Result{DpkgAuditCommand: ok(""),
				DpkgVerifyCommand: failed(1, dpkgFilterMarker+"\n", "sudo: a password is required")},
			wantErr: []string{"dpkg: verify: command failed", "sudo: a password is required"},
		},
		{
			name:    "dpkg exit 1 without report",
			manager: NewDpkg,
			results: map[string]remote.Result{DpkgAuditCommand: failed(1, "", "dpkg: error: something")},
			wantErr: []string{"dpkg", DpkgAuditCommand, "exit status 1", "dpkg: error: something"},
		},
		{
			name:    "dpkg fatal error",
			manager: NewDpkg,
			results: map[string]remote.Result{DpkgAuditCommand: failed(2, "partial\n", "dpkg: error: parsing file '/var/lib/dpkg/status' near line 12")},
			wantErr: []string{"dpkg", DpkgAuditCommand, "exit status 2", "parsing file"},
		},
		{
			name:    "rpm clean",
			manager: NewRPM,
			results: map[string]remote.Result{RPMDBCheckCommand: ok(""), RPMVerifyCommand: ok("")},
			wantRan: []string{RPMDBCheckCommand, RPMVerifyCommand},
		},
		{
			name:    "rpm only config changes, exit 1",
			manager: NewRPM,
			results: map[string]remote.Result{
				RPMDBCheckCommand: ok(""),
				RPMVerifyCommand:  failed(1, "S.5....T.  c /etc/ssh/sshd_config\n", ""),
			},
		},
		{
			name:    "rpm verify findings",
			manager: NewRPM,
			results: map[string]remote.Result{
				RPMDBCheckCommand: ok(""),
				RPMVerifyCommand:  failed(2, rpmVerify, ""),
			},
			wantPackages: []string{"pkgdb-dep", "", "", "", ""},
		},
		{
			name:    "rpm database read errors are problems",
			manager: NewRPM,
			results: map[string]remote.Result{
				RPMDBCheckCommand: {Stderr: "error: rpmdbNextIterator: skipping h#     123 blob size(4404): BAD, 8 + 16 * il(70) + dl(3360)\n"},
				RPMVerifyCommand:  ok(""),
			},
			wantPackages: []string{"rpmdb"},
		},
		{
			name:    "rpm database unreadable",
			manager: NewRPM,
			results: map[string]remote.Result{
				RPMDBCheckCommand: failed(1, "", readTestdata(t, "rpm-qa-corrupt-db.stderr")),
			},
			wantErr: []string{"rpm", "read database", RPMDBCheckCommand, "exit status 1", "cannot open Packages database"},
			wantRan: []string{RPMDBCheckCommand},
		},
		{
			name:    "sudo refuses",
			manager: NewRPM,
			results: map[string]remote.Result{
				RPMDBCheckCommand: ok(""),
				RPMVerifyCommand:  failed(1, "", "sudo: a password is required\n"),
			},
			wantErr: []string{"rpm", "verify", RPMVerifyCommand, "exit status 1", "sudo: a password is required"},
		},
		{
			name:    "rpm runner error",
			manager: NewRPM,
			results: map[string]remote.Result{RPMDBCheckCommand: ok("")},
			errs:    map[string]error{RPMVerifyCommand: errors.New("ssh: session closed")},
			wantErr: []string{"rpm", RPMVerifyCommand, "session closed"},
		},
		{
			name:    "dpkg runner error",
			manager: NewDpkg,
			errs:    map[string]error{DpkgAuditCommand: context.Canceled},
			wantErr: []string{"dpkg", DpkgAuditCommand, "context canceled"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fakeRunner{results: tt.results, errs: tt.errs}
			probs, err := tt.manager(r).Audit(context.Background())
			if tt.wantRan != nil && !slices.Equal(r.commands(), tt.wantRan) {
				t.Errorf("ran %q, want %q", r.commands(), tt.wantRan)
			}
			if tt.wantErr != nil {
				wantErrContains(t, err, tt.wantErr...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range probs {
				got = append(got, p.Package)
			}
			if !slices.Equal(got, tt.wantPackages) {
				t.Errorf("problems %q: packages %q, want %q", probs, got, tt.wantPackages)
			}
		})
	}
}

func TestFind(t *testing.T) {
	pkgs := []Package{
		{"bash", "5.2.15-2+b8", "amd64"},
		{"linux-image-6.1.0-18-amd64", "6.1.76-1", "amd64"},
		{"linux-image-6.1.0-21-amd64", "6.1.90-1", "amd64"},
		{"linux-image-amd64", "6.1.90-1", "amd64"},
		{"linux-libc-dev", "6.1.90-1", "amd64"},
	}
	if p, ok := Find(pkgs, "bash"); !ok || p.Version != "5.2.15-2+b8" {
		t.Errorf("Find(bash) = %v, %v", p, ok)
	}
	if p, ok := Find(pkgs, "bas"); ok {
		t.Errorf("Find(bas) = %v, want not found", p)
	}
	if _, ok := Find(nil, "bash"); ok {
		t.Error("Find in nil found something")
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"linux-image-", []string{"linux-image-6.1.0-18-amd64", "linux-image-6.1.0-21-amd64", "linux-image-amd64"}},
		{"linux-", []string{"linux-image-6.1.0-18-amd64", "linux-image-6.1.0-21-amd64", "linux-image-amd64", "linux-libc-dev"}},
		{"kernel-core", nil},
		{"", []string{"bash", "linux-image-6.1.0-18-amd64", "linux-image-6.1.0-21-amd64", "linux-image-amd64", "linux-libc-dev"}},
	}
	for _, tt := range tests {
		if got := names(FindPrefix(pkgs, tt.prefix)); !slices.Equal(got, tt.want) {
			t.Errorf("FindPrefix(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
}

func TestStrings(t *testing.T) {
	if got := (Package{"bash", "5.2", "amd64"}).String(); got != "bash=5.2/amd64" {
		t.Errorf("Package.String() = %q", got)
	}
	if got := (Problem{"foo", "half configured"}).String(); got != "foo: half configured" {
		t.Errorf("Problem.String() = %q", got)
	}
	if got := (Problem{Detail: "missing     /usr/bin/x"}).String(); got != "missing     /usr/bin/x" {
		t.Errorf("Problem.String() = %q", got)
	}
}

func TestSummary(t *testing.T) {
	one := []Problem{{Detail: "??5?????? /usr/share/common-licenses/Apache-2.0"}}
	if got, want := Summary(one), "1 package database problem: ??5?????? /usr/share/common-licenses/Apache-2.0"; got != want {
		t.Errorf("Summary(one) = %q, want %q", got, want)
	}
	many := []Problem{{Package: "a", Detail: "x"}, {Package: "b", Detail: "y"}, {Package: "c", Detail: "z"}, {Package: "d", Detail: "w"}}
	if got, want := Summary(many), "4 package database problems: a: x; b: y; c: z; and 1 more"; got != want {
		t.Errorf("Summary(many) = %q, want %q", got, want)
	}
}
