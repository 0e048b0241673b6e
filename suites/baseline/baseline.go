package baseline

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/console"
	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/pkgdb"
)

var _ = framework.Register(framework.Suite{Name: "baseline", Specs: specs, AfterReboot: afterReboot,
	UserData: userData, NetworkConfig: networkConfig})

// kernelPackages names the kernel package prefix per package manager.
var kernelPackages = map[string]string{"dpkg": "linux-image-", "rpm": "kernel"}

func specs() {
	cloudInitSpecs()
	profileSpecs()
	firstBootSpecs()

	Describe("ssh", func() {
		It("logs in with the injected key as the seeded user, with working sudo", func(ctx SpecContext) {
			Expect(strings.TrimSpace(ok(ctx, "id -un"))).To(Equal(framework.GuestUser))
			keys := ok(ctx, "cat ~/.ssh/authorized_keys")
			Expect(keys).To(ContainSubstring(framework.G().Key.AuthorizedKey))
			// sudo refusing is what this check looks for, so it is run
			// directly: its failure is the image's.
			res, err := framework.G().Run(ctx, "sudo -n id -u")
			framework.ErrorIf(err, "run sudo -n id -u")
			Expect(res.ExitStatus).To(Equal(0), "sudo does not work for the seeded user:\n%s", res)
			Expect(strings.TrimSpace(res.Stdout)).To(Equal("0"))
		})

		It("refuses password authentication", func(ctx SpecContext) {
			offered, err := framework.G().OffersPassword(ctx)
			framework.ErrorIf(err, "ask sshd which authentication methods it offers")
			Expect(offered).To(BeFalse(), "sshd offers password authentication")
		})

		It("presents only host keys announced on the console", func(ctx SpecContext) {
			fps := framework.G().ConsoleFingerprints()
			Expect(fps).NotTo(BeEmpty(), "cloud-init announced no host keys on the console")
			out := ok(ctx, "set -e; for f in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf $f; done")
			Expect(lines(out)).NotTo(BeEmpty(), "no host keys in /etc/ssh")
			for _, line := range lines(out) {
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
			mgr, installed, err = framework.G().Packages(ctx)
			framework.ErrorIf(err, "list the installed packages")
		})

		It("has a healthy package database", func(ctx SpecContext) {
			// dpkg's md5 check reads the image as shipped on the host
			// (seconds instead of ~20 s of emulated CPU); dpkg --verify in
			// the guest has the last word whenever that finds anything or
			// cannot read the image. The report entry says which ran.
			var shipped pkgdb.Shipped
			img, imgErr := framework.G().Pristine(ctx)
			if img != nil {
				shipped = img
			}
			problems, how, err := pkgdb.AuditShipped(ctx, mgr, shipped, imgErr)
			framework.ErrorIf(err, "audit the package database")
			AddReportEntry("package-files", how)
			Expect(problems).To(BeEmpty(), "%s (%s)", pkgdb.Summary(problems), how)
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
			log := console.Clean(framework.G().ReadConsole())
			Expect(log).To(ContainSubstring("Linux version"), "no kernel messages on the serial console")
			Expect(log).To(MatchRegexp(`\S+ login: `), "no login prompt on the serial console")
		})

		It("shows no panic, oops, emergency shell or failed unit", func() {
			log := framework.G().ReadConsole()
			Expect(log).NotTo(BeEmpty(), "the serial console is empty")
			Expect(console.Scan(log)).To(BeEmpty())
		})

		It("has no failed systemd units", func(ctx SpecContext) {
			Expect(lines(query(ctx, "systemctl --failed --no-legend --plain"))).To(BeEmpty())
		})
	})
}
