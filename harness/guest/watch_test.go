package guest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/sshx"
	"github.com/imagegate/imagegate/harness/vm"
)

// fakeMachine is a vm.Machine whose console is a file the test writes and
// whose exits the test sends.
type fakeMachine struct {
	console string
	exits   chan vm.Exit
}

func (m *fakeMachine) Name() string                  { return "fake" }
func (m *fakeMachine) SSHAddr() string               { return "127.0.0.1:1" }
func (m *fakeMachine) ConsolePath() string           { return m.console }
func (m *fakeMachine) Destroy(context.Context) error { return nil }
func (m *fakeMachine) Exits() <-chan vm.Exit         { return m.exits }

func newFake(t *testing.T) *fakeMachine {
	return &fakeMachine{console: filepath.Join(t.TempDir(), "console.log"), exits: make(chan vm.Exit, 1)}
}

func (m *fakeMachine) write(s string) {
	f, _ := os.OpenFile(m.console, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	f.WriteString(s)
	f.Close()
}

// dies waits for the guest's death and returns its fault, failing the
// test if it takes longer than a few watch intervals.
func dies(t *testing.T, alive context.Context) *fault.Fault {
	t.Helper()
	select {
	case <-alive.Done():
	case <-time.After(5 * watchInterval):
		t.Fatal("the watcher did not end the guest's life")
	}
	f := causeOf(alive)
	if f == nil {
		t.Fatalf("cause %v is not a fault", context.Cause(alive))
	}
	return f
}

func TestWatcherEndsTheBootOnFatalConsoleLines(t *testing.T) {
	for _, c := range []struct {
		name, console string
		party         fault.Party
		kind          string
	}{
		{"panic", "[    0.0] Linux version 6.1.0\n[   8.5] Kernel panic - not syncing: sysrq triggered crash\n", fault.Image, fault.Panic},
		{"no init", "Linux version 6.1\nNo init found. Try passing init= bootarg.\n\n(initramfs) ", fault.Image, fault.Initramfs},
		{"emergency", "Linux version 6.1\nYou are in emergency mode. After logging in, type \"journalctl -xb\"\n", fault.Image, fault.Emergency},
		{"oops while booting", "Linux version 6.1\n[ 3.0] BUG: unable to handle page fault for address: 0\n", fault.Image, fault.Oops},
		{"reboot loop", "[ 0.0] Linux version 6.1\nreboot: Restarting system\n[ 0.0] Linux version 6.1\n", fault.Image, fault.RebootLoop},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newFake(t)
			var recorded *fault.Fault
			w, alive := watch(m, func(f *fault.Fault) { recorded = f })
			defer w.stop()
			m.write(c.console)
			f := dies(t, alive)
			if f.Party != c.party || f.Kind != c.kind || f.Line == "" || recorded != f {
				t.Errorf("fault %+v (recorded %v); want %s/%s naming the line", f, recorded, c.party, c.kind)
			}
			if c.kind == fault.Initramfs && !strings.Contains(f.Message, "No init found") {
				t.Errorf("the initramfs fault does not say why: %s", f.Message)
			}
		})
	}
}

func TestWatcherToleratesAnOopsAfterBootAndOneRebootPerWindow(t *testing.T) {
	m := newFake(t)
	w, alive := watch(m, nil)
	defer w.stop()
	m.write("[ 0.0] Linux version 6.1\nlogin: \n")
	time.Sleep(2 * watchInterval)
	w.endBoot()
	m.write("[ 90.0] BUG: unable to handle page fault\n") // the console check judges it
	w.beginBoot()                                         // a reboot: one more kernel is expected
	m.write("[ 0.0] Linux version 6.1\n")
	time.Sleep(3 * watchInterval)
	if alive.Err() != nil {
		t.Fatalf("a reboot or an oops after boot ended the guest: %v", context.Cause(alive))
	}
	m.write("[ 0.0] Linux version 6.1\n") // a second kernel in the same window
	if f := dies(t, alive); f.Kind != fault.RebootLoop {
		t.Errorf("fault %+v", f)
	}
}

func TestWatcherJudgesMachineExits(t *testing.T) {
	for reason, want := range map[vm.ExitReason]fault.Party{
		vm.ExitShutdown: fault.Image, vm.ExitCrashed: fault.Image,
		vm.ExitFailed: fault.Host, vm.ExitDestroyed: fault.Host, vm.ExitPaused: fault.Host, vm.ExitConnectionLost: fault.Host,
	} {
		m := newFake(t)
		w, alive := watch(m, nil)
		m.exits <- vm.Exit{Reason: reason, Detail: "QEMU log: terminating on signal 9"}
		f := dies(t, alive)
		if f.Party != want || !strings.Contains(f.Message, "terminating on signal 9") {
			t.Errorf("%s: fault %+v, want %s", reason, f, want)
		}
		w.stop()
	}
	// A panic on the console explains an exit better than the exit does.
	m := newFake(t)
	w, alive := watch(m, nil)
	defer w.stop()
	m.write("Kernel panic - not syncing: Attempted to kill init!\n")
	m.exits <- vm.Exit{Reason: vm.ExitFailed}
	if f := dies(t, alive); f.Kind != fault.Panic {
		t.Errorf("fault %+v", f)
	}
}

func TestTimeoutFaultNeedsProof(t *testing.T) {
	sshErr := errors.New("connection refused")
	m := newFake(t)
	w, _ := watch(m, nil)
	w.stop()
	if f := w.timeoutFault(time.Minute, sshErr); f.Party != fault.Unknown || f.Kind != fault.NoConsole {
		t.Errorf("no console output: %+v", f)
	}
	m.write("Linux version 6.1\n[  OK  ] Started something.\n")
	if f := w.timeoutFault(time.Minute, sshErr); f.Party != fault.Unknown || f.Kind != fault.NotUp {
		t.Errorf("output, not up: %+v", f)
	}
	m.write("debian-12-x86-64 login: ")
	f := w.timeoutFault(time.Minute, sshErr)
	if f.Party != fault.Image || f.Kind != fault.SSHRefused || f.Line != "debian-12-x86-64 login:" {
		t.Errorf("up, no SSH: %+v", f)
	}
	if f := w.timeoutFault(time.Minute, sshx.ErrHostKeyUnknown); f.Party != fault.Image || !strings.Contains(f.Message, "did not announce") {
		t.Errorf("unannounced host key: %+v", f)
	}
}

func TestWithinEndsWithTheFault(t *testing.T) {
	alive, kill := context.WithCancelCause(context.Background())
	ctx, stop := within(context.Background(), alive)
	defer stop()
	f := fault.New(fault.Host, fault.QEMUExited, "gone")
	kill(f)
	<-ctx.Done()
	if got, _ := fault.As(context.Cause(ctx)); got != f {
		t.Errorf("cause %v", context.Cause(ctx))
	}
}
