package baseline

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/framework"
)

// semaphores lists cloud-init's per-instance module semaphores with their
// times: a module that runs again on reboot would touch its file.
const semaphores = "ls -l --time-style=+%s /var/lib/cloud/instance/sem/"

// afterReboot: the checks that need the guest rebooted, run after the one
// reboot every suite shares.
func afterReboot() {
	Describe("reboot", Label("slow"), func() {
		var sem, id, boot string
		// Recorded just before the reboot.
		framework.BeforeReboot(func(ctx context.Context) {
			sem = sudo(ctx, semaphores)
			id = strings.TrimSpace(ok(ctx, "cat /etc/machine-id"))
			boot = strings.TrimSpace(ok(ctx, "cat /proc/sys/kernel/random/boot_id"))
		})

		// Reconnecting after the reboot verified the host key against the
		// fingerprints announced at first boot: new keys were refused.
		It("comes back with the same hostname and host keys, without re-running per-instance modules", func(ctx SpecContext) {
			g := framework.G()
			Expect(strings.TrimSpace(ok(ctx, "cat /proc/sys/kernel/random/boot_id"))).NotTo(Equal(boot), "the guest did not reboot")
			Expect(strings.TrimSpace(ok(ctx, "hostname"))).To(Equal(g.Seed.Hostname))
			Expect(strings.TrimSpace(ok(ctx, "cat /etc/machine-id"))).To(Equal(id))
			Expect(sudo(ctx, semaphores)).To(Equal(sem), "per-instance semaphores changed: modules ran again")
			_, st, out := settled() // as the wait after the reboot printed it
			Expect(st).To(Equal("done"), "cloud-init status after the reboot:\n%s", out)
		})
	})
}
