package framework

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive

	"github.com/imagegate/imagegate/harness/remote"
	"github.com/imagegate/imagegate/harness/textx"
)

// The helpers every check shares (as kola's MustSSH): specs call them, not
// G().Run, so a command that could not run is always an error and never
// a silent pass.

// Exec runs cmd in the target's guest as the harness user and returns its
// result, whatever its exit status. If the command could not run at all —
// no connection, the guest died, a timeout, the shell could not find or
// execute the program (exit 127 or 126), or sudo -n refused — the check
// ends as an error (or, if the guest died of the image's fault, a
// failure).
func Exec(ctx context.Context, cmd string) remote.Result { GinkgoHelper(); return G().Exec(ctx, cmd) }

// MustRun is Exec, and a non-zero exit fails the check: the command is
// how the image shows it does something, so its failing is the image's
// fault. It returns stdout.
func MustRun(ctx context.Context, cmd string) string { GinkgoHelper(); return G().MustRun(ctx, cmd) }

// Query is Exec for a command that only gathers facts to judge: its
// non-zero exit means the check could not look (an error), not that the
// image is wrong. It returns stdout.
func Query(ctx context.Context, cmd string) string { GinkgoHelper(); return G().Query(ctx, cmd) }

// Exec is the package-level Exec on this guest (a sibling, say).
func (g *Guest) Exec(ctx context.Context, cmd string) remote.Result {
	GinkgoHelper()
	res, err := g.Run(ctx, cmd)
	ErrorIf(err, "run "+quoteCmd(cmd))
	GinkgoWriter.Println(res.String())
	if why := cannotRun(res); why != "" {
		CouldNotCheck("%s\n%s", why, res)
	}
	return res
}

// MustRun is the package-level MustRun on this guest.
func (g *Guest) MustRun(ctx context.Context, cmd string) string {
	GinkgoHelper()
	res := g.Exec(ctx, cmd)
	if !res.OK() {
		Fail("command failed:\n" + res.String())
	}
	return res.Stdout
}

// Query is the package-level Query on this guest.
func (g *Guest) Query(ctx context.Context, cmd string) string {
	GinkgoHelper()
	res := g.Exec(ctx, cmd)
	if !res.OK() {
		CouldNotCheck("command failed:\n%s", res)
	}
	return res.Stdout
}

// cannotRun says why a finished command shows that it never really ran.
func cannotRun(res remote.Result) string {
	switch {
	case res.ExitStatus == 127:
		return "a program the check needs is missing (exit 127)"
	case res.ExitStatus == 126:
		return "a program the check needs cannot be executed (exit 126)"
	case strings.HasPrefix(res.Command, "sudo -n ") && res.ExitStatus == 1 && sudoRefused(res.Stderr):
		return "sudo refused to run the command"
	}
	return ""
}

func sudoRefused(stderr string) bool {
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "sudo: ") && (strings.Contains(l, "password is required") ||
			strings.Contains(l, "terminal is required") || strings.Contains(l, "not in the sudoers") ||
			strings.Contains(l, "not allowed") || strings.Contains(l, "unable to")) {
			return true
		}
	}
	return false
}

func quoteCmd(cmd string) string { return "`" + textx.Clip(cmd, 120) + "`" }

// Lines splits output into trimmed, non-empty lines.
func Lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
