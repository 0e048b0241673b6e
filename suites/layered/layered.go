package layered

import (
	"embed"
	"os"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/framework"
)

//go:embed payload
var payload embed.FS

var _ = framework.Register(framework.Suite{
	Name:   "layered-hello",
	Labels: []string{"sig:example"},
	// The payload needs systemd; every family we test has it. A SIG
	// limits its suite here, e.g. Families: []string{"fedora"}.
	Families: nil,
	// What the seed must carry for this suite: a directory for the payload.
	UserData: "runcmd:\n  - [mkdir, -p, /usr/local/lib/imagegate-hello]\n",
	Specs:    specs,
})

func specs() {
	// Ordered: install, then check, then reboot and check again.
	Describe("hello payload", Ordered, func() {
		It("installs from the suite's files and starts as a service", func(ctx SpecContext) {
			g := framework.G()
			for name, dst := range map[string]string{
				"payload/imagegate-hello.sh":      "/usr/local/lib/imagegate-hello/imagegate-hello.sh",
				"payload/imagegate-hello.service": "/etc/systemd/system/imagegate-hello.service",
			} {
				data, err := payload.ReadFile(name)
				Expect(err).NotTo(HaveOccurred())
				mode := os.FileMode(0o644)
				if strings.HasSuffix(name, ".sh") {
					mode = 0o755
				}
				Expect(g.Upload(ctx, data, dst, mode)).To(Succeed())
			}
			mustRun(ctx, framework.Sudo("systemctl daemon-reload && systemctl enable --now imagegate-hello.service"))
		})

		It("is running and doing its work", func(ctx SpecContext) {
			expectAlive(ctx)
		})

		It("is running again after a reboot", Label("slow"), func(ctx SpecContext) {
			before := strings.TrimSpace(mustRun(ctx, "cat /proc/sys/kernel/random/boot_id"))
			Expect(framework.G().Reboot(ctx)).To(Succeed())
			Eventually(ctx, func() string {
				return strings.TrimSpace(mustRun(ctx, "cat /run/imagegate-hello/boot_id 2>/dev/null || true"))
			}).WithTimeout(2 * time.Minute).WithPolling(2 * time.Second).ShouldNot(Or(BeEmpty(), Equal(before)))
			expectAlive(ctx)
		})
	})
}

// expectAlive: the unit is active and its heartbeat moves.
func expectAlive(ctx SpecContext) {
	GinkgoHelper()
	Expect(strings.TrimSpace(mustRun(ctx, "systemctl is-active imagegate-hello.service"))).To(Equal("active"))
	first := mustRun(ctx, "cat /run/imagegate-hello/heartbeat")
	Eventually(ctx, func() string { return mustRun(ctx, "cat /run/imagegate-hello/heartbeat") }).
		WithTimeout(30 * time.Second).WithPolling(time.Second).ShouldNot(Equal(first))
}

func mustRun(ctx SpecContext, cmd string) string {
	GinkgoHelper()
	res, err := framework.G().Run(ctx, cmd)
	Expect(err).NotTo(HaveOccurred())
	Expect(res.ExitStatus).To(Equal(0), "%s", res)
	return res.Stdout
}
