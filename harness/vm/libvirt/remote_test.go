package libvirt

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSSHTarget(t *testing.T) {
	u, _ := url.Parse("qemu+ssh://ci@kvm1.example:2222/system?keyfile=/k/id&known_hosts=/k/kh")
	got, err := parseSSHTarget(u)
	if err != nil {
		t.Fatal(err)
	}
	want := sshTarget{user: "ci", addr: "kvm1.example:2222", keyFile: "/k/id", knownHosts: "/k/kh", socket: defaultRemoteSocket}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	u, _ = url.Parse("qemu+ssh://ci@kvm1.example/system?socket=/run/x.sock&keyfile=/k/id")
	if got, _ := parseSSHTarget(u); got.addr != "kvm1.example:22" || got.socket != "/run/x.sock" || !strings.HasSuffix(got.knownHosts, "/.ssh/known_hosts") {
		t.Errorf("defaults: %+v", got)
	}
	for _, bad := range []string{"qemu+ssh:///system", "qemu+ssh://h/session"} {
		u, _ := url.Parse(bad)
		if _, err := parseSSHTarget(u); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// A host key that is not in known_hosts is refused before anything is
// sent; so is a known_hosts file that is not there.
func TestSSHLinkNeedsKnownHosts(t *testing.T) {
	dir := t.TempDir()
	l := &sshLink{t: sshTarget{user: "u", addr: "127.0.0.1:1", keyFile: filepath.Join(dir, "id"), knownHosts: filepath.Join(dir, "kh")}}
	if _, err := l.config(); err == nil || !strings.Contains(err.Error(), "known_hosts") {
		t.Errorf("no known_hosts: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "kh"), nil, 0o600)
	if _, err := l.config(); err == nil || !strings.Contains(err.Error(), "SSH key") {
		t.Errorf("no key: %v", err)
	}
}

func TestVolumeXML(t *testing.T) {
	got := volumeXML("d-disk.qcow2", 2<<30, "qcow2", "/p/d-image", "raw")
	for _, want := range []string{"<name>d-disk.qcow2</name>", "<capacity unit='bytes'>2147483648</capacity>", "<format type='qcow2'/>", "<backingStore><path>/p/d-image</path><format type='raw'/></backingStore>"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %s", got, want)
		}
	}
	if strings.Contains(volumeXML("d-seed.iso", 1, "raw", "", ""), "backingStore") {
		t.Error("a plain volume has a backing store")
	}
}

// A domain's volumes are found by its name and "@": never the second
// instance's ("<name>-b"), never another image's.
func TestVolumeNamesDoNotOverlap(t *testing.T) {
	a := "imagegate-r1-debian-12-x86_64"
	prefix := volumeName(a, "")
	for _, other := range []string{a + "-b", "imagegate-r1-debian-12-x86_64.1-x86_64", "imagegate-r1-debian-12-again-x86_64"} {
		if strings.HasPrefix(volumeName(other, "image"), prefix) {
			t.Errorf("destroying %s would take %s's volumes", a, other)
		}
	}
	if !strings.HasPrefix(volumeName(a, "disk.qcow2"), prefix) {
		t.Error("a domain's own volume is not found by its prefix")
	}
}
