package framework

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/imagegate/imagegate/harness/extsuite"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/textx"
)

// GuestSuitesDir is where an external suite's checks are uploaded in the
// guest (<dir>/<name>/checks/<file>); each check runs from <dir>/<name>.
const GuestSuitesDir = "/var/lib/imagegate/suites"

// registerExternal loads the target's external suites and registers them
// beside the compiled-in ones. A folder that changed since the run was
// planned is refused: the report would name checks that did not run.
func registerExternal(t run.Target) error {
	for _, d := range t.Options.SuiteDirs {
		s, err := extsuite.Load(d.Dir)
		if err != nil {
			return err
		}
		if d.SHA256 != "" && s.SHA256 != d.SHA256 {
			return fmt.Errorf("suite %s: %s changed since the run was planned (sha256 %.12s, planned %.12s); run again", s.Name, d.Dir, s.SHA256, d.SHA256)
		}
		if err := add(External(s)); err != nil {
			return fmt.Errorf("--suite-dir %s: %w", d.Dir, err)
		}
	}
	return nil
}

// External is an external suite as a Suite: one spec per executable of
// its checks/ folder, in file-name order; those marked after_reboot run
// in the reboot phase every suite shares.
func External(s *extsuite.Suite) Suite {
	x := &external{s: s}
	out := Suite{Name: s.Name, Labels: s.Labels, Families: s.Families, Arches: s.Arches, UserData: s.UserData,
		Specs: func() { x.declare(false) }}
	if s.NeedsReboot() {
		out.AfterReboot = func() { x.declare(true) }
	}
	return out
}

type external struct {
	s        *extsuite.Suite
	uploaded bool
}

func (x *external) declare(afterReboot bool) {
	for _, c := range x.s.Checks {
		if c.AfterReboot == afterReboot {
			It(c.Name, Label(c.Labels...), NodeTimeout(c.Timeout+time.Minute), func(ctx SpecContext) { x.run(ctx, c) })
		}
	}
}

// run runs one check in the guest and judges its exit status: 0 passes,
// the suite's not-applicable status ends it as not applicable for the
// reason it printed, a check that could not run or finish is an error,
// anything else fails with its output.
func (x *external) run(ctx context.Context, c extsuite.Check) {
	g := G()
	x.upload(ctx, g)
	res, err := g.RunWithin(ctx, x.command(g, c), c.Timeout)
	GinkgoWriter.Println(res.String())
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		CouldNotCheck("checks/%s did not finish within %s (its timeout in suite.yaml)\n%s", c.File, c.Timeout, res)
	}
	ErrorIf(err, "run checks/"+c.File)
	if why := cannotRun(res); why != "" {
		CouldNotCheck("checks/%s: %s\n%s", c.File, why, res)
	}
	switch res.ExitStatus {
	case 0:
	case x.s.NotApplicableExit:
		reason := firstLine(res.Stdout, res.Stderr)
		if reason == "" {
			CouldNotCheck("checks/%s exited %d (not applicable) without printing why", c.File, res.ExitStatus)
		}
		NotApplicable(reason)
	default:
		// The first line is what the report's summary shows: what the
		// check said (stderr first), then everything.
		Fail(fmt.Sprintf("checks/%s exited %d: %s\n%s", c.File, res.ExitStatus, firstLine(res.Stderr, res.Stdout), res))
	}
}

// upload copies the suite's checks and files into the guest, once per
// guest (the disk keeps them across the reboot).
func (x *external) upload(ctx context.Context, g *Guest) {
	GinkgoHelper()
	if x.uploaded {
		return
	}
	put := func(src, dst string, mode os.FileMode) {
		data, err := os.ReadFile(src)
		ErrorIf(err, "read the suite's "+src)
		ErrorIf(g.Upload(ctx, data, dst, mode), "upload "+dst)
	}
	for _, c := range x.s.Checks {
		put(c.Path, path.Join(x.guestDir(), extsuite.Checks, c.File), 0o755)
	}
	for _, f := range x.s.Files {
		put(f.Src, f.Dest, f.Mode)
	}
	x.uploaded = true
}

func (x *external) guestDir() string { return path.Join(GuestSuitesDir, x.s.Name) }

// command runs the check from the suite's folder in the guest, as root
// (through sudo) or as the seeded user, with what it may want to know
// about the target in its environment.
func (x *external) command(g *Guest, c extsuite.Check) string {
	phase := "first-boot"
	if c.AfterReboot {
		phase = "after-reboot"
	}
	env := []string{"IMAGEGATE_SUITE=" + x.s.Name, "IMAGEGATE_ARCH=" + g.Target.Image.Arch,
		"IMAGEGATE_FAMILY=" + g.Target.Image.Family, "IMAGEGATE_USER=" + GuestUser, "IMAGEGATE_PHASE=" + phase}
	for i, e := range env {
		env[i] = report.ShellQuote(e)
	}
	cmd := fmt.Sprintf("cd %s && exec env %s ./%s/%s", report.ShellQuote(x.guestDir()), strings.Join(env, " "),
		extsuite.Checks, report.ShellQuote(c.File))
	if c.RunAs == extsuite.AsRoot {
		return Sudo(cmd)
	}
	return cmd
}

// firstLine is the first non-blank line of the first output that has one.
func firstLine(outs ...string) string {
	for _, o := range outs {
		if l := textx.FirstLine(o); l != "" {
			return l
		}
	}
	return ""
}
