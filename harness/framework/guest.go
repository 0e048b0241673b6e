package framework

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

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

// Guest is a booted target as specs see it.
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
}

var _ remote.Runner = (*Guest)(nil)

// timing reports a measured phase of the target's own guest as an event
// (the parent keeps them in timings.json).
func (g *Guest) timing(name string, d time.Duration) {
	if g.main {
		events.Emit(event.TimingOf(name, d.Seconds()))
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

func (g *Guest) run(ctx context.Context, cmd string, in io.Reader) (remote.Result, error) {
	if f := g.dead(); f != nil {
		return remote.Result{Command: cmd, ExitStatus: -1}, fmt.Errorf("%s: %w", g.Target.ID(), f)
	}
	if g.SSH == nil {
		return remote.Result{Command: cmd, ExitStatus: -1}, fmt.Errorf("%s: no SSH connection", g.Target.ID())
	}
	ctx, cancel := context.WithTimeout(ctx, g.CommandTimeout())
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

// Console is the serial console log so far.
func (g *Guest) Console() []byte {
	b, _ := os.ReadFile(g.Machine.ConsolePath())
	return b
}

// ReadConsole is Console for a check: a console log that cannot be read
// ends the check as an error rather than looking empty.
func (g *Guest) ReadConsole() []byte {
	GinkgoHelper()
	b, err := os.ReadFile(g.Machine.ConsolePath())
	ErrorIf(err, "read the serial console log")
	return b
}

// ConsoleFingerprints are the host key fingerprints announced on the console.
func (g *Guest) ConsoleFingerprints() []string { return console.Fingerprints(g.Console()) }

// keepAccess writes the private key, the verified host key and an
// access.json into the work dir (never the reports), and returns how a
// person gets in: `imagegate ssh <target>`, or plain ssh.
func (g *Guest) keepAccess() string {
	if g.SSH == nil {
		return "the guest never answered SSH; see " + g.Machine.ConsolePath()
	}
	a := Access{Target: g.Target.ID(), Domain: g.Target.Machine.Name, Addr: g.Machine.SSHAddr(), User: GuestUser,
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
	return fmt.Sprintf("imagegate ssh %s   (or: %s); destroy with: virsh destroy %s", a.Target, strings.Join(a.SSHArgs(), " "), a.Domain)
}
