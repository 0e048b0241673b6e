package framework

import (
	"context"
	"slices"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/imagegate/imagegate/harness/cleanup"
	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/guest"
	"github.com/imagegate/imagegate/harness/run"
)

// siblingBoot is the second instance booting beside the first guest
// (run.SiblingEarly): the check that compares two first boots waits for
// it instead of spending a boot of its own.
type siblingBoot struct {
	done chan struct{}
	g    *guest.Guest
	err  error
}

// early is the target's second instance when the plan had room to boot it
// beside the first; nil boots it when a check asks.
var early *siblingBoot

// startSibling boots t's second instance in the background. Its undo steps
// are kept and run, in reverse, by one cleanup node registered now: the
// node stops a boot still under way, waits for it, and destroys what it
// made.
func startSibling(t run.Target, logf func(string, ...any)) {
	ctx, cancel := context.WithCancel(context.Background())
	sb := &siblingBoot{done: make(chan struct{})}
	var mu sync.Mutex
	var steps []func(context.Context) error
	collect := func(name string, f func(context.Context) error) {
		mu.Lock()
		defer mu.Unlock()
		steps = append(steps, undoStep(name, f))
	}
	DeferCleanup(func(ctx SpecContext) error {
		cancel()
		<-sb.done
		mu.Lock()
		defer mu.Unlock()
		var errs []error
		for _, f := range slices.Backward(steps) {
			errs = append(errs, f(ctx))
		}
		return cleanup.Join(errs...)
	}, NodeTimeout(3*time.Minute))
	logf("booting a second instance beside the first (the host has room for both)")
	go func() {
		defer close(sb.done)
		sb.g, sb.err = bootSecond(ctx, t, collect, logf)
	}()
	early = sb
}

// bootSecond boots t's second instance, beside the first or when its
// check asks, and reports how long it took to come up, in the log and as
// an event, so the timeline draws it either way.
func bootSecond(ctx context.Context, t run.Target, undo guest.Cleanup, logf func(string, ...any)) (*guest.Guest, error) {
	start := time.Now()
	g, err := guest.BootSecond(ctx, t, undo)
	if err == nil {
		up := time.Since(start)
		logf("second instance up (cloud-init done) after %s", up.Round(time.Second))
		events.Emit(event.TimingOf(event.SecondInstanceUp, up.Seconds()))
	}
	return g, err
}

// wait returns the second instance once it is up (or why it is not).
func (sb *siblingBoot) wait(ctx context.Context) (*Guest, error) {
	select {
	case <-sb.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if sb.g == nil {
		return nil, sb.err
	}
	return &Guest{sb.g}, sb.err
}
