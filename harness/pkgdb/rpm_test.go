package pkgdb

import (
	"slices"
	"testing"
)

func TestParseRPMQueryRecorded(t *testing.T) {
	tests := []struct {
		file string
		want []Package // the whole expected result, in order
	}{
		{
			// Recorded with rpm 4.18 from a scratch database holding two
			// test packages and one imported key.
			file: "rpm-qa-recorded.txt",
			want: []Package{
				{"pkgdb-demo", "3:1.2-4.fc40", "noarch"},
				{"pkgdb-dep", "0.9-1.fc40", "x86_64"},
			},
		},
		{
			// Written in rpm's format after a RHEL 9 cloud image: epochs,
			// noarch, multilib i686 twins, two kernels, two gpg-pubkeys.
			file: "rpm-qa-rhel9.txt",
			want: []Package{
				{"NetworkManager", "1:1.46.0-4.el9_4", "x86_64"},
				{"basesystem", "11-13.el9", "noarch"},
				{"bash", "5.1.8-9.el9", "x86_64"},
				{"cloud-init", "23.4-7.el9_4", "noarch"},
				{"coreutils", "8.32-35.el9", "x86_64"},
				{"dbus", "1:1.12.20-8.el9", "x86_64"},
				{"dhcp-client", "12:4.4.2-19.b1.el9", "x86_64"},
				{"dnf", "4.14.0-9.el9", "noarch"},
				{"filesystem", "3.16-2.el9", "x86_64"},
				{"glibc", "2.34-100.el9_4.2", "i686"},
				{"glibc", "2.34-100.el9_4.2", "x86_64"},
				{"grub2-common", "1:2.06-77.el9", "noarch"},
				{"grub2-pc", "1:2.06-77.el9", "x86_64"},
				{"kernel", "5.14.0-427.13.1.el9_4", "x86_64"},
				{"kernel-core", "5.14.0-362.8.1.el9_3", "x86_64"},
				{"kernel-core", "5.14.0-427.13.1.el9_4", "x86_64"},
				{"kernel-modules-core", "5.14.0-362.8.1.el9_3", "x86_64"},
				{"kernel-modules-core", "5.14.0-427.13.1.el9_4", "x86_64"},
				{"libgcc", "11.4.1-3.el9", "i686"},
				{"libgcc", "11.4.1-3.el9", "x86_64"},
				{"openssh-server", "8.7p1-38.el9", "x86_64"},
				{"openssl", "1:3.0.7-27.el9", "x86_64"},
				{"openssl-libs", "1:3.0.7-27.el9", "x86_64"},
				{"perl-libs", "4:5.32.1-481.el9", "x86_64"},
				{"python3-dnf", "4.14.0-9.el9", "noarch"},
				{"rpm", "4.16.1.3-29.el9", "x86_64"},
				{"setup", "2.13.7-10.el9", "noarch"},
				{"shadow-utils", "2:4.9-8.el9", "x86_64"},
				{"sudo", "1.9.5p2-10.el9_3", "x86_64"},
				{"systemd", "252-32.el9_4", "x86_64"},
				{"tzdata", "2024a-1.el9", "noarch"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseRPMQuery(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n%v\nwant\n%v", got, tt.want)
			}
			if _, ok := Find(got, "gpg-pubkey"); ok {
				t.Error("gpg-pubkey pseudo-package was kept")
			}
		})
	}
}

func TestParseRPMQuery(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Package
		wantErr []string
	}{
		{
			name: "epoch 0 dropped, others kept",
			in:   "openssl\t1:3.0.7-27.el9\tx86_64\nbash\t0:5.1.8-9.el9\tx86_64\n",
			want: []Package{{"bash", "5.1.8-9.el9", "x86_64"}, {"openssl", "1:3.0.7-27.el9", "x86_64"}},
		},
		{
			name: "epoch printed as (none) by %{EPOCH}",
			in:   "bash\t(none):5.1.8-9.el9\tx86_64\n",
			want: []Package{{"bash", "5.1.8-9.el9", "x86_64"}},
		},
		{
			name: "release containing dashes is kept whole",
			in:   "foo\t0:1.0-1-2\tnoarch\n",
			want: []Package{{"foo", "1.0-1-2", "noarch"}},
		},
		{
			name: "only keys",
			in:   "gpg-pubkey\t0:fd431d51-4ae0493b\t(none)\n",
			want: nil,
		},
		{name: "empty", in: "", wantErr: []string{"no packages"}},
		{
			name:    "two fields",
			in:      "bash\t0:5.1.8-9.el9\tx86_64\nglibc\t0:2.34-100.el9\n",
			wantErr: []string{"line 2", "want 3", "got 2"},
		},
		{
			name:    "plain rpm -qa NEVRA",
			in:      "bash-5.1.8-9.el9.x86_64\n",
			wantErr: []string{"line 1", "got 1"},
		},
		{
			name:    "no epoch",
			in:      "bash\t5.1.8-9.el9\tx86_64\n",
			wantErr: []string{"line 1", "epoch:version-release"},
		},
		{
			name:    "non-numeric epoch",
			in:      "bash\tx:5.1.8-9.el9\tx86_64\n",
			wantErr: []string{"line 1", "not a number"},
		},
		{
			name:    "no release",
			in:      "bash\t0:5.1.8\tx86_64\n",
			wantErr: []string{"line 1", "epoch:version-release"},
		},
		{
			name:    "empty arch",
			in:      "bash\t0:5.1.8-9.el9\t\n",
			wantErr: []string{"line 1", "no architecture"},
		},
		{
			name:    "empty name",
			in:      "\t0:5.1.8-9.el9\tx86_64\n",
			wantErr: []string{"line 1", "bad package name"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRPMQuery(tt.in)
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

func TestParseRPMVerify(t *testing.T) {
	const dep = "libmissing.so.1()(64bit) is needed by (installed) pkgdb-dep-0.9-1.fc40.x86_64"
	tests := []struct {
		name string
		in   string
		want []Problem
	}{
		{name: "clean", in: "", want: nil},
		{
			// Recorded with rpm 4.18 -Va --nofiledigest --noscripts after
			// editing, chmod-ing, touching and deleting packaged files.
			name: "recorded",
			in:   readTestdata(t, "rpm-va-recorded.txt"),
			want: []Problem{
				{"pkgdb-dep", dep},
				{"", ".......T.    /usr/lib64/libdep.so.0"},
				{"", ".M.......    /usr/bin/pkgdb-demo"},
				{"", "S......T.    /usr/share/pkgdb-demo/data"},
				{"", "missing     /usr/share/pkgdb-demo/more"},
			},
		},
		{
			// Recorded with rpm 4.18 -Va (digests on), config file deleted.
			name: "recorded missing config",
			in:   readTestdata(t, "rpm-va-recorded-missing-config.txt"),
			want: []Problem{
				{"pkgdb-dep", dep},
				{"", ".......T.    /usr/lib64/libdep.so.0"},
				{"", ".M.......    /usr/bin/pkgdb-demo"},
				{"", "S.5....T.    /usr/share/pkgdb-demo/data"},
				{"", "missing     /usr/share/pkgdb-demo/more"},
			},
		},
		{
			name: "rhel9 format",
			in:   readTestdata(t, "rpm-va-rhel9.txt"),
			want: []Problem{
				{"", ".M....G..  g /var/log/lastlog"},
				{"", ".....UG..    /var/lib/chrony"},
				{"", "S.5....T.    /usr/lib/systemd/system/sshd.service"},
				{"", "missing     /usr/bin/cloud-init"},
				{"", "missing   d /usr/share/doc/bash/FAQ"},
				{"", "........P    /usr/bin/ping"},
				{"cloud-init", "python3-jsonschema is needed by (installed) cloud-init-23.4-7.el9_4.noarch"},
				{"cloud-init", "python3-pyserial is needed by (installed) cloud-init-23.4-7.el9_4.noarch"},
			},
		},
		{
			name: "not root: unknown results and permission errors",
			in: "..?......  c /etc/sudoers\n" +
				"..?......    /usr/libexec/openssh/ssh-keysign\n" +
				"missing     /var/lib/private/x (Permission denied)\n",
			want: []Problem{
				{"", "..?......    /usr/libexec/openssh/ssh-keysign"},
				{"", "missing     /var/lib/private/x (Permission denied)"},
			},
		},
		{
			name: "old rpm with 8 result columns, path with space",
			in:   "S.5....T  c /etc/yum.conf\n.M......    /opt/my app/run\n",
			want: []Problem{{"", ".M......    /opt/my app/run"}},
		},
		{
			name: "dependency block ends at the next line",
			in: "Unsatisfied dependencies for foo-1-1.noarch:\n" +
				"\tbar is needed by (installed) foo-1-1.noarch\n" +
				"\tstray tab line\n" +
				"S.5....T.    /usr/bin/foo\n" +
				"\tnot a dependency any more\n",
			want: []Problem{
				{"foo", "bar is needed by (installed) foo-1-1.noarch"},
				{"foo", "stray tab line"},
				{"", "S.5....T.    /usr/bin/foo"},
				{"", "\tnot a dependency any more"},
			},
		},
		{
			name: "unknown lines are kept",
			in:   "error: rpmdbNextIterator: skipping h#     123 blob size(4404): BAD\nXYZ.....  c /etc/x\n",
			want: []Problem{
				{"", "error: rpmdbNextIterator: skipping h#     123 blob size(4404): BAD"},
				{"", "XYZ.....  c /etc/x"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseRPMVerify(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestRPMNameFromNEVRA(t *testing.T) {
	for in, want := range map[string]string{
		"cloud-init-23.4-7.el9_4.noarch": "cloud-init",
		"pkgdb-dep-0.9-1.fc40.x86_64":    "pkgdb-dep",
		"bash-5.1.8-9.el9.x86_64":        "bash",
		"weird":                          "weird",
		"a-b":                            "a-b",
	} {
		if got := rpmNameFromNEVRA(in); got != want {
			t.Errorf("rpmNameFromNEVRA(%q) = %q, want %q", in, got, want)
		}
	}
}
