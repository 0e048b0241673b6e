package framework

import (
	"bytes"
	"context"
	"encoding/json"
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
	// Timings are phase durations in seconds, saved as timings.json.
	Timings map[string]float64
	failed  bool // a spec failed: --keep-failed keeps the disk
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

// Upload writes data to path in the guest (as root, with mode), through
// the SSH connection: how a suite puts a layered payload onto an image.
func (g *Guest) Upload(ctx context.Context, data []byte, path string, mode os.FileMode) error {
	if g.SSH == nil {
		return fmt.Errorf("%s: no SSH connection", g.Target.ID())
	}
	ctx, cancel := context.WithTimeout(ctx, g.CommandTimeout())
	defer cancel()
	cmd := Sudo(fmt.Sprintf("mkdir -p \"$(dirname %[1]s)\" && cat > %[1]s && chmod %[2]o %[1]s", shellQuote(path), mode.Perm()))
	res, err := g.SSH.RunInput(ctx, cmd, bytes.NewReader(data))
	if err == nil && !res.OK() {
		err = fmt.Errorf("upload %s:\n%s", path, res)
	}
	return err
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

// keepAccess writes the private key, the verified host key and an
// access.json into the work dir (never the reports), and returns how a
// person gets in: `imagegate ssh <target>`, or plain ssh.
func (g *Guest) keepAccess() string {
	if g.SSH == nil {
		return "the guest never answered SSH; see " + g.Machine.ConsolePath()
	}
	a := Access{Target: g.Target.ID(), Domain: g.Target.Domain, Addr: g.Machine.SSHAddr(), User: GuestUser,
		Key: filepath.Join(g.Target.WorkDir, "id_ed25519"), KnownHosts: filepath.Join(g.Target.WorkDir, "known_hosts")}
	if err := g.Key.WritePrivate(a.Key); err != nil {
		return "cannot write the key: " + err.Error()
	}
	if err := os.WriteFile(a.KnownHosts, []byte(g.SSH.KnownHostsLine()+"\n"), 0o644); err != nil {
		return "cannot write known_hosts: " + err.Error()
	}
	if err := a.write(g.Target.WorkDir); err != nil {
		return "cannot write access.json: " + err.Error()
	}
	return fmt.Sprintf("imagegate ssh %s   (or: %s); destroy with: virsh destroy %s", a.Target, strings.Join(a.SSHArgs(), " "), a.Domain)
}

// evidence is what is fetched from the guest before it is destroyed.
var evidence = []struct{ file, cmd string }{
	{"cloud-init.log", "cat /var/log/cloud-init.log"},
	{"cloud-init-output.log", "cat /var/log/cloud-init-output.log"},
	{"cloud-init-status.txt", "cloud-init status --long"},
	{"cloud-init-result.json", "cat /run/cloud-init/result.json"},
	{"journal.txt", "journalctl -b --no-pager -o short-monotonic"},
	// cloud-init's own bundle, without user-data (it may hold secrets).
	{"cloud-init-logs.tar.gz", "cloud-init collect-logs -t /run/imagegate-ci-logs.tgz >/dev/null 2>&1 && cat /run/imagegate-ci-logs.tgz && rm -f /run/imagegate-ci-logs.tgz"},
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
	g.Timings["total-until-evidence"] = time.Since(g.started).Seconds()
	if b, err := json.MarshalIndent(g.Timings, "", "  "); err == nil {
		os.WriteFile(filepath.Join(g.Target.OutDir, "timings.json"), b, 0o644)
	}
	if len(failed) > 0 {
		return fmt.Errorf("evidence not fully collected: %s", strings.Join(failed, ", "))
	}
	return nil
}
