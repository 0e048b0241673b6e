package libvirt

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/textx"
)

// Accel picks the accelerator for a guest of a: KVM when the guest matches
// the host, kvmDevice opens, and a KVM vCPU with the host CPU model really
// runs the arch's firmware (a /dev/kvm that exists but is broken, as in
// some nested set-ups, gives TCG); TCG otherwise. why says how it was
// decided.
func (d *Driver) Accel(ctx context.Context, a arch.Arch, kvmDevice string) (acc arch.Accel, why string) {
	if d.remote() {
		return d.remoteAccel(ctx, a)
	}
	if a.Name != arch.Host() {
		return arch.TCG, fmt.Sprintf("guest %s differs from host %s", a.Name, arch.Host())
	}
	f, err := os.OpenFile(kvmDevice, os.O_RDWR, 0)
	if err != nil {
		return arch.TCG, fmt.Sprintf("%s not usable: %v", kvmDevice, err)
	}
	f.Close()
	if err := probeKVM(ctx, a, kvmDevice); err != nil {
		return arch.TCG, fmt.Sprintf("%s exists but QEMU cannot start a KVM guest: %v", kvmDevice, err)
	}
	return arch.KVM, kvmDevice + " works"
}

// kvmRunFor is how long the probe lets a KVM vCPU run firmware code.
const kvmRunFor = 3 * time.Second

var kvmProbes sync.Map // binary, machine, firmware -> error (nil: works)

// probeKVM runs the arch's firmware (or none) under KVM with the host CPU
// model, as the domain would, for a few seconds and asks QEMU whether the
// VM still runs. Merely starting QEMU paused is not enough: on some hosts
// (nested, an old hypervisor below) QEMU starts and then stops at the
// first instruction with a KVM emulation failure ("paused
// (internal-error)"), or aborts setting up the vCPU. The answer is kept for
// the process, and in the user's cache for this boot of the host
// (kvmcache.go).
func probeKVM(ctx context.Context, a arch.Arch, kvmDevice string) error {
	m, err := machineFor(a)
	if err != nil {
		return err
	}
	fw, _ := m.firmware(a)
	key := m.QEMUBinary + "\x00" + m.Type + "\x00" + fw.Code
	if v, ok := kvmProbes.Load(key); ok {
		err, _ := v.(error)
		return err
	}
	err = probeOrRecall(ctx, kvmDevice, m.QEMUBinary, m.Type, fw)
	if ctx.Err() == nil { // an interrupted probe has no answer to keep
		kvmProbes.Store(key, err)
	}
	return err
}

// probeOrRecall answers from the user's cache when this boot of the host
// already probed the same QEMU, firmware and device, and probes (keeping
// the answer there) otherwise.
func probeOrRecall(ctx context.Context, kvmDevice, binary, machine string, fw Firmware) error {
	file, ck := probeCacheFile(), probeKey(kvmDevice, binary, machine, fw.Code)
	if why, ok := cachedProbe(file, ck); ok {
		if why == "" {
			return nil
		}
		return fmt.Errorf("%s (probed earlier in this boot of the host)", why)
	}
	err := runKVMProbe(ctx, binary, machine, fw)
	if ctx.Err() != nil {
		return err
	}
	why := ""
	if err != nil {
		why = err.Error()
	}
	storeProbe(file, ck, why)
	return err
}

func runKVMProbe(ctx context.Context, binary, machine string, fw Firmware) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	args := []string{"-machine", machine + ",accel=kvm", "-cpu", "host", "-m", "256",
		"-display", "none", "-nodefaults", "-monitor", "stdio"}
	switch {
	case fw.ROM():
		args = append(args, "-bios", fw.Code)
	case fw.Code != "":
		args = append(args, "-drive", "if=pflash,format=raw,readonly=on,file="+fw.Code)
	}
	cmd := exec.CommandContext(ctx, binary, args...)
	// An OS pipe, not an io.Pipe: writing to a QEMU that has died fails at
	// once instead of blocking on a copier nobody reads from any more.
	out, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done: // QEMU ended by itself: it could not run a KVM vCPU
		return fmt.Errorf("QEMU ended at once (%v): %s", err, textx.LastLine(buf.String()))
	case <-time.After(kvmRunFor):
	}
	io.WriteString(out, "info status\n")
	time.Sleep(500 * time.Millisecond)
	io.WriteString(out, "quit\n")
	out.Close()
	<-done
	status := ""
	for _, l := range strings.Split(buf.String(), "\n") {
		if i := strings.Index(l, "VM status: "); i >= 0 {
			status = strings.TrimSpace(l[i+len("VM status: "):])
		}
	}
	if status != "running" {
		return fmt.Errorf("a KVM vCPU running the firmware stopped within %s (VM status: %q)", kvmRunFor, status)
	}
	return nil
}
