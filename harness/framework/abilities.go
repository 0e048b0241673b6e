package framework

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/imagegate/imagegate/harness/inspect"
	"github.com/imagegate/imagegate/harness/profile"
)

// Reboot restarts the guest and waits for SSH again. The host key must be
// the one announced at first boot: a guest that regenerated its keys is
// refused (and the wait fails), which is what a reboot check wants.
func (g *Guest) Reboot(ctx context.Context) error {
	g.Run(ctx, Sudo("systemctl reboot")) // the connection may drop before it answers
	time.Sleep(5 * time.Second)          // let sshd go down before we poll again
	rctx, cancel := context.WithTimeout(ctx, g.Target.BootTimeout)
	defer cancel()
	if err := g.SSH.Reconnect(rctx); err != nil {
		return fmt.Errorf("%s did not come back after a reboot: %w", g.Target.ID(), err)
	}
	return g.settle(ctx)
}

// BootSibling boots a second guest from the same image with a fresh seed
// (its own instance-id), for checks that compare two first boots. It is
// destroyed after the suite, like the first.
func (g *Guest) BootSibling(ctx context.Context) (*Guest, error) {
	t := g.Target
	t.Domain += "-b"
	t.WorkDir = filepath.Join(t.WorkDir, "second-instance")
	t.OutDir = filepath.Join(t.OutDir, "second-instance")
	t.Keep = false
	cleanup := func(name string, f func(context.Context) error) {
		DeferCleanup(func(ctx SpecContext) error { return f(ctx) }, NodeTimeout(3*time.Minute))
	}
	s, err := Boot(ctx, t, cleanup, func(string, ...any) {})
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
		pristine, pristineErr = inspect.Open(ctx, g.Target.ImagePath, g.Target.ImageFormat, g.Target.WorkDir)
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

// Profile is the image family's profile; specs skip when none is set.
func (g *Guest) Profile() *profile.Profile {
	GinkgoHelper()
	if g.Target.Profile == "" {
		Skip("no profile for family " + g.Target.Family + " (profile: in the matrix, or profiles/<family>.yaml beside it)")
	}
	p, err := profile.Load(g.Target.Profile)
	if err != nil {
		Fail(err.Error())
	}
	return p
}
