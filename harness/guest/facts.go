package guest

import (
	"context"
	"sync"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/pkgdb"
	"github.com/imagegate/imagegate/harness/sshx"
	"github.com/imagegate/imagegate/harness/vm"
)

// What checks ask of a guest beyond running commands, so that suites need
// neither the VM driver, nor the SSH client, nor the arch table.

// NICMAC is the MAC address of every guest's one NIC, so a seed's
// network-config can match it.
const NICMAC = vm.GuestMAC

// KernelConsole is the kernel's console device for the guest's arch
// (ttyS0, ttyAMA0, hvc0, ttysclp0).
func (g *Guest) KernelConsole() (string, error) {
	a, err := arch.Lookup(g.Target.Image.Arch)
	return a.Console, err
}

// OffersPassword asks the guest's sshd, as a fresh client verifying the
// host key announced on the console, whether it offers password
// authentication to the harness user.
func (g *Guest) OffersPassword(ctx context.Context) (bool, error) {
	return sshx.OffersPassword(ctx, g.Machine.SSHAddr(), User, g.ConsoleFingerprints)
}

// packages is what the guest's package manager says, asked once.
type packages struct {
	mu        sync.Mutex
	mgr       pkgdb.Manager
	installed []pkgdb.Package
}

// Packages is the guest's package manager and what it lists as installed.
// Both are asked once per guest and kept: a check that installs packages
// must ask the manager itself.
func (g *Guest) Packages(ctx context.Context) (pkgdb.Manager, []pkgdb.Package, error) {
	g.pkgs.mu.Lock()
	defer g.pkgs.mu.Unlock()
	if g.pkgs.mgr != nil {
		return g.pkgs.mgr, g.pkgs.installed, nil
	}
	mgr, err := pkgdb.Detect(ctx, g)
	if err != nil {
		return nil, nil, err
	}
	installed, err := mgr.Installed(ctx)
	if err != nil {
		return mgr, nil, err
	}
	g.pkgs.mgr, g.pkgs.installed = mgr, installed
	return mgr, installed, nil
}
