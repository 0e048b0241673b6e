package arch

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
)

// Firmware is how a guest of the arch starts before its own boot loader.
type Firmware string

const (
	UEFI    Firmware = "uefi"    // UEFI with a per-VM variable store (x86_64, aarch64)
	Builtin Firmware = "builtin" // the machine's own firmware (SLOF on ppc64le, the s390x IPL)
)

// Arch is one row of the table: the neutral facts every part of the
// harness may use. How a driver builds a guest of the arch (machine type,
// devices, firmware files) lives in that driver (harness/vm/libvirt).
type Arch struct {
	Name    string // canonical name, as uname -m prints it: x86_64, aarch64, ...
	Aliases []string
	GOARCH  string // Go's name for it, to recognise the host
	// Firmware is how an image of the arch boots unless it boots a kernel
	// directly.
	Firmware Firmware
	Console  string // the kernel's console device: ttyS0, ttyAMA0, hvc0, ttysclp0
	// TCGFactor scales boot and check timeouts when the guest is emulated.
	TCGFactor float64
}

var table = []Arch{
	{Name: "x86_64", Aliases: []string{"amd64", "x86-64"}, GOARCH: "amd64", Firmware: UEFI, Console: "ttyS0", TCGFactor: 4},
	{Name: "aarch64", Aliases: []string{"arm64"}, GOARCH: "arm64", Firmware: UEFI, Console: "ttyAMA0", TCGFactor: 6},
	{Name: "ppc64le", Aliases: []string{"ppc64el"}, GOARCH: "ppc64le", Firmware: Builtin, Console: "hvc0", TCGFactor: 10},
	{Name: "s390x", GOARCH: "s390x", Firmware: Builtin, Console: "ttysclp0", TCGFactor: 10},
	// 32-bit x86 boots from the BIOS (SeaBIOS), as i686 cloud images do;
	// 32-bit ARM from UEFI (AAVMF32), as armhf cloud images do.
	{Name: "i686", Aliases: []string{"i386", "x86"}, GOARCH: "386", Firmware: Builtin, Console: "ttyS0", TCGFactor: 4},
	{Name: "armv7l", Aliases: []string{"armv7", "armhf"}, GOARCH: "arm", Firmware: UEFI, Console: "ttyAMA0", TCGFactor: 8},
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
