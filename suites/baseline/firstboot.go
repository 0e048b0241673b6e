package baseline

import (
	"errors"
	"path"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/inspect"
)

// firstBootSpecs: an image is a template. Every instance must make its own
// identity on first boot, and the image must not ship one.
func firstBootSpecs() {
	Describe("first boot", func() {
		It("gives two instances of the image different machine-ids and host keys", Label("slow", framework.SiblingLabel), func(ctx SpecContext) {
			g := framework.G()
			other, err := g.BootSibling(ctx)
			framework.ErrorIf(err, "boot a second instance")
			id1 := strings.TrimSpace(ok(ctx, "cat /etc/machine-id"))
			id2 := strings.TrimSpace(other.MustRun(ctx, "cat /etc/machine-id"))
			Expect(id1).To(MatchRegexp(`^[0-9a-f]{32}$`))
			Expect(id2).To(MatchRegexp(`^[0-9a-f]{32}$`))
			Expect(id1).NotTo(Equal(id2), "both instances have machine-id %s", id1)
			fp1, fp2 := g.ConsoleFingerprints(), other.ConsoleFingerprints()
			Expect(fp1).NotTo(BeEmpty())
			Expect(fp2).NotTo(BeEmpty())
			for _, fp := range fp1 {
				Expect(fp2).NotTo(ContainElement(fp), "both instances have SSH host key %s", fp)
			}
		})

		Describe("the image as shipped", func() {
			var img *inspect.Image
			BeforeEach(func(ctx SpecContext) {
				var err error
				img, err = framework.G().Pristine(ctx)
				// A root file system imagegate cannot read (not ext2/3/4)
				// is an error too: the check applies, it could not look.
				framework.ErrorIf(err, "open the image as shipped")
			})

			It("has an empty machine-id", func(ctx SpecContext) {
				b, err := img.ReadFile(ctx, "/etc/machine-id")
				if errors.Is(err, inspect.ErrNotExist) {
					GinkgoWriter.Println("/etc/machine-id is absent: as good as empty (systemd makes one on first boot)")
					return
				}
				framework.ErrorIf(err, "read /etc/machine-id of the shipped image")
				Expect(strings.TrimSpace(string(b))).To(Or(BeEmpty(), Equal("uninitialized")), "/etc/machine-id ships %q", b)
			})

			It("has no SSH host keys", func(ctx SpecContext) {
				ents, err := img.List(ctx, "/etc/ssh")
				if errors.Is(err, inspect.ErrNotExist) {
					GinkgoWriter.Println("/etc/ssh is absent: no host keys")
					return
				}
				framework.ErrorIf(err, "list /etc/ssh of the shipped image")
				var keys []string
				for _, e := range ents {
					if strings.HasPrefix(e.Name, "ssh_host_") {
						keys = append(keys, "/etc/ssh/"+e.Name)
					}
				}
				Expect(keys).To(BeEmpty(), "host keys baked into the image")
			})

			It("has no shell history and no authorized_keys", func(ctx SpecContext) {
				var found []string
				for _, home := range homes(ctx, img) {
					for _, f := range []string{".bash_history", ".ash_history", ".zsh_history", ".python_history", ".ssh/authorized_keys"} {
						_, err := img.ReadFile(ctx, path.Join(home, f))
						switch {
						case err == nil:
							found = append(found, path.Join(home, f))
						case !errors.Is(err, inspect.ErrNotExist):
							framework.ErrorIf(err, "read "+path.Join(home, f)+" of the shipped image")
						}
					}
				}
				Expect(found).To(BeEmpty())
			})

			It("has no leftover logs or cloud-init instance data", func(ctx SpecContext) {
				var found []string
				for _, dir := range []string{"/var/log", "/var/log/apt", "/var/log/journal"} {
					ents, err := img.List(ctx, dir)
					if errors.Is(err, inspect.ErrNotExist) {
						continue
					}
					framework.ErrorIf(err, "list "+dir+" of the shipped image")
					for _, e := range ents {
						if e.Regular && e.Size > 0 {
							found = append(found, path.Join(dir, e.Name))
						}
					}
				}
				ents, err := img.List(ctx, "/var/lib/cloud/instances")
				if !errors.Is(err, inspect.ErrNotExist) {
					framework.ErrorIf(err, "list /var/lib/cloud/instances of the shipped image")
				}
				if len(ents) > 0 {
					found = append(found, "/var/lib/cloud/instances (the image was booted before)")
				}
				Expect(found).To(BeEmpty())
			})
		})
	})
}

// homes lists /root and every /home/* of the shipped image.
func homes(ctx SpecContext, img *inspect.Image) []string {
	GinkgoHelper()
	out := []string{"/root"}
	ents, err := img.List(ctx, "/home")
	if !errors.Is(err, inspect.ErrNotExist) {
		framework.ErrorIf(err, "list /home of the shipped image")
	}
	for _, e := range ents {
		if e.Dir {
			out = append(out, "/home/"+e.Name)
		}
	}
	return out
}
