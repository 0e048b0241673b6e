package pkgdb

import (
	"context"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/remote"
)

// Recorded from a Debian 12 cloud image: deb822 sources with a disabled
// stanza and a one-line list with options.
const aptSources = `==> /etc/apt/sources.list.d/debian.sources
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://example.invalid/disabled
Suites: sid
Enabled: no
==> /etc/apt/sources.list.d/extra.list
# a comment
deb [arch=amd64 signed-by=/usr/share/keyrings/extra.gpg] https://repo.example.invalid/apt stable main
deb-src https://repo.example.invalid/apt stable main
`

// Recorded format of a RHEL 9 style .repo file.
const yumRepos = `==> /etc/yum.repos.d/redhat.repo
[rhel-9-baseos]
name = Red Hat Enterprise Linux 9 BaseOS
baseurl = https://cdn.redhat.example/content/dist/rhel9/$basearch/baseos/os
enabled = 1
gpgcheck = 1

[rhel-9-debug]
name = debug
baseurl = https://cdn.redhat.example/debug
enabled = 0
==> /etc/yum.repos.d/epel.repo
[epel]
metalink=https://mirrors.fedoraproject.example/metalink?repo=epel-9&arch=$basearch
`

func TestParseAptSources(t *testing.T) {
	got := strings.Join(ParseAptSources(aptSources), "|")
	want := "http://deb.debian.org/debian bookworm|http://deb.debian.org/debian bookworm-updates|http://deb.debian.org/debian-security bookworm-security|https://repo.example.invalid/apt stable"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestParseYumRepos(t *testing.T) {
	got := strings.Join(ParseYumRepos(yumRepos), "|")
	want := "rhel-9-baseos https://cdn.redhat.example/content/dist/rhel9/$basearch/baseos/os|epel https://mirrors.fedoraproject.example/metalink?repo=epel-9&arch=$basearch"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestSigningKeys(t *testing.T) {
	r := &fakeRunner{results: map[string]remote.Result{
		AptKeysCommand: {Stdout: "/usr/share/keyrings/debian-archive-keyring.gpg\n/usr/share/keyrings/debian-archive-keyring.gpg\n/etc/apt/trusted.gpg.d/x.gpg\n"},
	}}
	keys, err := SigningKeys(context.Background(), r, "dpkg")
	if err != nil || len(keys) != 2 || keys[0] != "/etc/apt/trusted.gpg.d/x.gpg" {
		t.Errorf("keys %v %v", keys, err)
	}
	if _, err := Repositories(context.Background(), &fakeRunner{results: map[string]remote.Result{YumReposCommand: {ExitStatus: 1, Stderr: "boom"}}}, "rpm"); err == nil {
		t.Error("a failing command gave no error")
	}
}
