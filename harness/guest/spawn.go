package guest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/cleanup"
	"github.com/imagegate/imagegate/harness/run"
)

// Spawn boots t's guest outside any suite and leaves it running for a
// person: it returns the line that says how to get in. Like a run's, the
// guest boots a pinned copy of the image and its evidence (the seed, the
// console, cloud-init's logs and the journal once it is up) is saved in
// the target's report folder. If the boot fails, everything it made is
// destroyed again.
func Spawn(ctx context.Context, t run.Target, logf func(string, ...any)) (string, error) {
	type step struct {
		name string
		f    func(context.Context) error
	}
	var steps []step
	undo := func(keepGuest bool) error {
		var errs []error
		for i := len(steps) - 1; i >= 0; i-- {
			s := steps[i]
			if keepGuest && s.name != "close ssh" && s.name != "close the hypervisor connection" {
				continue
			}
			if err := s.f(context.WithoutCancel(ctx)); err != nil {
				errs = append(errs, fmt.Errorf("cleanup %q: %w", s.name, err))
			}
		}
		return cleanup.Join(errs...)
	}
	t.Options.Keep = false // destroy on failure; kept below only once it works
	add := func(name string, f func(context.Context) error) { steps = append(steps, step{name, f}) }
	if err := os.MkdirAll(t.Layout.Out, 0o755); err != nil {
		return "", err
	}
	t, err := Pin(ctx, t, add) // the guest boots the digest the plan took, as a run's does
	var g *Guest
	if err == nil {
		logf("pinned %s (sha256 %.12s) in %s", t.Image.Path, t.Image.SHA256, filepath.Dir(t.Image.Boot().Image))
		g, err = Boot(ctx, t, Hooks{Undo: add, Logf: logf})
	}
	if err == nil {
		logf("waiting for cloud-init to finish")
		err = g.Settle(ctx)
	}
	if err != nil {
		return "", cleanup.Join(err, undo(false))
	}
	logf("evidence (seed, console, cloud-init logs, journal so far): %s", t.Layout.Out)
	if err := g.CollectEvidence(ctx); err != nil {
		logf("%v", err) // the guest is up: say what is missing, keep it
	}
	line := g.KeepAccess()
	g.watch.stop() // the guest stays: closing our connection is not its death
	return line, undo(true)
}
