package arch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLookupAliases(t *testing.T) {
	for _, name := range []string{"x86_64", "amd64", " X86_64 "} {
		a, err := Lookup(name)
		if err != nil || a.Name != "x86_64" {
			t.Errorf("Lookup(%q) = %q, %v; want x86_64", name, a.Name, err)
		}
	}
	if _, err := Lookup("mips"); err == nil || !strings.Contains(err.Error(), "x86_64") {
		t.Errorf("Lookup(mips) error = %v; want one listing known arches", err)
	}
}

func TestRowsComplete(t *testing.T) {
	for _, a := range table {
		if a.QEMUBinary == "" || a.Machine == "" || a.Console == "" || a.DiskBus == "" || a.NICDevice == "" || a.TCGFactor < 1 {
			t.Errorf("row %s is incomplete: %+v", a.Name, a)
		}
		if a.EmulatorPackage == "" || (a.Firmware.Kind != "" && a.FirmwarePackage == "") {
			t.Errorf("row %s does not name its packages", a.Name)
		}
	}
}

func TestAccelFor(t *testing.T) {
	a, _ := Lookup(Host())
	if a.Name == "" {
		t.Skip("host arch has no row")
	}
	if got, why := a.AccelFor(context.Background(), filepath.Join(t.TempDir(), "no-kvm")); got != TCG || !strings.Contains(why, "no-kvm") {
		t.Errorf("without a kvm device: %s (%s), want tcg", got, why)
	}
	other := a
	other.Name = "not-the-host"
	if got, _ := other.AccelFor(context.Background(), "/dev/kvm"); got != TCG {
		t.Errorf("foreign guest got %s", got)
	}
	if a.TimeoutFactor(TCG) <= a.TimeoutFactor(KVM) {
		t.Errorf("TCG factor %v should exceed KVM's %v", a.TimeoutFactor(TCG), a.TimeoutFactor(KVM))
	}
}

func TestResolveFirmwareNamesPackage(t *testing.T) {
	a := Arch{Name: "x", Firmware: Firmware{Kind: "uefi", Code: []string{"/nonexistent/code"}, VarsTemplate: []string{"/nonexistent/vars"}}, FirmwarePackage: "ovmf"}
	_, _, err := a.ResolveFirmware()
	if err == nil || !strings.Contains(err.Error(), "apt-get install ovmf") {
		t.Fatalf("error = %v; want one naming the package", err)
	}
	dir := t.TempDir()
	code, vars := filepath.Join(dir, "c"), filepath.Join(dir, "v")
	os.WriteFile(code, nil, 0o644)
	os.WriteFile(vars, nil, 0o644)
	a.Firmware.Code = []string{"/nonexistent/code", code}
	a.Firmware.VarsTemplate = []string{vars}
	c, v, err := a.ResolveFirmware()
	if err != nil || c != code || v != vars {
		t.Fatalf("ResolveFirmware = %q %q %v", c, v, err)
	}
}
