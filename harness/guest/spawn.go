package guest

import (
	"context"
	"fmt"

	"github.com/imagegate/imagegate/harness/cleanup"
	"github.com/imagegate/imagegate/harness/run"
)

// Spawn boots t's guest outside any suite and leaves it running for a
// person: it returns the line that says how to get in. If the boot fails,
// everything it made is destroyed again.
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
	g, err := Boot(ctx, t, Hooks{Undo: func(name string, f func(context.Context) error) { steps = append(steps, step{name, f}) }, Logf: logf})
	if err == nil {
		logf("waiting for cloud-init to finish")
		err = g.Settle(ctx)
	}
	if err != nil {
		return "", cleanup.Join(err, undo(false))
	}
	line := g.KeepAccess()
	g.watch.stop() // the guest stays: closing our connection is not its death
	return line, undo(true)
}
