package libvirt

import (
	"context"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/imagegate/imagegate/harness/arch"
)

// A remote host's files are out of reach, so what the local driver learns
// by looking at /usr (the emulator, the firmware) it learns there from
// libvirt's domain capabilities, which the host's libvirtd answers from
// its own disk.

// hostCaps is what a host's libvirtd says it can run for one arch.
type hostCaps struct {
	Emulator string   `xml:"path"`
	Loaders  []string `xml:"os>loader>value"`
}

// capsFor asks the host for the domain capabilities of a under virtType
// (qemu: emulation, kvm: hardware); an error means it cannot run such a
// guest at all.
func capsFor(ctx context.Context, lv *golibvirt.Libvirt, a arch.Arch, virtType string) (hostCaps, error) {
	m, err := machineFor(a)
	if err != nil {
		return hostCaps{}, err
	}
	var raw string
	err = call(ctx, time.Minute, func() error {
		var err error
		raw, err = lv.ConnectGetDomainCapabilities(nil, golibvirt.OptString{a.Name}, golibvirt.OptString{m.Type}, golibvirt.OptString{virtType}, 0)
		return err
	})
	if err != nil {
		return hostCaps{}, err
	}
	var c hostCaps
	if err := xml.Unmarshal([]byte(raw), &c); err != nil {
		return c, fmt.Errorf("domain capabilities of %s: %w", a.Name, err)
	}
	return c, nil
}

// remoteFirmware picks the UEFI code and variable template the host has:
// the first of the table's candidates libvirt lists as a loader there (the
// template is the one listed beside it in the table). libvirt lists no
// ROM builds, so a remote guest boots its firmware as pflash.
func (m machine) remoteFirmware(a arch.Arch, c hostCaps) (Firmware, error) {
	if a.Firmware != arch.UEFI {
		return Firmware{}, nil
	}
	for i, p := range m.FirmwareCode {
		if slices.Contains(c.Loaders, p) && i < len(m.FirmwareVars) {
			return Firmware{Code: p, Vars: m.FirmwareVars[i]}, nil
		}
	}
	return Firmware{}, fmt.Errorf("the libvirt host has no %s UEFI firmware imagegate knows (it lists %s; looked for %s): install %s there",
		a.Name, strings.Join(c.Loaders, ", "), strings.Join(m.FirmwareCode, ", "), m.FirmwarePackage)
}

// remotePreflight is Preflight for a remote host: its libvirtd must know an
// emulator for the arch and, unless the kernel is booted directly, the
// firmware.
func (d *Driver) remotePreflight(a arch.Arch, directKernel bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := machineFor(a)
	if err != nil {
		return err
	}
	lv, err := d.conn(ctx)
	if err != nil {
		return err
	}
	c, err := capsFor(ctx, lv, a, "qemu")
	if err != nil {
		return fmt.Errorf("the libvirt host %s cannot run %s guests (%v): install %s there", d.uri.Host, a.Name, err, m.EmulatorPackage)
	}
	if !directKernel {
		_, err = m.remoteFirmware(a, c)
	}
	return err
}

// remoteAccel is Accel for a remote host: KVM when its libvirtd offers KVM
// for the arch and a KVM guest really runs the firmware there for a few
// seconds (the same test as the local probe, as a throwaway domain).
func (d *Driver) remoteAccel(ctx context.Context, a arch.Arch) (arch.Accel, string) {
	lv, err := d.conn(ctx)
	if err != nil {
		return arch.TCG, err.Error()
	}
	c, err := capsFor(ctx, lv, a, "kvm")
	if err != nil {
		return arch.TCG, fmt.Sprintf("the libvirt host offers no KVM for %s: %v", a.Name, err)
	}
	if err := probeRemoteKVM(ctx, lv, a, c); err != nil {
		return arch.TCG, fmt.Sprintf("the libvirt host offers KVM for %s, but a KVM guest does not run there: %v", a.Name, err)
	}
	return arch.KVM, "KVM works on the libvirt host " + d.uri.Host
}

// probeRemoteKVM starts a diskless KVM domain with the host's CPU and the
// arch's firmware, lets it run for kvmRunFor and asks whether it still
// runs.
func probeRemoteKVM(ctx context.Context, lv *golibvirt.Libvirt, a arch.Arch, c hostCaps) error {
	m, _ := machineFor(a)
	fw, _ := m.remoteFirmware(a, c)
	name := fmt.Sprintf("imagegate-kvmprobe-%d", time.Now().UnixNano())
	loader := ""
	if fw.Code != "" {
		loader = fmt.Sprintf("<loader readonly='yes' type='pflash' stateless='yes'>%s</loader>", fw.Code)
	}
	x := fmt.Sprintf(`<domain type='kvm'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
<os><type arch='%s' machine='%s'>hvm</type>%s</os>%s<cpu mode='host-passthrough'/>
<devices><emulator>%s</emulator><video><model type='none'/></video><memballoon model='none'/></devices></domain>`,
		name, a.Name, m.Type, loader, map[bool]string{true: "<features><acpi/></features>"}[m.ACPI], c.Emulator)
	return call(ctx, time.Minute, func() error {
		dom, err := lv.DomainCreateXML(x, 0)
		if err != nil {
			return err
		}
		defer lv.DomainDestroy(dom)
		time.Sleep(kvmRunFor)
		state, reason, err := lv.DomainGetState(dom, 0)
		if err != nil {
			return fmt.Errorf("the probe domain is gone: %v", err)
		}
		if golibvirt.DomainState(state) != golibvirt.DomainRunning {
			return fmt.Errorf("the probe domain stopped within %s (state %d, reason %d)", kvmRunFor, state, reason)
		}
		return nil
	})
}
