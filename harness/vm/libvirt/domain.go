package libvirt

import (
	"encoding/xml"
	"fmt"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/vm"
)

const qemuNS = "http://libvirt.org/schemas/domain/qemu/1.0"

type domain struct {
	XMLName  xml.Name  `xml:"domain"`
	Type     string    `xml:"type,attr"`
	QemuNS   string    `xml:"xmlns:qemu,attr"`
	Name     string    `xml:"name"`
	Memory   sizedInt  `xml:"memory"`
	VCPU     int       `xml:"vcpu"`
	OS       osSpec    `xml:"os"`
	Features features  `xml:"features"`
	CPU      *cpu      `xml:"cpu,omitempty"`
	OnPower  string    `xml:"on_poweroff"`
	OnReboot string    `xml:"on_reboot"`
	OnCrash  string    `xml:"on_crash"`
	Devices  devices   `xml:"devices"`
	Cmdline  qemuExtra `xml:"qemu:commandline"`
}

type sizedInt struct {
	Unit  string `xml:"unit,attr"`
	Value int    `xml:",chardata"`
}

type osSpec struct {
	Type    osType  `xml:"type"`
	Loader  *loader `xml:"loader,omitempty"`
	NVRAM   *nvram  `xml:"nvram,omitempty"`
	Kernel  string  `xml:"kernel,omitempty"`
	Initrd  string  `xml:"initrd,omitempty"`
	Cmdline string  `xml:"cmdline,omitempty"`
}

type osType struct {
	Arch    string `xml:"arch,attr"`
	Machine string `xml:"machine,attr"`
	Value   string `xml:",chardata"`
}

type loader struct {
	ReadOnly string `xml:"readonly,attr"`
	Type     string `xml:"type,attr"`
	Path     string `xml:",chardata"`
}

type nvram struct {
	Template string `xml:"template,attr"`
	Path     string `xml:",chardata"`
}

type features struct {
	ACPI *struct{} `xml:"acpi,omitempty"`
	TCG  *tcg      `xml:"tcg,omitempty"`
}

type tcg struct {
	TBCache sizedInt `xml:"tb-cache"`
}

type cpu struct {
	Mode  string `xml:"mode,attr"`
	Model string `xml:"model,omitempty"`
}

type devices struct {
	Emulator    string       `xml:"emulator"`
	Disks       []disk       `xml:"disk"`
	Controllers []controller `xml:"controller"`
	Serial      serial       `xml:"serial"`
	Video       video        `xml:"video"`
	Balloon     memModel     `xml:"memballoon"`
}

// controller is a device libvirt would add by itself otherwise.
type controller struct {
	Type  string `xml:"type,attr"`
	Model string `xml:"model,attr"`
}

type disk struct {
	Type     string    `xml:"type,attr"`
	Device   string    `xml:"device,attr"`
	Driver   driver    `xml:"driver"`
	Source   source    `xml:"source"`
	Target   target    `xml:"target"`
	ReadOnly *struct{} `xml:"readonly,omitempty"`
	Serial   string    `xml:"serial,omitempty"`
	Boot     *bootOrd  `xml:"boot,omitempty"`
}

type bootOrd struct {
	Order int `xml:"order,attr"`
}

type driver struct {
	Name string `xml:"name,attr"`
	Type string `xml:"type,attr"`
}

type source struct {
	File string `xml:"file,attr,omitempty"`
	Path string `xml:"path,attr,omitempty"`
}

type target struct {
	Dev  string `xml:"dev,attr,omitempty"`
	Bus  string `xml:"bus,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Port *int   `xml:"port,attr"`
}

type serial struct {
	Type   string  `xml:"type,attr"`
	Source *source `xml:"source"`
	Target target  `xml:"target"`
}

type video struct {
	Model memModel `xml:"model"`
}

type memModel struct {
	Type  string `xml:"type,attr,omitempty"`
	Model string `xml:"model,attr,omitempty"`
}

type qemuExtra struct {
	Args []qemuArg `xml:"qemu:arg"`
}

type qemuArg struct {
	Value string `xml:"value,attr"`
}

// Paths are the per-machine files inside the spec's work dir, or, on a
// remote host, the volumes there. An empty Console is a pty that libvirt's
// console stream carries back (remote hosts); an empty Emulator is the
// arch table's binary.
type Paths struct {
	Overlay, NVRAM, Console string
	Emulator                string
}

// PathsFor lays out a machine's files in its work dir.
func PathsFor(s vm.Spec) Paths {
	p := Paths{
		Overlay: filepath.Join(s.WorkDir, "disk.qcow2"),
		NVRAM:   filepath.Join(s.WorkDir, "VARS.fd"),
		Console: s.ConsoleLog,
	}
	if p.Console == "" {
		p.Console = filepath.Join(s.WorkDir, "console.log")
	}
	return p
}

// DomainXML renders the transient domain for a spec. The firmware is
// passed in (resolved on the host) so the rendering is pure and testable.
func DomainXML(s vm.Spec, p Paths, fw Firmware) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.SSHPort <= 0 || s.SSHPort > 65535 {
		return nil, fmt.Errorf("vm spec %s: ssh port %d out of range", s.Name, s.SSHPort)
	}
	a := s.Arch
	m, err := machineFor(a)
	if err != nil {
		return nil, err
	}
	d := domain{
		Type:   string(map[arch.Accel]string{arch.KVM: "kvm", arch.TCG: "qemu"}[s.Accel]),
		QemuNS: qemuNS,
		Name:   s.Name,
		Memory: sizedInt{Unit: "MiB", Value: s.MemoryMiB},
		VCPU:   s.CPUs,
		OS: osSpec{Type: osType{Arch: a.Name, Machine: m.Type, Value: "hvm"},
			Kernel: s.Kernel, Initrd: s.Initrd, Cmdline: s.Cmdline},
		OnPower: "destroy", OnReboot: "restart", OnCrash: "destroy",
		Devices: devices{
			Emulator: m.QEMUBinary,
			Disks: []disk{
				{Type: "file", Device: "disk", Driver: driver{"qemu", "qcow2"},
					Source: source{File: p.Overlay}, Target: target{Dev: "vda", Bus: m.DiskBus},
					Boot: &bootOrd{Order: 1}}, // firmware like SLOF would otherwise try the seed too
				{Type: "file", Device: "disk", Driver: driver{"qemu", "raw"},
					Source: source{File: s.Seed}, Target: target{Dev: "vdb", Bus: m.DiskBus},
					ReadOnly: &struct{}{}, Serial: "cidata"},
			},
			// No USB: libvirt adds an xHCI (or OHCI) controller unless told
			// not to, and the guest spends boot time probing it.
			Controllers: []controller{{Type: "usb", Model: "none"}},
			Serial:      serialFor(p.Console, m),
			Video:       video{Model: memModel{Type: "none"}},
			Balloon:     memModel{Model: "none"},
		},
		Cmdline: qemuExtra{Args: append(netArgs(s, m), cpuArgs(s, m)...)},
	}
	if p.Emulator != "" {
		d.Devices.Emulator = p.Emulator
	}
	if d.Type == "" {
		return nil, fmt.Errorf("vm spec %s: unknown accelerator %q", s.Name, s.Accel)
	}
	setCPU(&d, s, m)
	if a.Firmware == arch.UEFI && s.Kernel == "" {
		switch {
		case fw.Code == "":
			return nil, fmt.Errorf("vm spec %s: %s needs UEFI firmware paths", s.Name, a.Name)
		case fw.ROM():
			d.OS.Loader = &loader{ReadOnly: "yes", Type: "rom", Path: fw.Code}
			romACPI(&d)
		default:
			d.OS.Loader = &loader{ReadOnly: "yes", Type: "pflash", Path: fw.Code}
			d.OS.NVRAM = &nvram{Template: fw.Vars, Path: p.NVRAM}
		}
	}
	out, err := xml.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render domain %s: %w", s.Name, err)
	}
	return append(out, '\n'), nil
}

// romACPI keeps ACPI on for a guest whose UEFI code is a ROM: libvirt
// takes only a pflash loader for UEFI on aarch64 and refuses ACPI without
// one ("ACPI requires UEFI on this architecture"), so the domain asks QEMU
// itself, after libvirt's own -no-acpi (the last -machine value wins).
func romACPI(d *domain) {
	if d.Features.ACPI == nil {
		return
	}
	d.Features.ACPI = nil
	d.Cmdline.Args = append(d.Cmdline.Args, qemuArg{"-machine"}, qemuArg{"acpi=on"})
}

// serialFor is the console: written to a file, or a pty (empty path).
func serialFor(path string, m machine) serial {
	t := target{Type: m.SerialTarget, Port: intp(0)}
	if path == "" {
		return serial{Type: "pty", Target: t}
	}
	return serial{Type: "file", Source: &source{Path: path}, Target: t}
}

// setCPU sets the machine's features and CPU model for its accelerator:
// ACPI where the machine has it, the TCG translation cache cap, the host's
// CPU under KVM and the arch's chosen model under TCG.
func setCPU(d *domain, s vm.Spec, m machine) {
	if m.ACPI {
		d.Features.ACPI = &struct{}{}
	}
	if s.Accel == arch.TCG && s.TBCacheMiB > 0 {
		d.Features.TCG = &tcg{TBCache: sizedInt{Unit: "MiB", Value: s.TBCacheMiB}}
	}
	switch {
	case s.Accel == arch.KVM:
		d.CPU = &cpu{Mode: "host-passthrough"}
	case m.TCGCPUMode != "":
		d.CPU = &cpu{Mode: m.TCGCPUMode}
	}
}

// netArgs is the guest's only network: user-mode, restricted (no route to
// anything but the host's forwarded port), SSH forwarded from loopback only.
func netArgs(s vm.Spec, m machine) []qemuArg {
	nic := m.NICDevice + ",netdev=n0,mac=" + vm.GuestMAC
	if m.NICAddr != "" {
		nic += "," + m.NICAddr
	}
	return []qemuArg{
		{"-netdev"}, {fmt.Sprintf("user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:%d-:22", s.SSHPort)},
		{"-device"}, {nic},
	}
}

// cpuArgs sets the emulated CPU model directly: libvirt's CPU modes cannot
// set properties such as aarch64's pauth-impdef, and QEMU takes the last
// -cpu on its command line.
func cpuArgs(s vm.Spec, m machine) []qemuArg {
	if s.Accel != arch.TCG || m.TCGCPU == "" {
		return nil
	}
	return []qemuArg{{"-cpu"}, {m.TCGCPU}}
}

func intp(i int) *int { return &i }
