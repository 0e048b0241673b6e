package guest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/imagegate/imagegate/harness/inspect"
	"github.com/imagegate/imagegate/harness/profile"
	"github.com/imagegate/imagegate/harness/run"
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
	return g.Settle(ctx)
}

// BootSecond boots t's second instance (run.Target.Sibling: a fresh seed,
// its own instance-id) and waits for cloud-init, for checks that compare
// two first boots. It needs no first guest, so it can start beside it. It
// is destroyed by undo's steps, like the first.
func BootSecond(ctx context.Context, t run.Target, undo Cleanup) (*Guest, error) {
	s, err := boot(ctx, t.Sibling(), Hooks{Undo: undo, Logf: func(string, ...any) {}}, false)
	if err != nil {
		return nil, err
	}
	return s, s.Settle(ctx)
}

// pristine is the candidate opened for reading, once per guest.
type pristine struct {
	once sync.Once
	img  *inspect.Image
	err  error
}

// Pristine is the candidate image as shipped, readable without booting it
// (opened on first use; ClosePristine removes what that made).
func (g *Guest) Pristine(ctx context.Context) (*inspect.Image, error) {
	g.pristine.once.Do(func() {
		b := g.Target.Image.Boot()
		g.pristine.img, g.pristine.err = inspect.Open(ctx, b.Image, g.Target.Image.Format, g.Target.Layout.Work)
	})
	return g.pristine.img, g.pristine.err
}

// ClosePristine removes the raw copy Pristine made, if any.
func (g *Guest) ClosePristine(context.Context) error {
	if g.pristine.img == nil {
		return nil
	}
	return g.pristine.img.Close()
}

// Profile is the profile of the image's family that the run holds it to:
// built into imagegate, or the file the matrix or --profile names. Every
// target has one; the plan refuses a family without one before anything
// boots, so an error here means the target file is not what the plan wrote.
func (g *Guest) Profile() (*profile.Profile, error) {
	o := g.Target.Options
	if o.Profile == "" {
		return nil, fmt.Errorf("%s has no profile for family %s", g.Target.ID(), g.Target.Image.Family)
	}
	return profile.Parse(o.ProfileSource, []byte(o.Profile))
}
