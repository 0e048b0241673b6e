package guest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/imagegate/imagegate/harness/console"
	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/sshx"
	"github.com/imagegate/imagegate/harness/vm"
)

// watchInterval is how often the console is read: a fatal line ends the
// wait for SSH, or the running check, within about this long.
const watchInterval = time.Second

// watcher follows a guest's serial console and its machine's exits, and
// ends the guest's life — cancels its alive context with a *fault.Fault as
// the cause — as soon as the outcome is clear: a kernel panic, an
// emergency or initramfs shell, an oops or a second kernel while booting,
// or the machine stopping. Waiting out the boot timeout (12 minutes for an
// emulated x86_64 guest) to learn what the console said in the first
// minute helps nobody.
type watcher struct {
	console string
	exits   <-chan vm.Exit // nil when the driver cannot tell
	kill    context.CancelCauseFunc
	onFault func(*fault.Fault)
	stopped chan struct{}
	once    sync.Once
	fired   sync.Once

	mu      sync.Mutex
	booting bool   // a boot window: until SSH answers (first boot, reboot)
	kernels int    // kernels started in this boot window
	any     bool   // the console has shown anything at all
	up      string // the line that showed the system up in this boot window
	offset  int64
	partial string
	recent  []string // the last few complete lines, to explain a prompt
}

// watch starts watching m; the returned context ends when the guest dies.
// onFault (may be nil) hears the fault once.
func watch(m vm.Machine, onFault func(*fault.Fault)) (*watcher, context.Context) {
	alive, kill := context.WithCancelCause(context.Background())
	w := &watcher{console: m.ConsolePath(), kill: kill, onFault: onFault, stopped: make(chan struct{}), booting: true}
	if x, ok := m.(vm.ExitWatcher); ok {
		w.exits = x.Exits()
	}
	go w.run()
	return w, alive
}

func (w *watcher) run() {
	t := time.NewTicker(watchInterval)
	defer t.Stop()
	for {
		select {
		case <-w.stopped:
			return
		case x := <-w.exits:
			f := w.poll() // a panic on the console explains an exit best
			if f == nil {
				f = exitFault(x)
			}
			w.fire(f)
			return
		case <-t.C:
			if f := w.poll(); f != nil {
				w.fire(f)
				return
			}
		}
	}
}

// fire ends the guest's life with f (only the first fault counts) and
// stops watching.
func (w *watcher) fire(f *fault.Fault) {
	w.fired.Do(func() {
		if w.onFault != nil {
			w.onFault(f)
		}
		w.kill(f)
	})
	w.stop()
}

// stop ends the watch (before the machine is destroyed on purpose).
func (w *watcher) stop() { w.once.Do(func() { close(w.stopped) }) }

// beginBoot opens a boot window (the first boot, a reboot): an oops or a
// second kernel start before endBoot is fatal. What the console printed
// before is judged first, outside the window.
func (w *watcher) beginBoot() {
	w.catchUp()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.booting, w.kernels, w.up = true, 0, ""
}

// endBoot closes the boot window, judging what the boot printed first.
func (w *watcher) endBoot() {
	w.catchUp()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.booting = false
}

func (w *watcher) catchUp() {
	if f := w.poll(); f != nil {
		w.fire(f)
	}
}

// poll reads what the console gained since the last poll and returns the
// first fatal sign in it.
func (w *watcher) poll() *fault.Fault {
	w.mu.Lock()
	defer w.mu.Unlock()
	f, err := os.Open(w.console)
	if err != nil {
		return nil // not created yet
	}
	defer f.Close()
	if _, err := f.Seek(w.offset, io.SeekStart); err != nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(f, 4<<20))
	if len(b) == 0 {
		return nil
	}
	w.offset += int64(len(b))
	w.any = true
	text := w.partial + string(b)
	lines := strings.Split(text, "\n")
	w.partial = lines[len(lines)-1]
	for _, l := range lines[:len(lines)-1] {
		if f := w.line(console.Clean([]byte(l)), true); f != nil {
			return f
		}
	}
	// Prompts (login:, (initramfs)) are not followed by a newline.
	return w.line(console.Clean([]byte(w.partial)), false)
}

// line judges one console line; the caller holds mu.
func (w *watcher) line(l string, complete bool) *fault.Fault {
	sign := console.Classify(l)
	l = strings.TrimSpace(l)
	at := func(p fault.Party, kind, msg string) *fault.Fault {
		f := fault.New(p, kind, "%s", msg)
		f.Line = l
		return f
	}
	switch sign {
	case console.Panic:
		return at(fault.Image, fault.Panic, "the kernel panicked")
	case console.Initramfs:
		f := at(fault.Image, fault.Initramfs, "the initramfs dropped to a shell: it could not mount or switch to the root file system")
		if why := w.lastWords(); why != "" {
			f.Message += " (it said: " + why + ")"
		}
		return f
	case console.Emergency:
		return at(fault.Image, fault.Emergency, "the guest entered systemd's emergency or rescue mode")
	case console.Oops:
		if w.booting {
			return at(fault.Image, fault.Oops, "the kernel oopsed while booting")
		}
	case console.KernelStart:
		if w.booting && complete {
			if w.kernels++; w.kernels > 1 {
				return at(fault.Image, fault.RebootLoop, "a second kernel started before SSH came up: the guest rebooted while booting")
			}
		}
	case console.SystemUp:
		if w.up == "" {
			w.up = l
		}
	}
	if complete && l != "" {
		w.recent = append(w.recent, l)
		if len(w.recent) > 8 {
			w.recent = w.recent[1:]
		}
	}
	return nil
}

// lastWords is the last console line before a shell prompt that says why
// (the initramfs's "No init found", "ALERT! ... does not exist").
func (w *watcher) lastWords() string {
	for i := len(w.recent) - 1; i >= 0; i-- {
		if l := w.recent[i]; !strings.HasPrefix(l, "(initramfs)") && !strings.HasPrefix(l, "BusyBox") && !strings.HasPrefix(l, "Enter 'help'") {
			return l
		}
	}
	return ""
}

// exitFault judges an unexpected end of the machine.
func exitFault(x vm.Exit) *fault.Fault {
	detail := ""
	if x.Detail != "" {
		detail = "\n" + x.Detail
	}
	switch x.Reason {
	case vm.ExitShutdown:
		return fault.New(fault.Image, fault.PoweredOff, "the guest powered itself off%s", detail)
	case vm.ExitCrashed:
		return fault.New(fault.Image, fault.GuestCrash, "the guest crashed%s", detail)
	case vm.ExitDestroyed:
		return fault.New(fault.Host, fault.Destroyed, "the domain was destroyed from outside imagegate%s", detail)
	case vm.ExitPaused:
		return fault.New(fault.Host, fault.DiskError, "the guest was paused by the host%s", detail)
	case vm.ExitConnectionLost:
		return fault.New(fault.Host, fault.LibvirtLost, "the connection to libvirtd was lost (libvirtd stopped or restarted?)%s", detail)
	default:
		return fault.New(fault.Host, fault.QEMUExited, "QEMU exited without the guest shutting down (killed, out of memory or an assertion)%s", detail)
	}
}

// timeoutFault says who is at fault when SSH did not answer within the
// boot timeout and nothing fatal showed: only a console that shows the
// system up proves the image wrong.
func (w *watcher) timeoutFault(waited time.Duration, last error) *fault.Fault {
	if f := w.poll(); f != nil {
		return f
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case !w.any:
		return fault.New(fault.Unknown, fault.NoConsole, "no console output at all within %s: the guest never started to boot, or the host is too slow for the timeout (last SSH error: %v)", waited, last)
	case w.up != "" && errors.Is(last, sshx.ErrHostKeyUnknown):
		f := fault.New(fault.Image, fault.SSHRefused, "the console shows the system up, but sshd offers host keys it did not announce: %v", last)
		f.Line = w.up
		return f
	case w.up != "":
		f := fault.New(fault.Image, fault.SSHRefused, "the console shows the system up, but sshd did not let us in within %s (last error: %v)", waited, last)
		f.Line = w.up
		return f
	}
	return fault.New(fault.Unknown, fault.NotUp, "the guest did not come up within %s and its console shows no known fault (last SSH error: %v)", waited, last)
}

// causeOf returns the fault that ended ctx, if one did.
func causeOf(ctx context.Context) *fault.Fault {
	if ctx == nil || ctx.Err() == nil {
		return nil
	}
	f, _ := fault.As(context.Cause(ctx))
	return f
}

// within derives a context from ctx that also ends when the guest dies,
// with the fault as its cause.
func within(ctx, alive context.Context) (context.Context, context.CancelFunc) {
	if alive == nil {
		return context.WithCancel(ctx)
	}
	c, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(alive, func() { cancel(context.Cause(alive)) })
	return c, func() { stop(); cancel(nil) }
}

// Describe is a fault for people, with the console's last lines.
func Describe(f *fault.Fault, consolePath string) string {
	return fmt.Sprintf("%s [%s fault: %s]\n--- console tail\n%s", f.Error(), f.Party, f.Kind, console.TailFile(consolePath, 40))
}
