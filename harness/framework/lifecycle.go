package framework

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/guest"
	"github.com/imagegate/imagegate/harness/run"
)

// The guest's life (harness/guest) as Ginkgo nodes: BeforeSuite pins and
// boots, AfterSuite collects evidence, and every resource's undo step is a
// DeferCleanup node, run in reverse order after the specs, on failure and
// on interrupt alike.

// declareBoot adds the BeforeSuite that pins the image and boots the
// guest. A boot that fails through no fault of the image is an error, not
// a failure.
func declareBoot(t run.Target, logf func(string, ...any)) {
	BeforeSuite(func(ctx SpecContext) {
		pinStart := time.Now()
		events.Emit(event.PhaseOf(event.Pinning, t.Image.Path))
		t, err := guest.Pin(ctx, t, deferCleanup)
		if err != nil {
			bootFailed(ctx, t, guest.HostFault(err))
		}
		logf("pinned %s (sha256 %.12s) in %s", t.Image.Path, t.Image.SHA256, time.Since(pinStart).Round(100*time.Millisecond))
		if t.Options.Sibling == run.SiblingEarly {
			startSibling(t, logf)
		}
		g, err := guest.Boot(ctx, t, guest.Hooks{Undo: deferCleanup, Logf: logf, Events: events})
		if g != nil {
			current = &Guest{g}
			deferCleanup("close the pristine image", g.ClosePristine)
		}
		if err != nil {
			bootFailed(ctx, t, err)
		}
		logf("waiting for cloud-init to finish")
		events.Emit(event.PhaseOf(event.Settling, ""))
		settleStart := time.Now()
		if err := g.Settle(ctx); err != nil {
			bootFailed(ctx, t, err)
		}
		g.Timing("cloud-init-settle", time.Since(settleStart))
		events.Emit(event.PhaseOf(event.Checking, ""))
		AddReportEntry("boot-to-ssh-seconds", fmt.Sprintf("%.1f", g.BootToSSH.Seconds()))
	}, NodeTimeout(t.Machine.BootTimeout+5*time.Minute))
}

// bootFailed ends the BeforeSuite: a failure when the image is at fault,
// else an error; an interrupt is neither (Ginkgo reports it).
func bootFailed(ctx context.Context, t run.Target, err error) {
	GinkgoHelper()
	if ctx.Err() != nil {
		Fail(fmt.Sprintf("%s: interrupted while booting: %v", t.ID(), err))
	}
	f, ok := fault.As(err)
	if !ok {
		f = fault.New(fault.Host, fault.HostSetup, "%v", err)
	}
	if current != nil {
		current.RecordFault(f)
		if f.ImageFault() {
			current.MarkFailed()
		}
	} else {
		fault.Write(t.Layout.Out, f)
	}
	markOutcome(f)
	Fail(guest.BootError(t, f))
}

// declareEvidence adds the AfterSuite that collects evidence from the
// guest while it is still up (it runs before the cleanup nodes). Its
// failure is the host's: an error on its own case; checks keep their
// results.
func declareEvidence(logf func(string, ...any)) {
	AfterSuite(func(ctx SpecContext) {
		g := current
		switch {
		case g == nil || g.SSH == nil:
			GinkgoWriter.Println("the guest never answered SSH: the console log is the evidence")
			return
		case g.Dead() != nil:
			// It came up and died since: the death counts even if no
			// check was running (a panic after the last check), by its
			// fault; the console log is the evidence.
			markOutcome(g.Dead())
			Fail("the guest died before its evidence could be collected: " + guest.Describe(g.Dead(), g.Machine.ConsolePath()))
		}
		logf("collecting evidence")
		events.Emit(event.PhaseOf(event.Evidence, ""))
		if err := g.CollectEvidence(ctx); err != nil {
			Fail(err.Error())
		}
	}, NodeTimeout(4*time.Minute))
}
