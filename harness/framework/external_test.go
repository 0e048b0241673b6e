package framework

import (
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/extsuite"
	"github.com/imagegate/imagegate/harness/guest"
	"github.com/imagegate/imagegate/harness/run"
)

func TestExternalCommand(t *testing.T) {
	x := &external{s: &extsuite.Suite{Name: "sig-x"}}
	g := &Guest{&guest.Guest{Target: run.Target{Image: run.Image{Arch: "aarch64", Family: "fedora"}}}}
	asUser := x.command(g, extsuite.Check{File: "10-it's.sh", RunAs: extsuite.AsUser})
	want := `cd '/var/lib/imagegate/suites/sig-x' && exec env 'IMAGEGATE_SUITE=sig-x' 'IMAGEGATE_ARCH=aarch64' 'IMAGEGATE_FAMILY=fedora' 'IMAGEGATE_USER=imagegate' 'IMAGEGATE_PHASE=first-boot' ./checks/'10-it'\''s.sh'`
	if asUser != want {
		t.Errorf("as the user:\n%s\nwant\n%s", asUser, want)
	}
	asRoot := x.command(g, extsuite.Check{File: "50-after.sh", RunAs: extsuite.AsRoot, AfterReboot: true})
	if !strings.HasPrefix(asRoot, "sudo -n sh -c ") || !strings.Contains(asRoot, "IMAGEGATE_PHASE=after-reboot") {
		t.Errorf("as root: %s", asRoot)
	}
}

func TestFirstLine(t *testing.T) {
	if got := firstLine("\n  \n", "\nwhy it does not apply\nmore"); got != "why it does not apply" {
		t.Errorf("%q", got)
	}
	if firstLine("", " ") != "" {
		t.Error("no output: no reason")
	}
}
