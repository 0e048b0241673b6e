package run

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestTargetNaming(t *testing.T) {
	tg := Target{Image: Image{Name: "debian_12.1", Arch: "x86_64"}}
	if tg.ID() != "debian_12.1/x86_64" || tg.Hostname() != "debian-12-1-x86-64" {
		t.Errorf("ID %q Hostname %q", tg.ID(), tg.Hostname())
	}
}

func TestLayoutOwnsThePaths(t *testing.T) {
	r := RunLayout{Reports: "/r/20261202-1", Work: "/w/20261202-1"}
	l := r.Target("deb", "aarch64")
	if l.Out != "/r/20261202-1/deb/aarch64" || l.Work != "/w/20261202-1/deb-aarch64" {
		t.Fatalf("target layout %+v", l)
	}
	for got, want := range map[string]string{
		r.JUnit(): "/r/20261202-1/junit.xml", r.Latest(): "/r/latest", l.Console(): "/r/20261202-1/deb/aarch64/console.log",
		l.Results(): "/r/20261202-1/deb/aarch64/results.json", l.Fault(): "/r/20261202-1/deb/aarch64/fault.json",
		l.Input(): "/w/20261202-1/deb-aarch64/run-target.json", l.Sibling().Console(): "/r/20261202-1/deb/aarch64/second-instance/console.log",
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	if !Internal("results.json") || !Internal("target.json") || Internal("console.log") || Internal("journal.txt") {
		t.Error("Internal misjudges a file")
	}
}

func TestImageBootsThePinnedCopyOnceThereIsOne(t *testing.T) {
	im := Image{Path: "/m/d.qcow2", Kernel: "/m/k"}
	if b := im.Boot(); b.Image != "/m/d.qcow2" || b.Kernel != "/m/k" {
		t.Errorf("unpinned boots %+v", b)
	}
	im.Pinned = &Pinned{Image: "/w/pinned/image.qcow2"}
	if b := im.Boot(); b.Image != "/w/pinned/image.qcow2" || b.Kernel != "" || im.Path != "/m/d.qcow2" {
		t.Errorf("pinned boots %+v; candidate %s", b, im.Path)
	}
}

func TestSiblingIsItsOwnGuest(t *testing.T) {
	tg := Target{Machine: Machine{Name: "imagegate-x", SSHPort: 2222}, Options: Options{Keep: true}, Layout: Layout{Out: "/o", Work: "/w"}}
	s := tg.Sibling()
	if s.Machine.Name != "imagegate-x-b" || s.Machine.SSHPort != 0 || s.Options.Keep || !strings.HasPrefix(s.Layout.Out, "/o/") || !strings.HasPrefix(s.Layout.Work, "/w/") {
		t.Errorf("sibling %+v", s)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.json")
	tg := Target{RunID: "r", Image: Image{Name: "d", Arch: "x86_64", Pinned: &Pinned{Image: "/p"}},
		Machine: Machine{BootTimeout: 3 * time.Minute}, Options: Options{Selection: Selection{Focus: []string{"a"}}}}
	if err := Write(p, tg); err != nil {
		t.Fatal(err)
	}
	got, err := Read(p)
	if err != nil || !reflect.DeepEqual(got, tg) {
		t.Fatalf("read %+v, %v", got, err)
	}
	os.WriteFile(p, []byte("{"), 0o644)
	if _, err := Read(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("a broken file: %v", err)
	}
}

func TestReseedKeepsTheFailedRunsIdentityButNotTheSiblings(t *testing.T) {
	tg := Target{Image: Image{Name: "debian-12", Arch: "x86_64"}, Machine: Machine{Name: "imagegate-r2-debian-12-x86_64"}}
	if tg.InstanceID() != tg.Machine.Name {
		t.Fatalf("instance-id %s", tg.InstanceID())
	}
	tg.Options.Reseed = &Reseed{From: "/r/1", InstanceID: "imagegate-r1-debian-12-x86_64", Hostname: "old-host"}
	if tg.InstanceID() != "imagegate-r1-debian-12-x86_64" || tg.Hostname() != "old-host" {
		t.Errorf("reseeded: %s %s", tg.InstanceID(), tg.Hostname())
	}
	sib := tg.Sibling()
	if sib.InstanceID() == tg.InstanceID() || sib.Hostname() != "old-host" || tg.Options.Reseed.InstanceID == "" {
		t.Errorf("the sibling is a second first boot: instance-id %s (first %s), hostname %s", sib.InstanceID(), tg.InstanceID(), sib.Hostname())
	}
}

func TestDefaultWorkRootIsTheUsersOwn(t *testing.T) {
	cache := func() (string, error) { return "/home/u/.cache", nil }
	if got := defaultWorkRoot(0, cache); got != "/var/tmp/imagegate" {
		t.Errorf("root: %s", got)
	}
	if got := defaultWorkRoot(1000, cache); got != "/home/u/.cache/imagegate/work" {
		t.Errorf("a user: %s", got)
	}
}
