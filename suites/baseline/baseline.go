package baseline

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/console"
	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/pkgdb"
	"github.com/imagegate/imagegate/harness/sshx"
)

var _ = framework.Register(framework.Suite{Name: "baseline", Specs: specs, UserData: userData, NetworkConfig: networkConfig})

// kernelPackages names the kernel package prefix per package manager.
var kernelPackages = map[string]string{"dpkg": "linux-image-", "rpm": "kernel"}

func specs() {
	cloudInitSpecs()
	profileSpecs()
	firstBootSpecs()
	lifecycleSpecs()

	Describe("ssh", func() {
		It("logs in with the injected key as the seeded user, with working sudo", func(ctx SpecContext) {
			Expect(strings.TrimSpace(ok(ctx, "id -un"))).To(Equal(framework.GuestUser))
			keys := ok(ctx, "cat ~/.ssh/authorized_keys")
			Expect(keys).To(ContainSubstring(framework.G().Key.AuthorizedKey))
			Expect(strings.TrimSpace(ok(ctx, "sudo -n id -u"))).To(Equal("0"))
		})

		It("refuses password authentication", func(ctx SpecContext) {
			g := framework.G()
			offered, err := sshx.OffersPassword(ctx, g.Machine.SSHAddr(), framework.GuestUser, g.ConsoleFingerprints)
			Expect(err).NotTo(HaveOccurred())
			Expect(offered).To(BeFalse(), "sshd offers password authentication")
		})

		It("presents only host keys announced on the console", func(ctx SpecContext) {
			fps := framework.G().ConsoleFingerprints()
			Expect(fps).NotTo(BeEmpty())
			out := ok(ctx, "for f in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf $f; done")
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				f := strings.Fields(line)
				Expect(len(f)).To(BeNumerically(">=", 2), "ssh-keygen -l line %q", line)
				Expect(fps).To(ContainElement(f[1]), "host key %s not announced on the console", line)
			}
		})
	})

	Describe("packages", func() {
		var mgr pkgdb.Manager
		var installed []pkgdb.Package
		BeforeEach(func(ctx SpecContext) {
			var err error
			mgr, err = pkgdb.Detect(ctx, framework.G())
			Expect(err).NotTo(HaveOccurred())
			installed, err = mgr.Installed(ctx)
			Expect(err).NotTo(HaveOccurred())
		})

		It("has a healthy package database", func(ctx SpecContext) {
			problems, err := mgr.Audit(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(problems).To(BeEmpty())
		})

		It("has cloud-init, openssh-server and a kernel installed", func() {
			for _, name := range []string{"cloud-init", "openssh-server"} {
				_, found := pkgdb.Find(installed, name)
				Expect(found).To(BeTrue(), "%s is not installed (%s)", name, mgr.Name())
			}
			prefix := kernelPackages[mgr.Name()]
			Expect(pkgdb.FindPrefix(installed, prefix)).NotTo(BeEmpty(), "no %s* kernel package", prefix)
		})
	})

	Describe("console", func() {
		It("carries the kernel's and the login prompt's output", func() {
			log := console.Clean(framework.G().Console())
			Expect(log).To(ContainSubstring("Linux version"), "no kernel messages on the serial console")
			Expect(log).To(MatchRegexp(`\S+ login: `), "no login prompt on the serial console")
		})

		It("shows no panic, oops, emergency shell or failed unit", func() {
			log := framework.G().Console()
			Expect(log).NotTo(BeEmpty())
			Expect(console.Scan(log)).To(BeEmpty())
		})

		It("has no failed systemd units", func(ctx SpecContext) {
			Expect(lines(ok(ctx, "systemctl --failed --no-legend --plain"))).To(BeEmpty())
		})
	})
}
