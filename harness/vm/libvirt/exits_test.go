package libvirt

import (
	"testing"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/imagegate/imagegate/harness/vm"
)

func TestExitFor(t *testing.T) {
	cases := []struct {
		event, detail int32
		want          vm.ExitReason
		exit          bool
	}{
		{int32(golibvirt.DomainEventStopped), int32(golibvirt.DomainEventStoppedShutdown), vm.ExitShutdown, true},
		{int32(golibvirt.DomainEventStopped), int32(golibvirt.DomainEventStoppedFailed), vm.ExitFailed, true},
		{int32(golibvirt.DomainEventStopped), int32(golibvirt.DomainEventStoppedDestroyed), vm.ExitDestroyed, true},
		{int32(golibvirt.DomainEventStopped), int32(golibvirt.DomainEventStoppedCrashed), vm.ExitCrashed, true},
		{int32(golibvirt.DomainEventCrashed), 0, vm.ExitCrashed, true},
		{int32(golibvirt.DomainEventSuspended), int32(golibvirt.DomainEventSuspendedIoerror), vm.ExitPaused, true},
		{int32(golibvirt.DomainEventStarted), 0, "", false},
		{int32(golibvirt.DomainEventResumed), 0, "", false},
		{int32(golibvirt.DomainEventUndefined), 0, "", false},
	}
	for _, c := range cases {
		x, ok := exitFor(c.event, c.detail)
		if ok != c.exit || x.Reason != c.want {
			t.Errorf("exitFor(%d, %d) = %+v, %v; want %s, %v", c.event, c.detail, x, ok, c.want, c.exit)
		}
	}
}

func TestExitWatchReportsOnceAndNotAfterStop(t *testing.T) {
	w := exitWatch{ch: make(chan vm.Exit, 1)}
	w.report(vm.Exit{Reason: vm.ExitFailed})
	w.report(vm.Exit{Reason: vm.ExitShutdown})
	if x := <-w.ch; x.Reason != vm.ExitFailed {
		t.Errorf("first exit %v", x)
	}
	select {
	case x := <-w.ch:
		t.Errorf("second exit reported: %v", x)
	default:
	}
	s := exitWatch{ch: make(chan vm.Exit, 1)}
	s.stop()
	s.report(vm.Exit{Reason: vm.ExitDestroyed})
	if len(s.ch) != 0 {
		t.Error("exit reported after stop (our own destroy)")
	}
}
