package framework

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/imagegate/imagegate/harness/console"
	"github.com/imagegate/imagegate/harness/remote"
	"github.com/imagegate/imagegate/harness/seed"
	"github.com/imagegate/imagegate/harness/sshx"
	"github.com/imagegate/imagegate/harness/vm"
)

// Guest is a booted target as specs see it.
type Guest struct {
	Target    Target
	Machine   vm.Machine
	SSH       *sshx.Client
	Key       sshx.Key
	Seed      seed.Spec
	BootToSSH time.Duration
	started   time.Time
}

var _ remote.Runner = (*Guest)(nil)

// CommandTimeout bounds one command in the guest unless the caller's
// context ends sooner; it scales with the boot timeout (and so with
// emulation).
func (g *Guest) CommandTimeout() time.Duration { return max(g.Target.BootTimeout/2, time.Minute) }

// Run runs a command as the harness user.
func (g *Guest) Run(ctx context.Context, cmd string) (remote.Result, error) {
	if g.SSH == nil {
		return remote.Result{Command: cmd}, fmt.Errorf("%s: no SSH connection", g.Target.ID())
	}
	ctx, cancel := context.WithTimeout(ctx, g.CommandTimeout())
	defer cancel()
	return g.SSH.Run(ctx, cmd)
}

// Sudo wraps a shell command to run as root without a password prompt.
func Sudo(cmd string) string {
	return "sudo -n sh -c " + shellQuote(cmd)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Console is the serial console log so far.
func (g *Guest) Console() []byte {
	b, _ := os.ReadFile(g.Machine.ConsolePath())
	return b
}

// ConsoleFingerprints are the host key fingerprints announced on the console.
func (g *Guest) ConsoleFingerprints() []string { return console.Fingerprints(g.Console()) }

// evidence is what is fetched from the guest before it is destroyed.
var evidence = []struct{ file, cmd string }{
	{"cloud-init.log", "cat /var/log/cloud-init.log"},
	{"cloud-init-output.log", "cat /var/log/cloud-init-output.log"},
	{"cloud-init-status.txt", "cloud-init status --long"},
	{"cloud-init-result.json", "cat /run/cloud-init/result.json"},
	{"journal.txt", "journalctl -b --no-pager -o short-monotonic"},
}

// CollectEvidence saves guest logs into the target's report folder. It goes
// on past a failed item; what could not be fetched is said in the file.
func (g *Guest) CollectEvidence(ctx context.Context) error {
	if g.SSH == nil {
		return nil
	}
	var failed []string
	for _, e := range evidence {
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		res, err := g.Run(cctx, Sudo(e.cmd))
		cancel()
		body := res.Stdout
		if err != nil || !res.OK() {
			failed = append(failed, e.file)
			body += fmt.Sprintf("\n(imagegate: %q failed: %v %s)\n", e.cmd, err, res.Stderr)
		}
		if werr := os.WriteFile(filepath.Join(g.Target.OutDir, e.file), []byte(body), 0o644); werr != nil {
			return werr
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("evidence not fully collected: %s", strings.Join(failed, ", "))
	}
	return nil
}
