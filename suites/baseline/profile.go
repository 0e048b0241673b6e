package baseline

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/pkgdb"
	"github.com/imagegate/imagegate/harness/report"
)

// profileSpecs check the guest against its family's declarative profile
// (fixtures/profiles/<family>.yaml). Each rule is its own spec, so a
// non-conforming image fails exactly the rules it breaks.
func profileSpecs() {
	Describe("profile", func() {
		It("installs the required packages at the required versions", func(ctx SpecContext) {
			p := framework.G().Profile()
			mgr, installed := packages(ctx)
			var missing []string
			for _, r := range p.Packages.Required {
				if !satisfied(mgr, installed, r.Name, r.Op, r.Version) {
					missing = append(missing, r.String())
				}
			}
			Expect(missing).To(BeEmpty(), "required packages missing or too old (%s)", mgr)
		})

		It("installs none of the forbidden packages", func(ctx SpecContext) {
			p := framework.G().Profile()
			mgr, installed := packages(ctx)
			var found []string
			for _, r := range p.Packages.Forbidden {
				if satisfied(mgr, installed, r.Name, r.Op, r.Version) {
					found = append(found, r.String())
				}
			}
			Expect(found).To(BeEmpty(), "forbidden packages installed")
		})

		It("enables and disables the profile's services", func(ctx SpecContext) {
			p := framework.G().Profile()
			var wrong []string
			st := unitStates(ctx, append(slices.Clone(p.Services.Enabled), p.Services.Disabled...))
			for _, u := range p.Services.Enabled {
				if !isEnabled(st[u]) {
					wrong = append(wrong, u+" is "+st[u]+", want enabled")
				}
			}
			for _, u := range p.Services.Disabled {
				if isEnabled(st[u]) {
					wrong = append(wrong, u+" is "+st[u]+", want disabled")
				}
			}
			Expect(wrong).To(BeEmpty())
		})

		It("configures sshd as the profile says", func(ctx SpecContext) {
			p := framework.G().Profile()
			eff := map[string]string{}
			for _, l := range lines(sudo(ctx, "sshd -T")) {
				if k, v, ok := strings.Cut(l, " "); ok {
					eff[k] = v
				}
			}
			if p.SSHD.PasswordAuthentication != nil {
				Expect(eff["passwordauthentication"]).To(Equal(map[bool]string{true: "yes", false: "no"}[*p.SSHD.PasswordAuthentication]), "sshd -T passwordauthentication")
			}
			if want := p.SSHD.PermitRootLogin; want != "" {
				got := strings.Replace(eff["permitrootlogin"], "without-password", "prohibit-password", 1) // the old name sshd -T may print
				Expect(got).To(Equal(want), "sshd -T permitrootlogin")
			}
		})

		It("locks the profile's accounts", func(ctx SpecContext) {
			for _, user := range framework.G().Profile().Accounts.Locked {
				entry := strings.TrimSpace(sudo(ctx, "getent shadow "+user))
				f := strings.Split(entry, ":")
				Expect(len(f)).To(BeNumerically(">", 2), "shadow entry %q", entry)
				Expect(f[1]).To(Or(HavePrefix("!"), HavePrefix("*")), "%s has a usable password", user)
			}
		})

		It("configures the required package repositories", func(ctx SpecContext) {
			p := framework.G().Profile()
			mgr, _ := packages(ctx)
			repos, err := pkgdb.Repositories(ctx, framework.G(), mgr)
			framework.ErrorIf(err, "list the package repositories")
			keys, err := pkgdb.SigningKeys(ctx, framework.G(), mgr)
			framework.ErrorIf(err, "list the package signing keys")
			AddReportEntry("package-repositories", strings.Join(repos, "\n"))
			AddReportEntry("package-signing-keys", strings.Join(keys, "\n"))
			for _, want := range p.Repositories.Required {
				Expect(strings.Join(repos, "\n")).To(ContainSubstring(want), "repository %q not configured", want)
			}
			Expect(keys).NotTo(BeEmpty(), "no trusted package signing keys")
		})

		It("boots with the profile's kernel command line", func(ctx SpecContext) {
			g := framework.G()
			console, err := g.KernelConsole()
			framework.ErrorIf(err, "look up the arch's kernel console")
			args := strings.Fields(ok(ctx, "cat /proc/cmdline"))
			for _, want := range g.Profile().Cmdline(console) {
				Expect(args).To(ContainElement(Or(Equal(want), HavePrefix(want+","))), "/proc/cmdline lacks %s", want)
			}
		})

		It("runs the profile's security mode", func(ctx SpecContext) {
			// The kernel's own files: absent means the mode is not running.
			switch mode := framework.G().Profile().Security.Mode; mode {
			case "apparmor":
				res := run(ctx, "cat /sys/module/apparmor/parameters/enabled")
				Expect(res.ExitStatus).To(Equal(0), "AppArmor is not in the running kernel:\n%s", res)
				Expect(strings.TrimSpace(res.Stdout)).To(Equal("Y"), "AppArmor is not enabled")
			case "selinux-enforcing":
				res := run(ctx, "cat /sys/fs/selinux/enforce")
				Expect(res.ExitStatus).To(Equal(0), "SELinux is not enabled (no /sys/fs/selinux/enforce):\n%s", res)
				Expect(strings.TrimSpace(res.Stdout)).To(Equal("1"), "SELinux is permissive, not enforcing")
			default:
				framework.NotApplicable(fmt.Sprintf("the profile (%s) asks for no security mode (security.mode: %q)", framework.G().Target.Options.ProfileSource, mode))
			}
		})

		It("has the profile's root file system, grown to fill the larger disk", func(ctx SpecContext) {
			g := framework.G()
			fs := g.Profile().Filesystems
			f := strings.Fields(ok(ctx, "findmnt -bno FSTYPE,SIZE /"))
			Expect(f).To(HaveLen(2))
			if fs.RootType != "" {
				Expect(f[0]).To(Equal(fs.RootType), "root file system type")
			}
			if fs.RootGrows != nil && *fs.RootGrows {
				size, err := strconv.ParseInt(f[1], 10, 64)
				framework.ErrorIf(err, "read the root file system's size from findmnt")
				Expect(size).To(BeNumerically(">", g.Target.Image.Bytes),
					"root is %d bytes on a %d GiB disk: it did not grow past the %d-byte image", size, g.Target.Machine.DiskGiB, g.Target.Image.Bytes)
			}
		})
	})
}

// packages detects the package manager and lists what is installed.
func packages(ctx SpecContext) (string, []pkgdb.Package) {
	GinkgoHelper()
	mgr, installed, err := framework.G().Packages(ctx)
	framework.ErrorIf(err, "list the installed packages")
	if len(installed) == 0 { // no image has none: "none forbidden" would pass vacuously
		framework.CouldNotCheck("%s lists no installed packages", mgr.Name())
	}
	return mgr.Name(), installed
}

// satisfied: is a package called name (name* a prefix) installed at a
// version meeting op version?
func satisfied(mgr string, installed []pkgdb.Package, name, op, version string) bool {
	var cands []pkgdb.Package
	if prefix, ok := strings.CutSuffix(name, "*"); ok {
		cands = pkgdb.FindPrefix(installed, prefix)
	} else if p, ok := pkgdb.Find(installed, name); ok {
		cands = []pkgdb.Package{p}
	}
	for _, p := range cands {
		if pkgdb.Satisfies(mgr, p.Version, op, version) {
			return true
		}
	}
	return false
}

// unitStates is what systemctl is-enabled says of each unit; "not-found"
// for a unit that does not exist. One systemctl answers for all units (a
// line each, in order) unless one does not exist, which older systemd
// answers with an error that ends the list; then each unit is asked in
// turn, still in one session. Anything systemctl would not say (it could
// not reach systemd, say) ends the check as an error: an unknown answer
// must not count as "not enabled".
func unitStates(ctx SpecContext, units []string) map[string]string {
	GinkgoHelper()
	if len(units) == 0 {
		return nil
	}
	quoted := make([]string, len(units))
	for i, u := range units {
		quoted[i] = report.ShellQuote(u)
	}
	list := strings.Join(quoted, " ")
	if st, ok := allKnown(units, lines(run(ctx, "systemctl is-enabled "+list).Stdout)); ok {
		return st
	}
	res := run(ctx, "for u in "+list+`; do printf '%s\t%s\n' "$u" "$(systemctl is-enabled "$u" 2>&1 | tr '\n' ' ')"; done`)
	answers := map[string]string{}
	for _, l := range strings.Split(res.Stdout, "\n") {
		if u, a, ok := strings.Cut(l, "\t"); ok {
			answers[u] = a
		}
	}
	states := map[string]string{}
	for _, u := range units {
		st, ok := unitState(answers[u])
		if !ok {
			framework.CouldNotCheck("systemctl is-enabled %s gave no unit state:\n%s", u, res)
		}
		states[u] = st
	}
	return states
}

// allKnown maps units to answers, one known state per unit in order.
func allKnown(units, answers []string) (map[string]string, bool) {
	if len(answers) != len(units) {
		return nil, false
	}
	states := map[string]string{}
	for i, u := range units {
		st, ok := unitState(answers[i])
		if !ok {
			return nil, false
		}
		states[u] = st
	}
	return states, true
}

// unitState reads one answer of systemctl is-enabled: a state it names,
// or "not-found" for a unit that does not exist (systemd 252 says so with
// an error). Any other answer, such as systemd not being reachable, is
// no state (false).
func unitState(answer string) (string, bool) {
	st := firstWord(answer)
	switch {
	case st == "not-found" || strings.Contains(answer, "Failed to get unit file state") && strings.Contains(answer, "No such file or directory"):
		return "not-found", true
	case slices.Contains(knownUnitStates, st):
		return st, true
	}
	return "", false
}

// knownUnitStates are the answers of systemctl is-enabled (systemctl(1)).
var knownUnitStates = []string{"enabled", "enabled-runtime", "linked", "linked-runtime", "alias", "masked", "masked-runtime",
	"static", "indirect", "disabled", "generated", "transient", "bad", "not-found"}

// isEnabled: states in which systemd starts the unit without being asked.
func isEnabled(state string) bool {
	switch state {
	case "enabled", "enabled-runtime", "static", "alias", "indirect", "generated":
		return true
	}
	return false
}
