package baseline

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/imagegate/imagegate/harness/framework"
)

// The baseline's shorthands over the framework's shared helpers: a command
// that cannot run is an error (not judged), never a pass.

// run runs cmd and returns its result whatever the exit status.
var run = framework.Exec

// ok runs cmd and fails the check unless it exits 0: the image is wrong.
func ok(ctx context.Context, cmd string) string { GinkgoHelper(); return framework.MustRun(ctx, cmd) }

// sudo is ok as root.
func sudo(ctx context.Context, cmd string) string {
	GinkgoHelper()
	return framework.MustRun(ctx, framework.Sudo(cmd))
}

// query runs a command that only gathers facts: its failing is an error.
func query(ctx context.Context, cmd string) string { GinkgoHelper(); return framework.Query(ctx, cmd) }

// lines splits output into trimmed, non-empty lines.
var lines = framework.Lines

// firstWord is the first field of s, or "".
func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}
