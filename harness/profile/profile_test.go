package profile

import (
	"strings"
	"testing"
)

const good = `family: debian
packages:
  required: [cloud-init, "openssh-server >= 1:9.2", "linux-image-*"]
  forbidden: [telnetd]
services:
  enabled: [ssh.service]
  disabled: [apt-daily-upgrade.timer]
sshd:
  password_authentication: false
  permit_root_login: prohibit-password
accounts:
  locked: [root]
repositories:
  required: [deb.debian.org/debian]
kernel:
  cmdline: ["console=${console}"]
security:
  mode: apparmor
filesystems:
  root_type: ext4
  root_grows: true
`

func TestParseGood(t *testing.T) {
	p, err := Parse("debian.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	r := p.Packages.Required[1]
	if r.Name != "openssh-server" || r.Op != ">=" || r.Version != "1:9.2" {
		t.Errorf("requirement %+v", r)
	}
	if pre, ok := p.Packages.Required[2].Prefix(); !ok || pre != "linux-image-" {
		t.Errorf("prefix %q %v", pre, ok)
	}
	if got := p.Cmdline("ttyAMA0"); got[0] != "console=ttyAMA0" {
		t.Errorf("cmdline %v", got)
	}
	if *p.SSHD.PasswordAuthentication || p.Security.Mode != "apparmor" || !*p.Filesystems.RootGrows {
		t.Errorf("profile %+v", p)
	}
}

func TestParseBadNamesFileLineKey(t *testing.T) {
	cases := []struct{ name, from, to, want string }{
		{"unknown key", "security:\n", "securty:\n", "securty"},
		{"unknown nested key", "  mode: apparmor", "  mode: apparmor\n  selinux: on", "selinux"},
		{"bad requirement", `"openssh-server >= 1:9.2"`, `"openssh-server ~= 9"`, "line 3: packages.required[1]"},
		{"bad unit", "[ssh.service]", "[ssh]", "line 6: services.enabled[0]"},
		{"bad security", "mode: apparmor", "mode: enforcing", "line 18: security.mode"},
		{"bad root login", "permit_root_login: prohibit-password", "permit_root_login: maybe", "line 10: sshd.permit_root_login"},
		{"bad bool", "password_authentication: false", "password_authentication: perhaps", "line 9: sshd.password_authentication"},
		{"bad cmdline", `["console=${console}"]`, `["console=ttyS0 quiet"]`, "line 16: kernel.cmdline[0]"},
		{"bad family", "family: debian", "family: Debian!", "line 1: family"},
		{"bad fs", "root_type: ext4", "root_type: fat", "line 20: filesystems.root_type"},
		{"two documents", "root_grows: true\n", "root_grows: true\n---\nfamily: fedora\n", "more than one YAML document"},
	}
	for _, c := range cases {
		src := strings.Replace(good, c.from, c.to, 1)
		if src == good {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		_, err := Parse("profiles/debian.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), "profiles/debian.yaml") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v; want it to name the file and %q", c.name, err, c.want)
		}
	}
}

// Loading from a file works (the built-in profiles are checked in
// package profiles).
func TestLoadFile(t *testing.T) {
	if _, err := Load("../../profiles/debian.yaml"); err != nil {
		t.Error(err)
	}
	if _, err := Load("no/such.yaml"); err == nil || !strings.Contains(err.Error(), "no/such.yaml") {
		t.Errorf("missing file: %v", err)
	}
}
