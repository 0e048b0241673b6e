package guest

import (
	"context"
	"time"

	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/remote"
)

// Settle waits for cloud-init to finish and then confirms the SSH host key
// against the console (confirmHostKey): nothing read from the guest counts
// before Settle returned. cloud-init restarts sshd once it has written host
// keys, which can reset our first connection; one reconnect is expected
// and allowed. The status itself is judged by specs, from what the wait
// printed (CloudInitStatus). A guest that dies meanwhile returns its fault;
// one whose cloud-init never finishes is the image's fault.
func (g *Guest) Settle(ctx context.Context) error {
	g.settled.set(CloudInitStatus{}, false)
	st, err := g.waitCloudInit(ctx)
	if err != nil {
		return err
	}
	if err := g.confirmHostKey(ctx); err != nil {
		return err
	}
	g.settled.set(st, true)
	return nil
}

// waitCloudInit waits for cloud-init and keeps the status it finished
// with: as JSON where cloud-init has `status --format json`, else as the
// text every version prints with --long.
func (g *Guest) waitCloudInit(ctx context.Context) (CloudInitStatus, error) {
	res, err := g.settle(ctx, statusWaitJSON)
	if err != nil || !formatRefused(res) {
		return CloudInitStatus{Result: res, JSON: true}, err
	}
	res, err = g.settle(ctx, statusWaitLong)
	return CloudInitStatus{Result: res}, err
}

func (g *Guest) settle(ctx context.Context, cmd string) (remote.Result, error) {
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, g.Target.Machine.BootTimeout)
		res, err := g.Run(cctx, cmd)
		timedOut := cctx.Err() != nil && ctx.Err() == nil
		cancel()
		switch {
		case err == nil:
			return res, nil
		case g.dead() != nil:
			return res, g.dead()
		case ctx.Err() != nil:
			return res, err
		case timedOut:
			return res, fault.New(fault.Image, "cloud-init-hung", "cloud-init did not finish within %s", g.Target.Machine.BootTimeout)
		case attempt == 3:
			return res, fault.New(fault.Unknown, fault.Stopped, "waiting for cloud-init on %s: %v", g.Target.ID(), err)
		}
		if err := g.reconnect(ctx); err != nil {
			return res, err
		}
	}
}

// reconnect waits for SSH again (sshd restarted, or the guest rebooted)
// until the boot timeout, the guest's death or the end of ctx. Not coming
// back is judged like a first boot that never answered (timeoutFault).
func (g *Guest) reconnect(ctx context.Context) error {
	return g.untilUp(ctx, g.SSH.Reconnect)
}

// announceGrace is how long the console may lag behind cloud-init: the
// fingerprints are printed in its final stage, before it reports done.
const announceGrace = 2 * time.Minute

// confirmHostKey checks the key the guest's sshd offered against the
// fingerprints its console announced. A key that is not announced, or no
// announcement by the time cloud-init is done, is the image's fault (its
// sshd or cloud-init configuration), like sshd offering an unannounced key
// on the first connection was before connections started early.
func (g *Guest) confirmHostKey(ctx context.Context) error {
	if g.SSH.Confirmed() {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, min(announceGrace, g.Target.Machine.BootTimeout))
	defer cancel()
	wctx, stop := within(wctx, g.alive)
	defer stop()
	err := g.SSH.Confirm(wctx)
	switch {
	case err == nil:
		g.Timing("host-key-confirmed", time.Since(g.started))
		return nil
	case g.dead() != nil:
		return g.dead()
	case ctx.Err() != nil:
		return err // interrupted
	}
	f := fault.New(fault.Image, fault.SSHRefused, "the SSH host key cannot be confirmed against the console: %v", err)
	g.watch.fire(f)
	return f
}
