package guest

import (
	"context"

	"github.com/imagegate/imagegate/harness/fault"
)

// Settle waits for cloud-init to finish. cloud-init restarts sshd once it
// has written host keys, which can reset our first connection; one
// reconnect is expected and allowed. The status itself is judged by specs.
// A guest that dies meanwhile returns its fault; one whose cloud-init
// never finishes is the image's fault.
func (g *Guest) Settle(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, g.Target.Machine.BootTimeout)
		_, err := g.Run(cctx, "cloud-init status --wait >/dev/null 2>&1; true")
		timedOut := cctx.Err() != nil && ctx.Err() == nil
		cancel()
		switch {
		case err == nil:
			return nil
		case g.dead() != nil:
			return g.dead()
		case ctx.Err() != nil:
			return err
		case timedOut:
			return fault.New(fault.Image, "cloud-init-hung", "cloud-init did not finish within %s", g.Target.Machine.BootTimeout)
		case attempt == 3:
			return fault.New(fault.Unknown, fault.Stopped, "waiting for cloud-init on %s: %v", g.Target.ID(), err)
		}
		if err := g.reconnect(ctx); err != nil {
			return err
		}
	}
}

// reconnect waits for SSH again (sshd restarted, or the guest rebooted)
// until the boot timeout, the guest's death or the end of ctx. Not coming
// back is judged like a first boot that never answered (timeoutFault).
func (g *Guest) reconnect(ctx context.Context) error {
	return g.untilUp(ctx, g.SSH.Reconnect)
}
