package libvirt

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/vm"
)

var update = flag.Bool("update", false, "rewrite golden files")

func testSpec(t *testing.T, acc arch.Accel) vm.Spec { return archSpec(t, "x86_64", acc) }

func archSpec(t *testing.T, name string, acc arch.Accel) vm.Spec {
	a, err := arch.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return vm.Spec{
		Name: "imagegate-run1-debian-12-" + a.Name, Arch: a, Accel: acc,
		MemoryMiB: 1024, CPUs: 1, Image: "/images/debian-12.qcow2", ImageFormat: "qcow2",
		Seed: "/run/w/seed.iso", WorkDir: "/run/w", SSHPort: 40022, TBCacheMiB: 256,
	}
}

func TestDomainXMLGolden(t *testing.T) {
	cases := []struct {
		name string
		spec vm.Spec
	}{
		{"x86_64-tcg", archSpec(t, "x86_64", arch.TCG)},
		{"x86_64-kvm", archSpec(t, "x86_64", arch.KVM)},
		{"aarch64-tcg", archSpec(t, "aarch64", arch.TCG)},
		{"ppc64le-tcg", archSpec(t, "ppc64le", arch.TCG)},
		{"s390x-tcg-direct", func() vm.Spec {
			s := archSpec(t, "s390x", arch.TCG)
			s.Kernel, s.Initrd, s.Cmdline = "/images/vmlinuz", "/images/initrd", "root=LABEL=debian-root console=ttysclp0"
			return s
		}()},
		{"i686-tcg-direct", func() vm.Spec {
			s := archSpec(t, "i686", arch.TCG)
			s.Kernel, s.Initrd, s.Cmdline = "/images/vmlinuz", "/images/initrd", "root=LABEL=debian-root console=ttyS0"
			return s
		}()},
		{"armv7l-tcg-direct", func() vm.Spec {
			s := archSpec(t, "armv7l", arch.TCG)
			s.Kernel, s.Initrd, s.Cmdline = "/images/vmlinuz", "/images/initrd", "root=LABEL=debian-root console=ttyAMA0"
			return s
		}()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DomainXML(c.spec, PathsFor(c.spec), Firmware{Code: "/fw/CODE.fd", Vars: "/fw/VARS.fd"})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c.name, got)
		})
	}
}

// The local aarch64 guest: the unpadded UEFI code as a ROM, no NVRAM.
func TestDomainXMLROMGolden(t *testing.T) {
	s := archSpec(t, "aarch64", arch.TCG)
	got, err := DomainXML(s, PathsFor(s), Firmware{Code: "/fw/QEMU_EFI.fd"})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "aarch64-tcg-rom", got)
}

// A guest on a remote host: volumes of the pool, the host's emulator, and
// a pty console that libvirt's console stream carries back.
func TestDomainXMLRemoteGolden(t *testing.T) {
	s := archSpec(t, "x86_64", arch.TCG)
	vol := func(what string) string { return poolDir + "/" + volumeName(s.Name, what) }
	s.Image, s.Seed = vol("image"), vol("seed.iso")
	p := Paths{Overlay: vol("disk.qcow2"), NVRAM: vol("VARS.fd"), Emulator: "/usr/libexec/qemu-kvm"}
	got, err := DomainXML(s, p, Firmware{Code: "/fw/CODE.fd", Vars: "/fw/VARS.fd"})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "x86_64-tcg-remote", got)
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", "domain-"+name+".xml")
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("domain XML differs from %s (run with -update if intended):\n%s", golden, got)
	}
}

// The hard network rule: user-mode only, restricted, loopback-only forward.
func TestDomainXMLNetworkRule(t *testing.T) {
	s := testSpec(t, arch.TCG)
	out, err := DomainXML(s, PathsFor(s), Firmware{Code: "/fw/C", Vars: "/fw/V"})
	if err != nil {
		t.Fatal(err)
	}
	x := string(out)
	for _, want := range []string{"restrict=on", "hostfwd=tcp:127.0.0.1:40022-:22", "<readonly></readonly>"} {
		if !strings.Contains(x, want) {
			t.Errorf("domain XML lacks %q", want)
		}
	}
	for _, bad := range []string{"<interface", "bridge", "<network"} {
		if strings.Contains(x, bad) {
			t.Errorf("domain XML contains %q: guests get no libvirt network", bad)
		}
	}
	if strings.Contains(x, "tb-cache") == false {
		t.Error("TCG guest has no translation cache cap")
	}
}

func TestDomainXMLRejects(t *testing.T) {
	s := testSpec(t, arch.TCG)
	cases := map[string]func(*vm.Spec){
		"no port":    func(s *vm.Spec) { s.SSHPort = 0 },
		"bad format": func(s *vm.Spec) { s.ImageFormat = "vmdk" },
		"tiny mem":   func(s *vm.Spec) { s.MemoryMiB = 64 },
		"no accel":   func(s *vm.Spec) { s.Accel = "" },
	}
	for name, mut := range cases {
		c := s
		mut(&c)
		if _, err := DomainXML(c, PathsFor(c), Firmware{Code: "/fw/C", Vars: "/fw/V"}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := DomainXML(s, PathsFor(s), Firmware{}); err == nil {
		t.Error("UEFI arch without firmware paths: no error")
	}
}
