package baseline

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/remote"
)

// run runs cmd in the guest and fails the spec if it could not be run.
func run(ctx context.Context, cmd string) remote.Result {
	GinkgoHelper()
	res, err := framework.G().Run(ctx, cmd)
	Expect(err).NotTo(HaveOccurred())
	GinkgoWriter.Println(res.String())
	return res
}

// ok runs cmd and fails the spec unless it exits 0; it returns stdout.
func ok(ctx context.Context, cmd string) string {
	GinkgoHelper()
	res := run(ctx, cmd)
	Expect(res.ExitStatus).To(Equal(0), "command failed:\n%s", res)
	return res.Stdout
}

// sudo runs cmd as root and fails the spec unless it exits 0.
func sudo(ctx context.Context, cmd string) string {
	GinkgoHelper()
	return ok(ctx, framework.Sudo(cmd))
}

// lines splits output into trimmed, non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
