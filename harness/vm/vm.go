package vm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/imagegate/imagegate/harness/arch"
)

// ErrNotSupported is returned for an optional ability a backend lacks.
var ErrNotSupported = errors.New("not supported by this vm driver")

// ErrInfrastructure marks failures of the host, not of the guest: the
// hypervisor is unreachable or refused to start a machine. A run that hits
// one could not judge the image.
var ErrInfrastructure = errors.New("infrastructure error")

// ErrPortTaken means the SSH port the caller asked for (Spec.SSHPort) is
// held by another process on 127.0.0.1. It is an ErrInfrastructure.
var ErrPortTaken = fmt.Errorf("forwarded port taken (%w)", ErrInfrastructure)

// GuestMAC is the MAC address of every guest's one NIC (QEMU's locally
// administered prefix), so a seed's network-config can match it.
const GuestMAC = "52:54:00:49:47:01"

// TBCacheMiB is the TCG translation cache every guest gets. The cache
// fills and stays resident: a ppc64le guest had filled 256 MiB and
// flushed it five times by the time sshd answered, so 256 MiB of its
// 755 MiB peak RSS was the cache and 404 MiB guest RAM. At 192 MiB,
// side by side on '!slow' runs (2026-12-04), the peak fell by 64-74 MiB
// (ppc64le 759/756 -> 685/683 MiB, x86_64 693 -> 629) and the runs were
// no slower (ppc64le 138/138 s -> 119/133 s, x86_64 101 -> 95 s). At
// 128 MiB an x86_64 run's quick checks took 14 % longer.
const TBCacheMiB = 192

// Spec is everything needed to boot one guest. It is plain data, built and
// checked before anything is started.
type Spec struct {
	Name        string // unique domain name, e.g. imagegate-<run>-<image>-<arch>
	Arch        arch.Arch
	Accel       arch.Accel
	MemoryMiB   int
	CPUs        int
	Image       string // the candidate; opened read-only through an overlay
	ImageFormat string // qcow2 or raw
	DiskGiB     int    // virtual size of the overlay; 0 keeps the image's size
	Seed        string // NoCloud ISO, attached read-only
	// Kernel, Initrd and Cmdline boot the guest directly, for platforms
	// whose boot loader cannot be installed without a block device (s390x
	// zipl). Empty Kernel boots through the firmware.
	Kernel, Initrd, Cmdline string
	WorkDir                 string // where the overlay and firmware variables go
	ConsoleLog              string // serial console file; empty puts it in WorkDir
	// SSHPort is the host port on 127.0.0.1 forwarded to the guest's 22.
	// 0 picks a free one (and another if it is taken before QEMU binds it);
	// a given port is used or the start fails with ErrPortTaken.
	SSHPort    int
	TBCacheMiB int // TCG translation cache cap (see TBCacheMiB); 0 leaves QEMU's default
	// SHA256 is the hex digest of files above by path, where known (the
	// pinned copies, checked against the planned digests): a remote host
	// names uploaded content by it, and hashes only files not listed.
	SHA256 map[string]string
}

// Validate reports the first problem with the spec.
func (s Spec) Validate() error {
	switch {
	case s.Name == "":
		return errors.New("vm spec: empty name")
	case s.Arch.Name == "":
		return fmt.Errorf("vm spec %s: no architecture", s.Name)
	case s.MemoryMiB < 256:
		return fmt.Errorf("vm spec %s: memory %d MiB is below 256 MiB", s.Name, s.MemoryMiB)
	case s.CPUs < 1:
		return fmt.Errorf("vm spec %s: %d CPUs", s.Name, s.CPUs)
	case s.Image == "" || s.Seed == "" || s.WorkDir == "":
		return fmt.Errorf("vm spec %s: image, seed and work dir are required", s.Name)
	case s.ImageFormat != "qcow2" && s.ImageFormat != "raw":
		return fmt.Errorf("vm spec %s: image format %q is not qcow2 or raw", s.Name, s.ImageFormat)
	}
	return nil
}

// Driver is one hypervisor connection (vm.Open). Create returns a started
// machine; on error, nothing it made is left behind.
type Driver interface {
	Create(ctx context.Context, s Spec) (Machine, error)
	// List names the machines whose name starts with prefix (a run's
	// leftovers: imagegate-<run-id>-).
	List(ctx context.Context, prefix string) ([]string, error)
	// DestroyByName force-stops and removes a machine by name; one that
	// does not exist is not an error.
	DestroyByName(ctx context.Context, name string) error
	// Ping checks that the hypervisor answers, with an error that says
	// how to start it.
	Ping(ctx context.Context) error
	// Preflight says what the host lacks to run a guest of a (its
	// emulator, its firmware unless it boots a kernel directly), in
	// words that name what to install.
	Preflight(a arch.Arch, directKernel bool) error
	// Accel is the accelerator a guest of a gets here, and why: KVM only
	// when it really works, TCG otherwise.
	Accel(ctx context.Context, a arch.Arch, kvmDevice string) (arch.Accel, string)
	// Close ends the connection; machines keep running until destroyed.
	Close() error
}

// Machine is one running guest.
type Machine interface {
	Name() string
	// SSHAddr is host:port on the loopback address where the guest's sshd is.
	SSHAddr() string
	// ConsolePath is the file the serial console is written to.
	ConsolePath() string
	// Destroy stops the guest and removes what Create made. It is
	// idempotent: calling it again, or on a half-created machine, is safe.
	Destroy(ctx context.Context) error
}

// ExitReason says how a machine stopped running without being asked to.
type ExitReason string

const (
	ExitShutdown       ExitReason = "guest-shutdown"  // the guest powered itself off
	ExitCrashed        ExitReason = "guest-crashed"   // the guest reported a crash to the hypervisor
	ExitFailed         ExitReason = "emulator-failed" // the emulator ended without the guest asking: killed, out of memory, an assertion
	ExitDestroyed      ExitReason = "destroyed"       // stopped from outside (virsh destroy)
	ExitPaused         ExitReason = "paused"          // paused, e.g. on a disk I/O error (a full host disk)
	ExitConnectionLost ExitReason = "connection-lost" // the hypervisor connection dropped; the machine's state is unknown
)

// Exit is one unexpected end of a machine.
type Exit struct {
	Reason ExitReason
	Detail string // what the hypervisor said, e.g. the last lines of QEMU's log
}

// ExitWatcher is an optional ability: Exits delivers at most one Exit when
// the machine stops running (or can no longer be watched) other than by
// Destroy or KeepDisk. A guest rebooting itself is not an exit.
type ExitWatcher interface {
	Exits() <-chan Exit
}

// DefinitionDumper is an optional ability: the backend's definition of the
// machine (libvirt domain XML), kept as evidence.
type DefinitionDumper interface {
	Definition() ([]byte, error)
}

// MemoryReporter is an optional ability: the most memory the machine's
// process has held resident so far (its peak RSS), in bytes.
type MemoryReporter interface {
	PeakRSS() (int64, error)
}

// DiskKeeper is an optional ability: KeepDisk stops the guest and moves
// its disk (the overlay) to dst instead of letting Destroy delete it. A
// non-empty backing makes the kept overlay refer to that file instead of
// Spec.Image (which may be a temporary copy); it must have the same bytes.
type DiskKeeper interface {
	KeepDisk(ctx context.Context, dst, backing string) error
}

// Tunneler is an optional ability of a driver whose machines may run on
// another host: Tunnel makes the named running machine's SSH reachable at
// local (127.0.0.1:port) on this host until the closer is closed. For a
// machine of this host it returns ErrNotSupported: its SSH is local already.
type Tunneler interface {
	Tunnel(ctx context.Context, name, local string) (io.Closer, error)
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1. Another process
// may take it before QEMU binds it; drivers retry on such a clash.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port on 127.0.0.1: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
