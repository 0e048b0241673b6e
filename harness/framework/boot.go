package framework

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/cleanup"
	"github.com/imagegate/imagegate/harness/console"
	"github.com/imagegate/imagegate/harness/seed"
	"github.com/imagegate/imagegate/harness/sshx"
	"github.com/imagegate/imagegate/harness/vm"
	"github.com/imagegate/imagegate/harness/vm/libvirt"
)

// GuestUser is the account the seed creates for the harness.
const GuestUser = "imagegate"

// Cleanup registers an undo step; steps run in reverse order. The Ginkgo
// side passes DeferCleanup; tests pass their own.
type Cleanup func(name string, f func(context.Context) error)

// Boot prepares and starts the target's guest and waits until it accepts
// our key over SSH with a host key announced on its console. Every resource
// is handed to cleanup right after it is made. logf reports progress.
func Boot(ctx context.Context, t Target, undo Cleanup, logf func(string, ...any)) (*Guest, error) {
	for _, d := range []string{t.WorkDir, t.OutDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	key, err := sshx.NewKey(GuestUser + "@" + t.Domain)
	if err != nil {
		return nil, err
	}
	sp, seedPath, err := writeSeed(t, key, undo)
	if err != nil {
		return nil, err
	}
	g, err := startMachine(ctx, t, seedPath, undo, logf)
	if err != nil {
		return nil, err
	}
	g.Key, g.Seed = key, sp
	return g, g.waitSSH(ctx, undo, logf)
}

// writeSeed writes the NoCloud seed ISO into the work dir and a copy of
// its user-data and meta-data (public key only) into the evidence.
func writeSeed(t Target, key sshx.Key, undo Cleanup) (seed.Spec, string, error) {
	sp := seed.Spec{InstanceID: t.InstanceID(), Hostname: t.Hostname(),
		User:          seed.User{Name: GuestUser, AuthorizedKey: key.AuthorizedKey},
		ExtraUserData: t.UserData, NetworkConfig: []byte(t.NetworkConfig)}
	plan, err := sp.Plan()
	if err != nil {
		return sp, "", err
	}
	seedPath := filepath.Join(t.WorkDir, "seed.iso")
	if err := plan.WriteISO(seedPath); err != nil {
		return sp, "", err
	}
	undo("remove seed", func(context.Context) error {
		if t.Keep {
			return nil // a kept guest still uses it
		}
		return os.RemoveAll(seedPath)
	})
	os.WriteFile(filepath.Join(t.OutDir, "user-data"), plan.UserData(), 0o644)
	os.WriteFile(filepath.Join(t.OutDir, "meta-data"), plan.MetaData(), 0o644)
	return sp, seedPath, nil
}

// startMachine connects to libvirt and starts the domain, registering its
// destruction (or, with --keep / --keep-failed, what is kept) at once.
func startMachine(ctx context.Context, t Target, seedPath string, undo Cleanup, logf func(string, ...any)) (*Guest, error) {
	a, err := arch.Lookup(t.Arch)
	if err != nil {
		return nil, err
	}
	drv, err := libvirt.Connect(ctx, t.LibvirtURI)
	if err != nil {
		return nil, err
	}
	undo("close libvirt connection", func(context.Context) error { return drv.Close() })
	spec := vm.Spec{Name: t.Domain, Arch: a, Accel: arch.Accel(t.Accel), MemoryMiB: t.MemoryMiB, CPUs: t.CPUs,
		Image: t.ImagePath, ImageFormat: t.ImageFormat, DiskGiB: t.DiskGiB, Seed: seedPath,
		Kernel: t.Kernel, Initrd: t.Initrd, Cmdline: t.Cmdline,
		WorkDir: t.WorkDir, ConsoleLog: filepath.Join(t.OutDir, "console.log"), TBCacheMiB: 256}
	logf("starting domain %s (%s)", t.Domain, t.Accel)
	start := time.Now()
	m, err := drv.Create(ctx, spec)
	if err != nil {
		return nil, err
	}
	g := &Guest{Target: t, Machine: m, started: start,
		Timings: map[string]float64{"domain-start": time.Since(start).Seconds()}}
	undo("destroy machine", func(ctx context.Context) error { return g.destroy(ctx, logf) })
	if dd, ok := m.(vm.DefinitionDumper); ok {
		if x, err := dd.Definition(); err == nil {
			os.WriteFile(filepath.Join(t.OutDir, "domain.xml"), x, 0o644)
		}
	}
	return g, nil
}

// destroy ends the guest: left running with --keep; with --keep-failed, a
// failed guest's disk is moved into the evidence first.
func (g *Guest) destroy(ctx context.Context, logf func(string, ...any)) error {
	t, m := g.Target, g.Machine
	if t.Keep {
		logf("--keep: leaving %s running: %s", t.Domain, g.keepAccess())
		return nil
	}
	var errs []error
	if k, ok := m.(vm.DiskKeeper); ok && t.KeepFailed && g.failed {
		disk := filepath.Join(t.OutDir, "disk.qcow2")
		base := t.ImagePath
		if t.ImageOrigin != "" {
			base = t.ImageOrigin
		}
		errs = append(errs, k.KeepDisk(ctx, disk, base))
		logf("--keep-failed: the guest's disk is %s (an overlay on %s)", disk, base)
	}
	errs = append(errs, m.Destroy(ctx))
	os.Chmod(m.ConsolePath(), 0o644) // QEMU makes it 0600; it is evidence for all
	return cleanup.Join(errs...)
}

// waitSSH waits until the guest accepts our key with a host key announced
// on its console, within the target's boot timeout.
func (g *Guest) waitSSH(ctx context.Context, undo Cleanup, logf func(string, ...any)) error {
	t, m := g.Target, g.Machine
	logf("waiting for SSH on %s (timeout %s)", m.SSHAddr(), t.BootTimeout)
	wctx, cancel := context.WithTimeout(ctx, t.BootTimeout)
	defer cancel()
	c, err := sshx.Wait(wctx, sshx.Config{Addr: m.SSHAddr(), User: GuestUser, Key: g.Key,
		Fingerprints: g.ConsoleFingerprints, Log: logf})
	if err != nil {
		return fmt.Errorf("%s did not accept SSH within %s: %w\n--- console tail\n%s", t.ID(), t.BootTimeout, err, console.TailFile(m.ConsolePath(), 40))
	}
	g.SSH = c
	g.BootToSSH = time.Since(g.started)
	g.Timings["boot-to-ssh"] = g.BootToSSH.Seconds()
	undo("close ssh", func(context.Context) error { return c.Close() })
	logf("SSH up after %s", g.BootToSSH.Round(time.Second))
	return nil
}
