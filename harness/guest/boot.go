package guest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/cleanup"
	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/seed"
	"github.com/imagegate/imagegate/harness/sshx"
	"github.com/imagegate/imagegate/harness/vm"
)

// User is the account the seed creates for the harness.
const User = "imagegate"

// Cleanup registers an undo step; steps run in reverse order. The Ginkgo
// bridge passes DeferCleanup; spawn and tests pass their own.
type Cleanup func(name string, f func(context.Context) error)

// Boot prepares and starts the target's guest and waits until it accepts
// our key over SSH; Settle must follow, which confirms the host key against
// the console. Every resource is handed to cleanup right after it is made.
// logf reports progress.
//
// A failed boot returns a *fault.Fault saying who is at fault: anything
// before the machine runs is the host's; after that the console and the
// machine's state decide (see watcher). The target's fault.json records it.
func Boot(ctx context.Context, t run.Target, h Hooks) (*Guest, error) {
	return boot(ctx, t, h, true)
}

func boot(ctx context.Context, t run.Target, h Hooks, main bool) (*Guest, error) {
	h, err := h.check()
	if err != nil {
		return nil, err
	}
	for _, d := range []string{t.Layout.Work, t.Layout.Out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, HostFault(err)
		}
	}
	key, err := sshx.NewKey(User + "@" + t.Machine.Name)
	if err != nil {
		return nil, HostFault(err)
	}
	sp, seedPath, err := writeSeed(t, key, h.Undo)
	if err != nil {
		return nil, HostFault(err)
	}
	g, err := startMachine(ctx, t, seedPath, h, main)
	if err != nil {
		return nil, HostFault(err)
	}
	g.Key, g.Seed = key, sp
	return g, g.waitSSH(ctx)
}

// HostFault makes an error from setting a guest up (pinning, the seed,
// libvirt, the overlay, starting the domain) a host fault: the image has
// not run yet, so it cannot be to blame.
func HostFault(err error) error {
	if _, ok := fault.As(err); ok || err == nil {
		return err
	}
	switch {
	case errors.Is(err, context.Canceled):
		return err // interrupted: not a fault
	case errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "No space left on device"):
		return fault.New(fault.Host, fault.DiskError, "no space left on the host: free space where --work-dir points (%v)", err)
	case errors.Is(err, vm.ErrPortTaken):
		return fault.New(fault.Host, fault.PortTaken, "%v", err)
	}
	return fault.New(fault.Host, fault.HostSetup, "%v", err)
}

// writeSeed writes the NoCloud seed ISO into the work dir and a copy of
// its files (the user-data holds the public key only) into the evidence.
func writeSeed(t run.Target, key sshx.Key, undo Cleanup) (seed.Spec, string, error) {
	sp := seed.Spec{InstanceID: t.InstanceID(), Hostname: t.Hostname(),
		User:          seed.User{Name: User, AuthorizedKey: key.AuthorizedKey},
		ExtraUserData: t.Options.UserData, NetworkConfig: []byte(t.Options.NetworkConfig)}
	plan, err := sp.Plan()
	if err != nil {
		return sp, "", err
	}
	seedPath := t.Layout.Seed()
	undo("remove seed", func(context.Context) error {
		if t.Options.Keep {
			return nil // a kept guest still uses it
		}
		return os.RemoveAll(seedPath)
	})
	if err := plan.WriteISO(seedPath); err != nil {
		return sp, "", err
	}
	for _, f := range plan.Files { // meta-data, user-data (public key only), network-config
		os.WriteFile(t.Layout.Evidence(f.Name), f.Data, 0o644)
	}
	return sp, seedPath, nil
}

// startMachine connects to libvirt and starts the domain, registering its
// destruction (or, with --keep / --keep-failed, what is kept) at once, and
// starts watching it.
func startMachine(ctx context.Context, t run.Target, seedPath string, h Hooks, main bool) (*Guest, error) {
	undo, logf := h.Undo, h.Logf
	a, err := arch.Lookup(t.Image.Arch)
	if err != nil {
		return nil, err
	}
	drv, err := vm.Open(t.Machine.URI)
	if err != nil {
		return nil, err
	}
	undo("close the hypervisor connection", func(context.Context) error { return drv.Close() })
	spec := vm.Spec{Name: t.Machine.Name, Arch: a, Accel: arch.Accel(t.Machine.Accel), MemoryMiB: t.Machine.MemoryMiB, CPUs: t.Machine.CPUs,
		Image: t.Image.Boot().Image, ImageFormat: t.Image.Format, DiskGiB: t.Machine.DiskGiB, Seed: seedPath,
		Kernel: t.Image.Boot().Kernel, Initrd: t.Image.Boot().Initrd, Cmdline: t.Image.Cmdline, SSHPort: t.Machine.SSHPort,
		WorkDir: t.Layout.Work, ConsoleLog: t.Layout.Console(), TBCacheMiB: vm.TBCacheMiB, SHA256: pinnedDigests(t.Image)}
	logf("starting domain %s (%s)", t.Machine.Name, t.Machine.Accel)
	if main {
		h.Events.Emit(event.PhaseOf(event.Booting, t.Machine.Name+" ("+t.Machine.Accel+")"))
	}
	start := time.Now()
	m, err := drv.Create(ctx, spec)
	if err != nil {
		return nil, err
	}
	g := &Guest{Target: t, Machine: m, started: start, main: main, hooks: h}
	g.Timing("domain-start", time.Since(start))
	g.watch, g.alive = watch(m, g.RecordFault)
	undo("destroy machine", g.destroy)
	if dd, ok := m.(vm.DefinitionDumper); ok {
		if x, err := dd.Definition(); err == nil {
			os.WriteFile(t.Layout.Domain(), x, 0o644)
		}
	}
	return g, nil
}

// RecordFault notes the guest's death (or a boot that failed) once: in
// the progress log and, for the target's main guest, in its fault.json.
func (g *Guest) RecordFault(f *fault.Fault) {
	g.faultOnce.Do(func() {
		g.hooks.Logf("guest %s: %s fault: %s", g.Target.Machine.Name, f.Party, f.Error())
		if g.main {
			fault.Write(g.Target.Layout.Out, f)
		}
	})
}

// destroy ends the guest: left running with --keep; with --keep-failed, a
// failed guest's disk is moved into the evidence first.
func (g *Guest) destroy(ctx context.Context) error {
	t, m, logf := g.Target, g.Machine, g.hooks.Logf
	g.watch.stop()
	g.measureMemory()
	if t.Options.Keep {
		logf("--keep: leaving %s running: %s", t.Machine.Name, g.KeepAccess())
		return nil
	}
	var errs []error
	if k, ok := m.(vm.DiskKeeper); ok && t.Options.KeepFailed && g.failed {
		disk, base := t.Layout.KeptDisk(), t.Image.Path // the candidate: the pinned copy goes
		errs = append(errs, k.KeepDisk(ctx, disk, base))
		logf("--keep-failed: the guest's disk is %s (an overlay on %s)", disk, base)
	}
	errs = append(errs, m.Destroy(ctx))
	os.Chmod(m.ConsolePath(), 0o644) // QEMU makes it 0600; it is evidence for all
	return cleanup.Join(errs...)
}

// measureMemory reports the machine's peak resident memory, where the
// driver can tell (a local libvirtd).
func (g *Guest) measureMemory() {
	if r, ok := g.Machine.(vm.MemoryReporter); ok && g.main {
		if b, err := r.PeakRSS(); err == nil {
			g.hooks.Events.Emit(event.MeasureOf("qemu-peak-rss", float64(b)/(1<<20), "MiB"))
		}
	}
}

// waitSSH waits until the guest accepts our key, within the target's boot
// timeout — or until the watcher sees it die, which ends the wait at once
// with that fault. sshd answers well before cloud-init announces the host
// keys on the console, late in its final stage, so the connection starts
// with the offered key taken provisionally: Settle confirms it against the
// console before anything read over it counts (confirmHostKey).
func (g *Guest) waitSSH(ctx context.Context) error {
	t, m, logf := g.Target, g.Machine, g.hooks.Logf
	logf("waiting for SSH on %s (timeout %s)", m.SSHAddr(), t.Machine.BootTimeout)
	g.emit(event.SSHWait, m.SSHAddr())
	c, err := g.dialSSH(ctx, logf)
	if err != nil {
		return err
	}
	g.SSH = c
	g.BootToSSH = time.Since(g.started)
	g.Timing("boot-to-ssh", g.BootToSSH)
	g.hooks.Undo("close ssh", func(context.Context) error { return c.Close() })
	logf("SSH up after %s", g.BootToSSH.Round(time.Second))
	return nil
}

// dialSSH is the first wait for SSH.
func (g *Guest) dialSSH(ctx context.Context, logf func(string, ...any)) (c *sshx.Client, err error) {
	err = g.untilUp(ctx, func(ctx context.Context) error {
		c, err = sshx.Wait(ctx, sshx.Config{Addr: g.Machine.SSHAddr(), User: User, Key: g.Key,
			Fingerprints: g.ConsoleFingerprints, Log: logf, ConfirmLater: true})
		return err
	})
	return c, err
}

// untilUp runs connect (a wait for SSH: the first boot, after sshd
// restarted, after a reboot) until it succeeds, the guest dies or the boot
// timeout ends, whichever comes first, and closes the boot window on
// success. Not coming up in time is judged by what the console showed
// (timeoutFault); an interrupt is returned as it is.
func (g *Guest) untilUp(ctx context.Context, connect func(context.Context) error) error {
	wctx, cancel := context.WithTimeout(ctx, g.Target.Machine.BootTimeout)
	defer cancel()
	wctx, stop := within(wctx, g.alive)
	defer stop()
	err := connect(wctx)
	switch {
	case err == nil:
		g.watch.endBoot()
		return nil
	case g.dead() != nil:
		return g.dead()
	case ctx.Err() != nil:
		return err // interrupted
	}
	f := g.watch.timeoutFault(g.Target.Machine.BootTimeout, err)
	g.watch.fire(f)
	return f
}

// dead is the fault the guest died of, or nil while it lives.
func (g *Guest) dead() *fault.Fault { return causeOf(g.alive) }

// Dead is the fault the guest died of, or nil while it lives.
func (g *Guest) Dead() *fault.Fault { return g.dead() }

// BootError is the message of a failed boot for its JUnit case: the fault,
// who is at fault, and the console's last lines.
func BootError(t run.Target, err error) string {
	if f, ok := fault.As(err); ok {
		return Describe(f, t.Layout.Console())
	}
	return fmt.Sprintf("%s: %v", t.ID(), err)
}

// pinnedDigests are the planned digests of the pinned copies, which
// pinning checked; nothing before the image is pinned.
func pinnedDigests(i run.Image) map[string]string {
	if i.Pinned == nil {
		return nil
	}
	d := map[string]string{}
	for path, sum := range map[string]string{i.Pinned.Image: i.SHA256, i.Pinned.Kernel: i.KernelSHA256, i.Pinned.Initrd: i.InitrdSHA256} {
		if path != "" && sum != "" {
			d[path] = sum
		}
	}
	return d
}
