package layered

import (
	"context"
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
	UserData:    "runcmd:\n  - [mkdir, -p, /usr/local/lib/imagegate-hello]\n",
	Specs:       specs,
	AfterReboot: afterReboot,
})

func specs() {
	// Ordered: install, then check. The check after a reboot is in
	// afterReboot: it runs after the reboot every suite shares.
	Describe("hello payload", Ordered, func() {
		It("installs from the suite's files and starts as a service", func(ctx SpecContext) {
			g := framework.G()
			for name, dst := range map[string]string{
				"payload/imagegate-hello.sh":      "/usr/local/lib/imagegate-hello/imagegate-hello.sh",
				"payload/imagegate-hello.service": "/etc/systemd/system/imagegate-hello.service",
			} {
				data, err := payload.ReadFile(name)
				framework.ErrorIf(err, "read the suite's payload")
				mode := os.FileMode(0o644)
				if strings.HasSuffix(name, ".sh") {
					mode = 0o755
				}
				framework.ErrorIf(g.Upload(ctx, data, dst, mode), "upload "+dst)
			}
			framework.MustRun(ctx, framework.Sudo("systemctl daemon-reload && systemctl enable --now imagegate-hello.service"))
		})

		It("is running and doing its work", func(ctx SpecContext) {
			expectAlive(ctx)
		})
	})
}

func afterReboot() {
	Describe("hello payload", func() {
		var before string
		framework.BeforeReboot(func(ctx context.Context) {
			before = strings.TrimSpace(framework.MustRun(ctx, "cat /proc/sys/kernel/random/boot_id"))
		})

		It("is running again after a reboot", Label("slow"), func(ctx SpecContext) {
			Eventually(ctx, func() string {
				return strings.TrimSpace(framework.MustRun(ctx, "cat /run/imagegate-hello/boot_id 2>/dev/null || true"))
			}).WithTimeout(2 * time.Minute).WithPolling(2 * time.Second).ShouldNot(Or(BeEmpty(), Equal(before)))
			expectAlive(ctx)
		})
	})
}

// expectAlive: the unit is active and its heartbeat moves.
func expectAlive(ctx SpecContext) {
	GinkgoHelper()
	Expect(strings.TrimSpace(framework.Exec(ctx, "systemctl is-active imagegate-hello.service").Stdout)).To(Equal("active"))
	first := framework.MustRun(ctx, "cat /run/imagegate-hello/heartbeat")
	Eventually(ctx, func() string { return framework.MustRun(ctx, "cat /run/imagegate-hello/heartbeat") }).
		WithTimeout(30 * time.Second).WithPolling(time.Second).ShouldNot(Equal(first))
}
