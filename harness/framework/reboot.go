package framework

import (
	"context"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/imagegate/imagegate/harness/event"
)

// The spec tree's own containers. Their texts are not part of a check's
// name (specName strips them).
const (
	treeRoot    = "imagegate"
	rebootPhase = "after the reboot"
)

// beforeReboot are the suites' BeforeReboot steps, in declaration order.
var beforeReboot []func(context.Context)

// BeforeReboot adds a step that runs just before the shared reboot, with
// the guest up: it records what an AfterReboot check compares against
// (a boot id, a machine-id, cloud-init's semaphores). Call it while the
// tree is built, inside a suite's AfterReboot. A step that cannot look
// ends the reboot phase as an error (ErrorIf, Query).
func BeforeReboot(step func(ctx context.Context)) {
	beforeReboot = append(beforeReboot, step)
}

// declareRebootPhase is the last container of the tree: every suite's
// AfterReboot checks, after one reboot. It is Ordered (inside the tree's
// Ordered root, whose ContinueOnFailure it shares), so the reboot
// (BeforeAll) happens once and only when one of its checks is selected. A
// guest that does not come back ends the phase with its fault.
func declareRebootPhase(suites []Suite, logf func(string, ...any)) {
	var with []Suite
	for _, s := range suites {
		if s.AfterReboot != nil {
			with = append(with, s)
		}
	}
	if len(with) == 0 {
		return
	}
	Describe(rebootPhase, Ordered, func() {
		BeforeAll(func(ctx SpecContext) {
			g := G()
			for _, step := range beforeReboot {
				step(ctx)
			}
			logf("rebooting once for the checks that need a reboot (suites that have them: %d)", len(with))
			events.Emit(event.PhaseOf(event.Rebooting, ""))
			ErrorIf(g.Reboot(ctx), "reboot") // a guest that does not come back is judged by the fault model
			events.Emit(event.PhaseOf(event.Checking, "after the reboot"))
		})
		for _, s := range with {
			Describe(s.Name, suiteLabels(s), s.AfterReboot)
		}
	})
}
