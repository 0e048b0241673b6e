package libvirt

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/imagegate/imagegate/harness/vm"
)

// exitWatch turns libvirt's lifecycle events for one domain into at most
// one vm.Exit. Events are subscribed to before the domain starts; stop
// (called by Destroy and KeepDisk) silences it, so our own destroy is not
// reported.
type exitWatch struct {
	ch      chan vm.Exit
	once    sync.Once
	stopped atomic.Bool
	// startPaused: the domain is started paused (remote hosts, so the
	// console is attached first); that one pause is ours, not an exit.
	startPaused atomic.Bool
	cancel      context.CancelFunc
}

func (w *exitWatch) start(lv *golibvirt.Libvirt, name, qemuLog string) error {
	w.ch = make(chan vm.Exit, 1)
	ctx, cancel := context.WithCancel(context.Background())
	events, err := lv.LifecycleEvents(ctx)
	if err != nil {
		cancel()
		return err
	}
	w.cancel = cancel
	go func() {
		defer cancel()
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					if !lv.IsConnected() {
						w.report(vm.Exit{Reason: vm.ExitConnectionLost, Detail: "the connection to libvirtd was lost"})
					}
					return
				}
				if ev.Dom.Name != name {
					continue
				}
				if golibvirt.DomainEventType(ev.Event) == golibvirt.DomainEventSuspended && w.startPaused.Swap(false) {
					continue
				}
				if x, ok := exitFor(ev.Event, ev.Detail); ok {
					x.Detail = strings.TrimSpace(x.Detail + "\n" + logTail(qemuLog, 4))
					w.report(x)
				}
			case <-lv.Disconnected():
				w.report(vm.Exit{Reason: vm.ExitConnectionLost, Detail: "the connection to libvirtd was lost"})
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return nil
}

func (w *exitWatch) report(x vm.Exit) {
	if w.stopped.Load() {
		return
	}
	w.once.Do(func() { w.ch <- x })
}

func (w *exitWatch) stop() {
	w.stopped.Store(true)
	if w.cancel != nil {
		w.cancel()
	}
}

// exitFor maps a lifecycle event to an exit; events that leave the domain
// running (started, resumed, defined, ...) are not exits.
func exitFor(event, detail int32) (vm.Exit, bool) {
	switch golibvirt.DomainEventType(event) {
	case golibvirt.DomainEventStopped:
		switch golibvirt.DomainEventStoppedDetailType(detail) {
		case golibvirt.DomainEventStoppedShutdown:
			return vm.Exit{Reason: vm.ExitShutdown, Detail: "libvirt: stopped (shutdown): the guest powered off"}, true
		case golibvirt.DomainEventStoppedDestroyed:
			return vm.Exit{Reason: vm.ExitDestroyed, Detail: "libvirt: stopped (destroyed) from outside imagegate"}, true
		case golibvirt.DomainEventStoppedCrashed:
			return vm.Exit{Reason: vm.ExitCrashed, Detail: "libvirt: stopped (crashed)"}, true
		default: // failed: QEMU ended without the guest asking (killed, out of memory, an assertion)
			return vm.Exit{Reason: vm.ExitFailed, Detail: fmt.Sprintf("libvirt: stopped (%s): QEMU ended without a guest shutdown", stoppedDetail(detail))}, true
		}
	case golibvirt.DomainEventCrashed:
		return vm.Exit{Reason: vm.ExitCrashed, Detail: "libvirt: the guest reported a crash"}, true
	case golibvirt.DomainEventSuspended:
		switch golibvirt.DomainEventSuspendedDetailType(detail) {
		case golibvirt.DomainEventSuspendedIoerror:
			return vm.Exit{Reason: vm.ExitPaused, Detail: "libvirt: paused on a disk I/O error (is the host disk holding the overlay full?)"}, true
		case golibvirt.DomainEventSuspendedMigrated, golibvirt.DomainEventSuspendedRestored,
			golibvirt.DomainEventSuspendedFromSnapshot, golibvirt.DomainEventSuspendedPostcopy:
			return vm.Exit{}, false
		default:
			return vm.Exit{Reason: vm.ExitPaused, Detail: fmt.Sprintf("libvirt: paused (detail %d) from outside imagegate", detail)}, true
		}
	}
	return vm.Exit{}, false
}

func stoppedDetail(d int32) string {
	names := []string{"shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from-snapshot", "recreated"}
	if d >= 0 && int(d) < len(names) {
		return names[d]
	}
	return fmt.Sprintf("detail %d", d)
}

// qemuLog is libvirt's log of the domain's QEMU (its stderr: assertions,
// "terminating on signal"), readable only when libvirtd is local.
func (d *Driver) qemuLog(name string) string {
	if !d.local() {
		return ""
	}
	return filepath.Join("/var/log/libvirt/qemu", name+".log")
}

// logTail is the last n non-empty lines of a log, or "".
func logTail(path string, n int) string {
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		// libvirt's own notes and the command line's arguments say nothing
		// about why QEMU ended.
		if strings.TrimSpace(l) != "" && !strings.Contains(l, "is tainted") && !strings.HasPrefix(l, "-") {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 0 {
		return ""
	}
	return "QEMU log " + path + ":\n" + strings.Join(lines, "\n")
}
