package framework

import (
	"context"
	"fmt"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/imagegate/imagegate/harness/guest"
	"github.com/imagegate/imagegate/harness/profile"
	"github.com/imagegate/imagegate/harness/run"
)

// GuestUser is the account the seed creates for the harness.
const GuestUser = guest.User

// SiblingLabel marks a check that calls BootSibling, so the plan knows to
// make room for a second instance (and boots it beside the first when the
// host has a core for it).
const SiblingLabel = run.SiblingLabel

// GuestMAC is the MAC address of every guest's one NIC, so a suite's
// network-config can match it.
const GuestMAC = guest.NICMAC

// Sudo wraps a shell command to run as root without a password prompt.
func Sudo(cmd string) string { return guest.Sudo(cmd) }

// Guest is the booted guest as specs see it: everything of guest.Guest
// (Run, Upload, Reboot, Pristine, Packages, OffersPassword, Console, ...)
// plus the helpers that end a check the right way when something cannot
// be asked (ReadConsole, Profile, the command helpers in check.go).
type Guest struct{ *guest.Guest }

var current *Guest

// G is the booted guest of the running target. Specs call it inside It.
func G() *Guest {
	if current == nil || current.SSH == nil {
		Fail("the guest did not boot; see the [BeforeSuite] failure")
	}
	return current
}

// ReadConsole is the serial console log so far; one that cannot be read
// ends the check as an error rather than looking empty.
func (g *Guest) ReadConsole() []byte {
	GinkgoHelper()
	b, err := g.Guest.ReadConsole()
	ErrorIf(err, "read the serial console log")
	return b
}

// Profile is the profile the run holds the image to; one that cannot be
// read ends the check as an error.
func (g *Guest) Profile() *profile.Profile {
	GinkgoHelper()
	p, err := g.Guest.Profile()
	ErrorIf(err, "read the profile")
	return p
}

// BootSibling is a second guest from the same image with a fresh seed
// (its own instance-id), for checks that compare two first boots: the one
// booted beside the first guest when the plan had room for it, else one
// booted now. It is destroyed after the suite, like the first. The check
// must be labelled sibling, so the plan knows to make room.
func (g *Guest) BootSibling(ctx context.Context) (*Guest, error) {
	GinkgoHelper()
	if !slices.Contains(CurrentSpecReport().Labels(), run.SiblingLabel) {
		CouldNotCheck("a check that boots a second instance must be labelled %q, so the plan can make room for it", run.SiblingLabel)
	}
	if early != nil {
		return early.wait(ctx)
	}
	g.Logf("booting a second instance for this check (no room to boot it beside the first)")
	s, err := bootSecond(ctx, g.Target, deferCleanup, g.Logf)
	if s == nil {
		return nil, err
	}
	return &Guest{s}, err
}

// deferCleanup is guest.Cleanup as Ginkgo cleanup nodes: run in reverse
// order after the specs, on failure and on interrupt alike.
func deferCleanup(name string, f func(context.Context) error) {
	step := undoStep(name, f)
	DeferCleanup(func(ctx SpecContext) error { return step(ctx) }, NodeTimeout(3*time.Minute))
}

// undoStep is a named undo step whose error says which step it was.
func undoStep(name string, f func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := f(ctx); err != nil {
			return fmt.Errorf("cleanup %q: %w", name, err)
		}
		return nil
	}
}
