package guest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/imagegate/imagegate/harness/console"
	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/remote"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/seed"
	"github.com/imagegate/imagegate/harness/sshx"
	"github.com/imagegate/imagegate/harness/vm"
)

// Hooks are how a guest reports and cleans up: Undo takes each resource's
// undo step right after it is made; Logf is the human log; Events the
// progress as data (nil: nobody listens).
type Hooks struct {
	Undo   Cleanup
	Logf   func(format string, args ...any)
	Events *event.Sink
}

// check fills in what may be left out and refuses what may not.
func (h Hooks) check() (Hooks, error) {
	if h.Undo == nil {
		return h, errors.New("guest: Hooks.Undo is required: every resource needs its undo step")
	}
	if h.Logf == nil {
		h.Logf = func(string, ...any) {}
	}
	return h, nil
}

// Guest is a booted target.
type Guest struct {
	Target    run.Target
	Machine   vm.Machine
	SSH       *sshx.Client
	Key       sshx.Key
	Seed      seed.Spec
	BootToSSH time.Duration
	started   time.Time
	failed    bool // a spec failed: --keep-failed keeps the disk

	main      bool            // the target's guest (not a sibling): its death ends the suite
	watch     *watcher        // console and machine state
	alive     context.Context // ends, with a *fault.Fault as cause, when the guest dies
	faultOnce sync.Once
	hooks     Hooks
	pristine  pristine
	pkgs      packages
	settled   settledStatus // cloud-init's status when Settle last returned
}

var _ remote.Runner = (*Guest)(nil)

// Timing reports a measured phase of the target's own guest as an event
// (the parent keeps them in timings.json).
func (g *Guest) Timing(name string, d time.Duration) {
	if g.main {
		g.hooks.Events.Emit(event.TimingOf(name, d.Seconds()))
	}
}

// emit reports a phase of the target's own guest.
func (g *Guest) emit(phase, detail string) {
	if g.main {
		g.hooks.Events.Emit(event.PhaseOf(phase, detail))
	}
}

// CommandTimeout bounds one command in the guest unless the caller's
// context ends sooner; it scales with the boot timeout (and so with
// emulation).
func (g *Guest) CommandTimeout() time.Duration {
	return max(g.Target.Machine.BootTimeout/2, time.Minute)
}

// Run runs a command as the harness user. A non-zero exit is not an error;
// an error means the command could not run or finish. When the guest has
// died the error is (wraps) the *fault.Fault it died of.
func (g *Guest) Run(ctx context.Context, cmd string) (remote.Result, error) {
	return g.run(ctx, cmd, nil)
}

// RunWithin is Run with its own time limit instead of CommandTimeout (an
// external suite's check declares one). A command cut off by it returns
// an error wrapping context.DeadlineExceeded.
func (g *Guest) RunWithin(ctx context.Context, cmd string, limit time.Duration) (remote.Result, error) {
	return g.runWithin(ctx, cmd, nil, limit)
}

func (g *Guest) run(ctx context.Context, cmd string, in io.Reader) (remote.Result, error) {
	return g.runWithin(ctx, cmd, in, g.CommandTimeout())
}

func (g *Guest) runWithin(ctx context.Context, cmd string, in io.Reader, limit time.Duration) (remote.Result, error) {
	if f := g.dead(); f != nil {
		return remote.Result{Command: cmd, ExitStatus: -1}, fmt.Errorf("%s: %w", g.Target.ID(), f)
	}
	if g.SSH == nil {
		return remote.Result{Command: cmd, ExitStatus: -1}, fmt.Errorf("%s: no SSH connection", g.Target.ID())
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	ctx, stop := within(ctx, g.alive)
	defer stop()
	res, err := g.SSH.RunInput(ctx, cmd, in)
	if err != nil {
		if f := g.diedMeanwhile(); f != nil {
			return res, fmt.Errorf("%s: %w", g.Target.ID(), f)
		}
	}
	return res, err
}

// diedMeanwhile is the fault the guest died of when a command's connection
// broke: the connection usually breaks a moment before the watcher hears
// of the death (QEMU's exit event, the console's next poll), so it waits a
// little for the verdict. nil: the guest lives (or cannot tell).
func (g *Guest) diedMeanwhile() *fault.Fault {
	if g.alive == nil {
		return nil
	}
	select {
	case <-g.alive.Done():
	case <-time.After(3 * watchInterval):
	}
	return g.dead()
}

// Upload writes data to path in the guest (as root, with mode), through
// the SSH connection: how a suite puts a layered payload onto an image.
func (g *Guest) Upload(ctx context.Context, data []byte, path string, mode os.FileMode) error {
	cmd := Sudo(fmt.Sprintf("mkdir -p \"$(dirname %[1]s)\" && cat > %[1]s && chmod %[2]o %[1]s", report.ShellQuote(path), mode.Perm()))
	res, err := g.run(ctx, cmd, bytes.NewReader(data))
	if err == nil && !res.OK() {
		err = fmt.Errorf("upload %s:\n%s", path, res)
	}
	return err
}

// Sudo wraps a shell command to run as root without a password prompt.
func Sudo(cmd string) string {
	return "sudo -n sh -c " + report.ShellQuote(cmd)
}

// Logf writes a progress line to the target's log (a second instance's
// guest has none: its lines are dropped).
func (g *Guest) Logf(format string, args ...any) { g.hooks.Logf(format, args...) }

// Console is the serial console log so far.
func (g *Guest) Console() []byte {
	b, _ := os.ReadFile(g.Machine.ConsolePath())
	return b
}

// ReadConsole is Console with its error: a console log that cannot be
// read must not look empty to a check.
func (g *Guest) ReadConsole() ([]byte, error) { return os.ReadFile(g.Machine.ConsolePath()) }

// MarkFailed notes that a check failed: --keep-failed keeps the disk.
func (g *Guest) MarkFailed() { g.failed = true }

// Failed reports whether a check failed.
func (g *Guest) Failed() bool { return g.failed }

// ConsoleFingerprints are the host key fingerprints announced on the console.
func (g *Guest) ConsoleFingerprints() []string { return console.Fingerprints(g.Console()) }

// keepAccess writes the private key, the verified host key and an
// access.json into the work dir (never the reports), and returns how a
// person gets in: `imagegate ssh <target>`, or plain ssh.
func (g *Guest) KeepAccess() string {
	if g.SSH == nil {
		return "the guest never answered SSH; see " + g.Machine.ConsolePath()
	}
	if !g.SSH.Confirmed() {
		return "the guest's SSH host key was never confirmed against its console, so no known_hosts line is written; see " + g.Machine.ConsolePath()
	}
	a := Access{Target: g.Target.ID(), URI: g.Target.Machine.URI, Domain: g.Target.Machine.Name, Addr: g.Machine.SSHAddr(), User: User,
		Key: g.Target.Layout.Key(), KnownHosts: g.Target.Layout.KnownHosts()}
	if err := g.Key.WritePrivate(a.Key); err != nil {
		return "cannot write the key: " + err.Error()
	}
	if err := os.WriteFile(a.KnownHosts, []byte(g.SSH.KnownHostsLine()+"\n"), 0o644); err != nil {
		return "cannot write known_hosts: " + err.Error()
	}
	if err := a.write(g.Target.Layout.Access()); err != nil {
		return "cannot write access.json: " + err.Error()
	}
	self, _ := os.Executable()
	login, destroy := a.Commands(self, g.Target.Layout.WorkRoot())
	return fmt.Sprintf("%s   (or: %s); destroy with: %s", login, strings.Join(a.SSHArgs(), " "), destroy)
}
