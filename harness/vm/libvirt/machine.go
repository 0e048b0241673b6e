package libvirt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/imagegate/imagegate/harness/cleanup"
	"github.com/imagegate/imagegate/harness/vm"

	golibvirt "github.com/digitalocean/go-libvirt"
)

// Machine is a running transient domain and the files made for it.
type Machine struct {
	d       *Driver
	spec    vm.Spec
	paths   Paths
	xml     []byte
	once    sync.Once
	destroy error
	exits   exitWatch
	rem     *remoteParts // on a remote host only
}

var (
	_ vm.Machine          = (*Machine)(nil)
	_ vm.DefinitionDumper = (*Machine)(nil)
	_ vm.ExitWatcher      = (*Machine)(nil)
)

func (m *Machine) Name() string                { return m.spec.Name }
func (m *Machine) SSHAddr() string             { return fmt.Sprintf("127.0.0.1:%d", m.spec.SSHPort) }
func (m *Machine) ConsolePath() string         { return m.paths.Console }
func (m *Machine) Definition() ([]byte, error) { return m.xml, nil }

// Exits reports the domain stopping (or the connection to libvirtd
// dropping) other than through Destroy or KeepDisk.
func (m *Machine) Exits() <-chan vm.Exit { return m.exits.ch }

// Create makes the overlay and starts the domain. A port chosen here and
// taken before QEMU binds it is retried with another; a port the spec asks
// for is not (vm.ErrPortTaken).
func (d *Driver) Create(ctx context.Context, s vm.Spec) (vm.Machine, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	mach, err := machineFor(s.Arch)
	if err != nil {
		return nil, err
	}
	if d.remote() {
		return d.createRemote(ctx, s, mach)
	}
	if err := mach.checkEmulator(s.Arch); err != nil {
		return nil, err
	}
	var fw Firmware
	if s.Kernel == "" {
		if fw, err = mach.firmware(s.Arch); err != nil {
			return nil, err
		}
	}
	if err := checkImage(s.Image); err != nil {
		return nil, err
	}
	m := &Machine{d: d, spec: s, paths: PathsFor(s)}
	if err := os.MkdirAll(s.WorkDir, 0o755); err != nil {
		return nil, err
	}
	if err := createOverlay(ctx, s, m.paths.Overlay); err != nil {
		return nil, err
	}
	lv, err := d.conn(ctx)
	if err != nil {
		return nil, cleanup.Join(err, m.Destroy(ctx))
	}
	// Watch before starting, so an early death is not missed.
	if err := m.exits.start(lv, s.Name, d.qemuLog(s.Name)); err != nil {
		return nil, cleanup.Join(fmt.Errorf("watch domain %s: %w: %w", s.Name, vm.ErrInfrastructure, err), m.Destroy(ctx))
	}
	const tries = 3
	chosen := s.SSHPort != 0
	for i := 1; ; i++ {
		if !chosen {
			if m.spec.SSHPort, err = vm.FreePort(); err != nil {
				return nil, cleanup.Join(err, m.Destroy(ctx))
			}
		}
		err = m.start(ctx, lv, fw)
		if err == nil || !portClash(err) || chosen || i == tries {
			break
		}
	}
	switch {
	case err == nil:
		return m, nil
	case chosen && portClash(err):
		err = fmt.Errorf("127.0.0.1:%d: %w: another process holds it; free it or choose another port: %v", s.SSHPort, vm.ErrPortTaken, err)
	default:
		err = fmt.Errorf("start domain %s: %w: %w", s.Name, vm.ErrInfrastructure, err)
	}
	return nil, cleanup.Join(err, m.Destroy(context.WithoutCancel(ctx)))
}

func (m *Machine) start(ctx context.Context, lv *golibvirt.Libvirt, fw Firmware) error {
	x, err := DomainXML(m.spec, m.paths, fw)
	if err != nil {
		return err
	}
	m.xml = x
	os.Remove(m.paths.NVRAM) // a fresh variable store per boot attempt
	err = call(ctx, 2*time.Minute, func() error {
		_, err := lv.DomainCreateXML(string(x), 0)
		return err
	})
	if ctx.Err() != nil {
		// The call may still complete after we gave up: make sure it dies.
		m.d.DestroyByName(context.WithoutCancel(ctx), m.spec.Name)
	}
	return err
}

func portClash(err error) bool {
	s := err.Error()
	return strings.Contains(s, "host forwarding") || strings.Contains(s, "hostfwd")
}

// Destroy force-stops the domain and removes its overlay and variable store.
// The console log stays: it is evidence. Safe to call more than once.
func (m *Machine) Destroy(ctx context.Context) error {
	m.once.Do(func() {
		m.exits.stop()
		if m.rem != nil {
			m.destroy = m.destroyRemote(ctx)
			return
		}
		var errs []error
		if !m.d.isClosed() {
			errs = append(errs, m.d.DestroyByName(ctx, m.spec.Name))
		}
		for _, p := range []string{m.paths.Overlay, m.paths.NVRAM} {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		m.destroy = cleanup.Join(errs...)
	})
	return m.destroy
}

// KeepDisk stops the domain and moves its overlay to dst (for
// --keep-failed); Destroy then has nothing left to remove but the rest.
func (m *Machine) KeepDisk(ctx context.Context, dst, backing string) error {
	m.exits.stop()
	if m.rem != nil {
		return m.keepRemoteDisk(ctx, dst, backing)
	}
	if err := m.d.DestroyByName(ctx, m.spec.Name); err != nil {
		return err
	}
	if err := os.Rename(m.paths.Overlay, dst); err != nil {
		// Another file system: copy with qemu-img, which keeps the backing link.
		out, cerr := exec.CommandContext(ctx, "qemu-img", "convert", "-O", "qcow2", "-B", m.spec.Image, "-F", m.spec.ImageFormat, m.paths.Overlay, dst).CombinedOutput()
		if cerr != nil {
			return fmt.Errorf("keep disk %s: %v: %s", dst, cerr, out)
		}
	}
	if backing == "" || backing == m.spec.Image {
		return nil
	}
	return m.pointAt(ctx, dst, backing)
}

// pointAt makes the kept overlay dst refer to backing, a file with the
// candidate's bytes: only the overlay's header changes.
func (m *Machine) pointAt(ctx context.Context, dst, backing string) error {
	out, err := exec.CommandContext(ctx, "qemu-img", "rebase", "-u", "-F", m.spec.ImageFormat, "-b", backing, dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("keep disk %s: point it at %s: %v: %s", dst, backing, err, out)
	}
	return nil
}

var _ vm.DiskKeeper = (*Machine)(nil)

func checkImage(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("image %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("image %s is not a regular file", path)
	}
	return nil
}

// createOverlay makes a qcow2 overlay backed by the candidate. QEMU opens the
// backing file read-only, so the candidate is never written.
func createOverlay(ctx context.Context, s vm.Spec, path string) error {
	args := []string{"create", "-q", "-f", "qcow2", "-F", s.ImageFormat, "-b", s.Image, path}
	if s.DiskGiB > 0 {
		args = append(args, fmt.Sprintf("%dG", s.DiskGiB))
	}
	out, err := exec.CommandContext(ctx, "qemu-img", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("create overlay for %s: qemu-img %s: %v: %s", s.Image, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
