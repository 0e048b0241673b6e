package libvirt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/arch"
)

func TestEveryArchHasAMachine(t *testing.T) {
	for _, name := range arch.Names() {
		a, _ := arch.Lookup(name)
		m, err := machineFor(a)
		if err != nil {
			t.Fatal(err)
		}
		if m.QEMUBinary == "" || m.Type == "" || m.DiskBus == "" || m.NICDevice == "" || m.EmulatorPackage == "" {
			t.Errorf("row %s is incomplete: %+v", name, m)
		}
		if (a.Firmware == arch.UEFI) != (len(m.FirmwareCode) > 0) || (a.Firmware == arch.UEFI && m.FirmwarePackage == "") {
			t.Errorf("row %s: firmware %s, but code %v, package %q", name, a.Firmware, m.FirmwareCode, m.FirmwarePackage)
		}
	}
	if _, err := machineFor(arch.Arch{Name: "mips"}); err == nil || !strings.Contains(err.Error(), "arches.go") {
		t.Errorf("an arch without a machine: %v", err)
	}
}

func TestAccel(t *testing.T) {
	a, err := arch.Lookup(arch.Host())
	if err != nil {
		t.Skip("host arch has no row")
	}
	d := &Driver{}
	if got, why := d.Accel(context.Background(), a, filepath.Join(t.TempDir(), "no-kvm")); got != arch.TCG || !strings.Contains(why, "no-kvm") {
		t.Errorf("without a kvm device: %s (%s), want tcg", got, why)
	}
	other := a
	other.Name = "not-the-host"
	if got, _ := d.Accel(context.Background(), other, "/dev/kvm"); got != arch.TCG {
		t.Errorf("foreign guest got %s", got)
	}
}

func TestFirmwareNamesPackage(t *testing.T) {
	a := arch.Arch{Name: "x", Firmware: arch.UEFI}
	m := machine{FirmwareCode: []string{"/nonexistent/code"}, FirmwareVars: []string{"/nonexistent/vars"}, FirmwarePackage: "ovmf"}
	if _, err := m.firmware(a); err == nil || !strings.Contains(err.Error(), "apt-get install ovmf") {
		t.Fatalf("error = %v; want one naming the package", err)
	}
	dir := t.TempDir()
	code, vars := filepath.Join(dir, "c"), filepath.Join(dir, "v")
	os.WriteFile(code, nil, 0o644)
	os.WriteFile(vars, nil, 0o644)
	m.FirmwareCode, m.FirmwareVars = []string{"/nonexistent/code", code}, []string{vars}
	fw, err := m.firmware(a)
	if err != nil || fw != (Firmware{Code: code, Vars: vars}) || fw.ROM() {
		t.Fatalf("firmware = %+v %v", fw, err)
	}
	rom := filepath.Join(dir, "rom")
	os.WriteFile(rom, nil, 0o644)
	m.FirmwareROM = []string{"/nonexistent/rom", rom}
	if fw, err = m.firmware(a); err != nil || fw != (Firmware{Code: rom}) || !fw.ROM() {
		t.Fatalf("with a ROM: firmware = %+v %v; want the ROM, no variable template", fw, err)
	}
}
