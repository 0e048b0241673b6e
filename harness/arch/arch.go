package arch

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
)

// Firmware describes how a guest is started before its own boot loader.
type Firmware struct {
	// Kind is "uefi" (pflash code + per-VM variable store) or "" (the
	// machine's built-in firmware, e.g. SeaBIOS or SLOF).
	Kind string
	// Code and VarsTemplate are candidate paths, first existing wins.
	Code         []string
	VarsTemplate []string
}

// Arch is one row of the table.
type Arch struct {
	Name       string // canonical name, as uname -m prints it: x86_64, aarch64, ...
	Aliases    []string
	GOARCH     string // Go's name for it, to recognise the host
	QEMUBinary string // e.g. /usr/bin/qemu-system-x86_64
	Machine    string // libvirt machine type: q35, virt, pseries, s390-ccw-virtio
	// TCGCPU is the QEMU -cpu value used under emulation, passed to QEMU
	// directly because libvirt cannot express every property (aarch64's
	// pauth-impdef=on halves boot time). Empty leaves QEMU's default.
	TCGCPU string
	// TCGCPUMode is libvirt's CPU mode under emulation ("maximum": QEMU's
	// -cpu max); empty leaves libvirt's default model.
	TCGCPUMode string
	Firmware   Firmware
	ACPI       bool   // the machine type has ACPI (libvirt rejects it elsewhere)
	Console    string // the kernel's console device: ttyS0, ttyAMA0, hvc0, ttysclp0
	// SerialTarget is libvirt's serial target type for the console file;
	// empty lets libvirt pick the machine's default.
	SerialTarget string
	DiskBus      string // libvirt disk target bus
	// NICDevice and NICAddr place the user-mode NIC on the command line;
	// on q35 and virt an unaddressed device would clash with libvirt's
	// root ports.
	NICDevice string
	NICAddr   string
	// TCGFactor scales boot and check timeouts when the guest is emulated.
	TCGFactor float64
	// Packages that provide the emulator and firmware on Debian, named in
	// errors that tell the user what to install.
	EmulatorPackage, FirmwarePackage string
}

var table = []Arch{
	{
		Name: "x86_64", Aliases: []string{"amd64", "x86-64"}, GOARCH: "amd64",
		QEMUBinary: "/usr/bin/qemu-system-x86_64", Machine: "q35",
		Firmware: Firmware{Kind: "uefi",
			Code:         []string{"/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_CODE.fd"},
			VarsTemplate: []string{"/usr/share/OVMF/OVMF_VARS_4M.fd", "/usr/share/OVMF/OVMF_VARS.fd"}},
		ACPI: true, Console: "ttyS0", SerialTarget: "isa-serial", DiskBus: "virtio",
		NICDevice: "virtio-net-pci", NICAddr: "bus=pcie.0,addr=0x10", TCGFactor: 4,
		EmulatorPackage: "qemu-system-x86", FirmwarePackage: "ovmf",
	},
	{
		Name: "aarch64", Aliases: []string{"arm64"}, GOARCH: "arm64",
		QEMUBinary: "/usr/bin/qemu-system-aarch64", Machine: "virt", TCGCPU: "max,pauth-impdef=on",
		Firmware: Firmware{Kind: "uefi",
			Code:         []string{"/usr/share/AAVMF/AAVMF_CODE.fd"},
			VarsTemplate: []string{"/usr/share/AAVMF/AAVMF_VARS.fd"}},
		ACPI: true, Console: "ttyAMA0", SerialTarget: "system-serial", DiskBus: "virtio",
		NICDevice: "virtio-net-pci", NICAddr: "bus=pcie.0,addr=0x10", TCGFactor: 6,
		EmulatorPackage: "qemu-system-arm", FirmwarePackage: "qemu-efi-aarch64",
	},
	{
		Name: "ppc64le", Aliases: []string{"ppc64el"}, GOARCH: "ppc64le",
		QEMUBinary: "/usr/bin/qemu-system-ppc64", Machine: "pseries",
		Console: "hvc0", SerialTarget: "spapr-vio-serial", DiskBus: "virtio",
		NICDevice: "virtio-net-pci", NICAddr: "bus=pci.0,addr=0x10", TCGFactor: 10,
		EmulatorPackage: "qemu-system-ppc",
	},
	{
		Name: "s390x", GOARCH: "s390x",
		// -cpu max: with QEMU's default model the kernel oopses in its
		// chacha self-test under TCG. libvirt's own -cpu wins on s390x, so
		// it is set through libvirt, not passed to QEMU.
		QEMUBinary: "/usr/bin/qemu-system-s390x", Machine: "s390-ccw-virtio", TCGCPUMode: "maximum",
		Console: "ttysclp0", SerialTarget: "sclp-serial", DiskBus: "virtio",
		NICDevice: "virtio-net-ccw", NICAddr: "devno=fe.0.0010", TCGFactor: 10, // clear of libvirt's disks at fe.0.0000+
		EmulatorPackage: "qemu-system-misc",
	},
}

// Lookup returns the row for name or an alias of it.
func Lookup(name string) (Arch, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, a := range table {
		if a.Name == n {
			return a, nil
		}
		for _, al := range a.Aliases {
			if al == n {
				return a, nil
			}
		}
	}
	return Arch{}, fmt.Errorf("unknown architecture %q: known are %s", name, strings.Join(Names(), ", "))
}

// Names lists the canonical names, sorted.
func Names() []string {
	var out []string
	for _, a := range table {
		out = append(out, a.Name)
	}
	sort.Strings(out)
	return out
}

// Host is the canonical name of the host's architecture.
func Host() string {
	for _, a := range table {
		if a.GOARCH == runtime.GOARCH {
			return a.Name
		}
	}
	return runtime.GOARCH
}

// Accel is the accelerator a guest of this arch gets on this host.
type Accel string

const (
	KVM Accel = "kvm"
	TCG Accel = "tcg"
)

// TimeoutFactor is how much longer than a KVM guest this guest may take.
func (a Arch) TimeoutFactor(acc Accel) float64 {
	if acc == KVM || a.TCGFactor <= 0 {
		return 1
	}
	return a.TCGFactor
}

// ResolveFirmware returns the firmware code and variable-store template
// paths that exist on this host, or an error naming the package to install.
func (a Arch) ResolveFirmware() (code, vars string, err error) {
	if a.Firmware.Kind == "" {
		return "", "", nil
	}
	code, vars = firstExisting(a.Firmware.Code), firstExisting(a.Firmware.VarsTemplate)
	if code == "" || vars == "" {
		return "", "", fmt.Errorf("%s UEFI firmware not found (looked for %s): install it, e.g. `make host` or apt-get install %s",
			a.Name, strings.Join(append(a.Firmware.Code, a.Firmware.VarsTemplate...), ", "), a.FirmwarePackage)
	}
	return code, vars, nil
}

// CheckEmulator reports a clear error when the QEMU binary is missing.
func (a Arch) CheckEmulator() error {
	if _, err := os.Stat(a.QEMUBinary); err != nil {
		return fmt.Errorf("%s emulator %s not found: install it, e.g. `make host` or apt-get install %s",
			a.Name, a.QEMUBinary, a.EmulatorPackage)
	}
	return nil
}

func firstExisting(paths []string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}
