package pkgdb

import (
	"slices"
	"testing"
)

func TestParseDpkgQueryRecorded(t *testing.T) {
	// Recorded on Debian 12 with dpkg 1.21.22; includes one package removed
	// with its configuration left (rc), one unpacked (iU), one half
	// configured (iF) and one needing reinstallation (iHR).
	pkgs, err := ParseDpkgQuery(readTestdata(t, "dpkg-query.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 42 {
		t.Errorf("got %d installed packages, want 42 (46 lines, 4 not \"ii \")", len(pkgs))
	}
	if !isSortedByName(pkgs) {
		t.Errorf("not sorted by name: %v", names(pkgs))
	}
	tests := []struct {
		name string
		want Package
		ok   bool
	}{
		{"bash", Package{"bash", "5.2.15-2+b8", "amd64"}, true},
		{"dpkg", Package{"dpkg", "1.21.22", "amd64"}, true},
		{"bsdutils", Package{"bsdutils", "1:2.38.1-5+deb12u3", "amd64"}, true}, // epoch kept as printed
		{"adduser", Package{"adduser", "3.134", "all"}, true},
		{"libstdc++6", Package{"libstdc++6", "12.2.0-14+deb12u1", "amd64"}, true},
		{"nano", Package{}, false},            // rc
		{"pkgdb-unpacked", Package{}, false},  // iU
		{"pkgdb-halfconf", Package{}, false},  // iF
		{"pkgdb-reinstreq", Package{}, false}, // iHR
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Find(pkgs, tt.name)
			if ok != tt.ok || got != tt.want {
				t.Errorf("Find(%q) = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseDpkgQuery(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Package
		wantErr []string // substrings of the error; nil for success
	}{
		{
			name: "sorted and filtered",
			in: "ii \tzlib1g\t1:1.2.13.dfsg-1\tamd64\n" +
				"rc \tnano\t7.2-1+deb12u1\tamd64\n" +
				"ii \tadduser\t3.134\tall\n",
			want: []Package{{"adduser", "3.134", "all"}, {"zlib1g", "1:1.2.13.dfsg-1", "amd64"}},
		},
		{
			name: "no trailing newline, CRLF",
			in:   "ii \tbash\t5.2.15-2+b8\tamd64\r\nii \tdash\t0.5.12-2\tamd64",
			want: []Package{{"bash", "5.2.15-2+b8", "amd64"}, {"dash", "0.5.12-2", "amd64"}},
		},
		{
			name: "held package is not installed in state ii",
			in:   "hi \tbash\t5.2.15-2+b8\tamd64\nii \tdash\t0.5.12-2\tamd64\n",
			want: []Package{{"dash", "0.5.12-2", "amd64"}},
		},
		{
			name: "only removed packages",
			in:   "rc \tnano\t7.2-1+deb12u1\tamd64\n",
			want: nil,
		},
		{name: "empty", in: "", wantErr: []string{"no packages"}},
		{name: "only newline", in: "\n", wantErr: []string{"no packages"}},
		{
			name:    "three fields",
			in:      "ii \tbash\t5.2.15-2+b8\tamd64\nii \tdash\t0.5.12-2\n",
			wantErr: []string{"line 2", "want 4", "got 3"},
		},
		{
			name:    "five fields",
			in:      "ii \tbash\t5.2.15-2+b8\tamd64\textra\n",
			wantErr: []string{"line 1", "got 5"},
		},
		{
			name:    "spaces instead of tabs (dpkg -l style)",
			in:      "ii  bash  5.2.15-2+b8  amd64  GNU Bourne Again SHell\n",
			wantErr: []string{"line 1", "got 1"},
		},
		{
			name:    "status without trailing space",
			in:      "ii \tbash\t5.2.15-2+b8\tamd64\nii\tdash\t0.5.12-2\tamd64\n",
			wantErr: []string{"line 2", "bad status"},
		},
		{
			name:    "unknown status letter",
			in:      "iX \tbash\t5.2.15-2+b8\tamd64\n",
			wantErr: []string{"line 1", "bad status"},
		},
		{
			name:    "missing name",
			in:      "ii \t\t5.2.15-2+b8\tamd64\n",
			wantErr: []string{"line 1", "bad package name"},
		},
		{
			name:    "installed without version",
			in:      "ii \tbash\t\tamd64\n",
			wantErr: []string{"line 1", "no version"},
		},
		{
			name:    "banner before output",
			in:      "Welcome to Ubuntu\nii \tbash\t5.2.15-2+b8\tamd64\n",
			wantErr: []string{"line 1", "Welcome"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDpkgQuery(tt.in)
			if tt.wantErr != nil {
				wantErrContains(t, err, tt.wantErr...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseDpkgAudit(t *testing.T) {
	const (
		mess     = "The following packages are in a mess due to serious problems during installation."
		unpacked = "The following packages have been unpacked but not yet configured."
		halfConf = "The following packages are only half configured, probably due to problems configuring them the first time."
		noList   = "The following packages are missing the list control file in the database, they need to be reinstalled"
		noMD5    = "The following packages are missing the md5sums control file in the database, they need to be reinstalled"
	)
	tests := []struct {
		name string
		in   string
		want []Problem
	}{
		{name: "recorded clean", in: readTestdata(t, "dpkg-audit-clean.txt"), want: nil},
		{
			// Recorded with dpkg 1.21.22 after leaving test packages
			// unpacked, half configured and half installed.
			name: "recorded broken",
			in:   readTestdata(t, "dpkg-audit-broken.txt"),
			want: []Problem{
				{"pkgdb-reinstreq", mess},
				{"pkgdb-unpacked", unpacked},
				{"pkgdb-halfconf", halfConf},
				{"pkgdb-reinstreq", noList},
				{"pkgdb-reinstreq", noMD5},
			},
		},
		{
			name: "two packages, multi-arch qualifier, no final blank line",
			in: "The following packages are only half configured, probably due to problems\n" +
				"configuring them the first time.  The configuration should be retried using\n" +
				"dpkg --configure <package> or the configure menu option in dselect:\n" +
				" linux-image-6.1.0-18-amd64 Linux 6.1 for 64-bit PCs (signed)\n" +
				" libc6:i386           GNU C Library: Shared libraries\n" +
				"The following packages have been unpacked but not yet configured.\n" +
				"They must be configured using dpkg --configure or the configure\n" +
				"menu option in dselect for them to work:\n" +
				" openssh-server       secure shell (SSH) server, for secure access from remote machines",
			want: []Problem{
				{"linux-image-6.1.0-18-amd64", halfConf},
				{"libc6:i386", halfConf},
				{"openssh-server", unpacked},
			},
		},
		{
			name: "package line without a message",
			in:   " foo                  something\n",
			want: []Problem{{"foo", "reported by dpkg --audit"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseDpkgAudit(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
