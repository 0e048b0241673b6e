package arch

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// AccelFor picks the accelerator for a guest of this arch: KVM when the
// guest matches the host, kvmDevice opens, and QEMU can really start a KVM
// vCPU with the host CPU model (a /dev/kvm that exists but is broken, as in
// some nested set-ups, gives TCG); TCG otherwise. why says how it was decided.
func (a Arch) AccelFor(ctx context.Context, kvmDevice string) (acc Accel, why string) {
	if a.Name != Host() {
		return TCG, fmt.Sprintf("guest %s differs from host %s", a.Name, Host())
	}
	f, err := os.OpenFile(kvmDevice, os.O_RDWR, 0)
	if err != nil {
		return TCG, fmt.Sprintf("%s not usable: %v", kvmDevice, err)
	}
	f.Close()
	if err := a.probeKVM(ctx); err != nil {
		return TCG, fmt.Sprintf("%s exists but QEMU cannot start a KVM guest: %v", kvmDevice, err)
	}
	return KVM, kvmDevice + " works"
}

// probeKVM starts QEMU paused with KVM and the host CPU model, as the
// domain would, and quits it through the monitor.
func (a Arch) probeKVM(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.QEMUBinary, "-machine", a.Machine+",accel=kvm", "-cpu", "host",
		"-display", "none", "-nodefaults", "-S", "-monitor", "stdio")
	cmd.Stdin = strings.NewReader("quit\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, lastLine(string(out)))
	}
	return nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
