package libvirt

import (
	"fmt"
	"os"
	"strings"

	"github.com/imagegate/imagegate/harness/arch"
)

// machine is how this driver builds a guest of one arch: the QEMU binary
// and machine type, the firmware files, and the devices and addresses that
// libvirt and QEMU need. These are facts of QEMU and libvirt, not of the
// arch, so they live here rather than in harness/arch.
type machine struct {
	QEMUBinary string // e.g. /usr/bin/qemu-system-x86_64
	Type       string // libvirt machine type: q35, virt, pseries, s390-ccw-virtio
	// TCGCPU is the QEMU -cpu value used under emulation, passed to QEMU
	// directly because libvirt cannot express every property (aarch64's
	// pauth-impdef=on halves boot time). Empty leaves QEMU's default.
	TCGCPU string
	// TCGCPUMode is libvirt's CPU mode under emulation ("maximum": QEMU's
	// -cpu max); empty leaves libvirt's default model.
	TCGCPUMode string
	// FirmwareCode and FirmwareVars are candidate paths of the UEFI code
	// and variable-store template (first existing wins) for an arch whose
	// firmware is uefi.
	FirmwareCode, FirmwareVars []string
	// FirmwareROM are candidate paths of the same UEFI code unpadded, booted
	// as a ROM (QEMU's -bios) with its variables in QEMU's memory, preferred
	// locally when present. AAVMF's pflash images are 64 MiB each and QEMU
	// reads both whole into memory: 127 MiB resident per guest before it
	// runs an instruction (measured), against 2 MiB for the ROM. Nothing a
	// guest sees differs: its variables start empty either way (each domain
	// gets a fresh copy of the template) and survive its reboots (QEMU
	// resets in place); they end with the domain, as the copy does.
	FirmwareROM []string
	ACPI        bool // the machine type has ACPI (libvirt rejects it elsewhere)
	// SerialTarget is libvirt's serial target type for the console file;
	// empty lets libvirt pick the machine's default.
	SerialTarget string
	DiskBus      string // libvirt disk target bus
	// NICDevice and NICAddr place the user-mode NIC on the command line;
	// on q35 and virt an unaddressed device would clash with libvirt's
	// root ports.
	NICDevice, NICAddr string
	// Packages that provide the emulator and firmware on Debian, named in
	// errors that tell the user what to install.
	EmulatorPackage, FirmwarePackage string
}

var machines = map[string]machine{
	"x86_64": {
		QEMUBinary: "/usr/bin/qemu-system-x86_64", Type: "q35",
		FirmwareCode: []string{"/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_CODE.fd"},
		FirmwareVars: []string{"/usr/share/OVMF/OVMF_VARS_4M.fd", "/usr/share/OVMF/OVMF_VARS.fd"},
		ACPI:         true, SerialTarget: "isa-serial", DiskBus: "virtio",
		NICDevice: "virtio-net-pci", NICAddr: "bus=pcie.0,addr=0x10",
		EmulatorPackage: "qemu-system-x86", FirmwarePackage: "ovmf",
	},
	"aarch64": {
		QEMUBinary: "/usr/bin/qemu-system-aarch64", Type: "virt", TCGCPU: "max,pauth-impdef=on",
		FirmwareCode: []string{"/usr/share/AAVMF/AAVMF_CODE.fd"},
		FirmwareVars: []string{"/usr/share/AAVMF/AAVMF_VARS.fd"},
		FirmwareROM:  []string{"/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"}, // AAVMF_CODE.fd's first 2 MiB
		ACPI:         true, SerialTarget: "system-serial", DiskBus: "virtio",
		NICDevice: "virtio-net-pci", NICAddr: "bus=pcie.0,addr=0x10",
		EmulatorPackage: "qemu-system-arm", FirmwarePackage: "qemu-efi-aarch64",
	},
	"ppc64le": {
		QEMUBinary: "/usr/bin/qemu-system-ppc64", Type: "pseries",
		SerialTarget: "spapr-vio-serial", DiskBus: "virtio",
		NICDevice: "virtio-net-pci", NICAddr: "bus=pci.0,addr=0x10",
		EmulatorPackage: "qemu-system-ppc",
	},
	"s390x": {
		// -cpu max: with QEMU's default model the kernel oopses in its
		// chacha self-test under TCG. libvirt's own -cpu wins on s390x, so
		// it is set through libvirt, not passed to QEMU.
		QEMUBinary: "/usr/bin/qemu-system-s390x", Type: "s390-ccw-virtio", TCGCPUMode: "maximum",
		SerialTarget: "sclp-serial", DiskBus: "virtio",
		NICDevice: "virtio-net-ccw", NICAddr: "devno=fe.0.0010", // clear of libvirt's disks at fe.0.0000+
		EmulatorPackage: "qemu-system-misc",
	},
	"i686": {
		QEMUBinary: "/usr/bin/qemu-system-i386", Type: "q35",
		ACPI: true, SerialTarget: "isa-serial", DiskBus: "virtio",
		NICDevice: "virtio-net-pci", NICAddr: "bus=pcie.0,addr=0x10",
		EmulatorPackage: "qemu-system-x86",
	},
	"armv7l": {
		// cortex-a15 has LPAE, so an armmp-lpae kernel reaches the virt
		// machine's PCIe window above 4 GiB.
		QEMUBinary: "/usr/bin/qemu-system-arm", Type: "virt", TCGCPU: "cortex-a15",
		FirmwareCode: []string{"/usr/share/AAVMF/AAVMF32_CODE.fd"},
		FirmwareVars: []string{"/usr/share/AAVMF/AAVMF32_VARS.fd"},
		DiskBus:      "virtio",
		NICDevice:    "virtio-net-pci", NICAddr: "bus=pcie.0,addr=0x10",
		EmulatorPackage: "qemu-system-arm", FirmwarePackage: "qemu-efi-arm",
	},
}

// machineFor is the row for an arch; an arch of harness/arch without one
// is a driver that cannot run it, said plainly.
func machineFor(a arch.Arch) (machine, error) {
	m, ok := machines[a.Name]
	if !ok {
		return m, fmt.Errorf("the libvirt driver has no machine for %s: add a row to harness/vm/libvirt/arches.go", a.Name)
	}
	return m, nil
}

// Firmware is the UEFI firmware a domain boots before the image's own
// boot loader: Code as pflash with a copy of the Vars template as its
// variable store, or Code as a ROM when Vars is empty.
type Firmware struct{ Code, Vars string }

// ROM says the code is booted as a ROM, its variables in QEMU's memory.
func (f Firmware) ROM() bool { return f.Code != "" && f.Vars == "" }

// firmware returns the UEFI firmware that exists on this host (the ROM
// when the row has one), or an error naming the package to install. An
// arch without UEFI firmware needs none.
func (m machine) firmware(a arch.Arch) (Firmware, error) {
	if a.Firmware != arch.UEFI {
		return Firmware{}, nil
	}
	if rom := firstExisting(m.FirmwareROM); rom != "" {
		return Firmware{Code: rom}, nil
	}
	f := Firmware{Code: firstExisting(m.FirmwareCode), Vars: firstExisting(m.FirmwareVars)}
	if f.Code == "" || f.Vars == "" {
		return Firmware{}, fmt.Errorf("%s UEFI firmware not found (looked for %s): install it, e.g. `make host` or apt-get install %s",
			a.Name, strings.Join(append(m.FirmwareCode, m.FirmwareVars...), ", "), m.FirmwarePackage)
	}
	return f, nil
}

// checkEmulator reports a clear error when the QEMU binary is missing.
func (m machine) checkEmulator(a arch.Arch) error {
	if _, err := os.Stat(m.QEMUBinary); err != nil {
		return fmt.Errorf("%s emulator %s not found: install it, e.g. `make host` or apt-get install %s",
			a.Name, m.QEMUBinary, m.EmulatorPackage)
	}
	return nil
}

// Preflight says what this host lacks to run a guest of a: the emulator,
// and the firmware unless the guest boots a kernel directly.
func (d *Driver) Preflight(a arch.Arch, directKernel bool) error {
	if d.remote() {
		return d.remotePreflight(a, directKernel)
	}
	m, err := machineFor(a)
	if err != nil {
		return err
	}
	if err := m.checkEmulator(a); err != nil {
		return err
	}
	if !directKernel {
		_, err = m.firmware(a)
	}
	return err
}

func firstExisting(paths []string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}
