package framework

import (
	"context"
	"fmt"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/imagegate/imagegate/harness/inspect"
	"github.com/imagegate/imagegate/harness/profile"
)

// Reboot restarts the guest and waits for SSH again. The host key must be
// the one announced at first boot: a guest that regenerated its keys is
// refused (and the wait fails), which is what a reboot check wants. While
// it reboots the console is watched as during the first boot (a panic, a
// shell, a second kernel end the wait at once). A guest that does not come
// back returns a *fault.Fault: pass the error to ErrorIf.
func (g *Guest) Reboot(ctx context.Context) error {
	g.watch.beginBoot()
	g.Run(ctx, Sudo("systemctl reboot")) // the connection may drop before it answers
	select {                             // let sshd go down before we poll again
	case <-time.After(5 * time.Second):
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := g.reconnect(ctx); err != nil {
		return fmt.Errorf("%s did not come back after a reboot: %w", g.Target.ID(), err)
	}
	return g.settle(ctx)
}

// BootSibling boots a second guest from the same image with a fresh seed
// (its own instance-id), for checks that compare two first boots. It is
// destroyed after the suite, like the first.
func (g *Guest) BootSibling(ctx context.Context) (*Guest, error) {
	t := g.Target.Sibling()
	cleanup := func(name string, f func(context.Context) error) {
		DeferCleanup(func(ctx SpecContext) error { return f(ctx) }, NodeTimeout(3*time.Minute))
	}
	s, err := boot(ctx, t, cleanup, func(string, ...any) {}, false)
	if err != nil {
		return nil, err
	}
	return s, s.settle(ctx)
}

var (
	pristineOnce sync.Once
	pristine     *inspect.Image
	pristineErr  error
)

// Pristine is the candidate image as shipped, readable without booting it
// (opened once per target on first use, closed by closePristine).
func (g *Guest) Pristine(ctx context.Context) (*inspect.Image, error) {
	pristineOnce.Do(func() {
		pristine, pristineErr = inspect.Open(ctx, g.Target.Image.Boot().Image, g.Target.Image.Format, g.Target.Layout.Work)
	})
	return pristine, pristineErr
}

// closePristine removes the raw copy Pristine made, if any.
func closePristine(context.Context) error {
	if pristine == nil {
		return nil
	}
	return pristine.Close()
}

// Profile is the profile of the image's family that the run holds it to:
// built into imagegate, or the file the matrix or --profile names. Every
// target has one; the plan refuses a family without one before anything
// boots.
func (g *Guest) Profile() *profile.Profile {
	GinkgoHelper()
	if g.Target.Options.Profile == "" {
		CouldNotCheck("%s has no profile for family %s", g.Target.ID(), g.Target.Image.Family)
	}
	p, err := profile.Parse(g.Target.Options.ProfileSource, []byte(g.Target.Options.Profile))
	ErrorIf(err, "read the profile")
	return p
}
