package profile

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/imagegate/imagegate/harness/yamlx"
)

// Profile is one family's expectations.
type Profile struct {
	Family       string       `yaml:"family"`
	Packages     Packages     `yaml:"packages"`
	Services     Services     `yaml:"services"`
	SSHD         SSHD         `yaml:"sshd"`
	Accounts     Accounts     `yaml:"accounts"`
	Repositories Repositories `yaml:"repositories"`
	Kernel       Kernel       `yaml:"kernel"`
	Security     Security     `yaml:"security"`
	Filesystems  Filesystems  `yaml:"filesystems"`

	file string
}

// Packages: each entry is a name, optionally with a version constraint
// ("openssh-server >= 1:9.2"); a name ending in * matches a prefix.
type Packages struct {
	Required  []Requirement `yaml:"required"`
	Forbidden []Requirement `yaml:"forbidden"`
}

// Services are systemd unit names.
type Services struct {
	Enabled  []string `yaml:"enabled"`
	Disabled []string `yaml:"disabled"`
}

// SSHD is the effective sshd policy (sshd -T keys, lower case).
type SSHD struct {
	PasswordAuthentication *bool  `yaml:"password_authentication"`
	PermitRootLogin        string `yaml:"permit_root_login"`
}

// Accounts: locked accounts have no usable password.
type Accounts struct {
	Locked []string `yaml:"locked"`
}

// Repositories: each must appear among the configured sources (a
// substring of a deb line / a repo id or baseurl).
type Repositories struct {
	Required []string `yaml:"required"`
}

// Kernel: each must appear on /proc/cmdline; ${console} is the arch's
// console device (ttyS0, ttyAMA0, hvc0, ttysclp0).
type Kernel struct {
	Cmdline []string `yaml:"cmdline"`
}

// Security is the mandatory access control the image must run.
type Security struct {
	Mode string `yaml:"mode"` // apparmor, selinux-enforcing, none
}

// Filesystems: the root file system's type, and whether it must grow to
// fill a disk larger than the image.
type Filesystems struct {
	RootType    string `yaml:"root_type"`
	RootGrows   *bool  `yaml:"root_grows"`
	NoSwapFiles *bool  `yaml:"no_swap"`
}

// Load reads and validates a profile file.
func Load(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse validates profile content; name is used in errors.
func Parse(name string, data []byte) (*Profile, error) {
	p := &Profile{file: name}
	root, err := yamlx.Strict("profile "+name, data, p)
	if err != nil {
		return nil, err
	}
	if err := p.validate(root); err != nil {
		return nil, err
	}
	return p, nil
}

var (
	familyRE = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	unitRE   = regexp.MustCompile(`^[A-Za-z0-9@._:-]+\.(service|socket|timer|target|mount|path)$`)
)

func (p *Profile) validate(root *yaml.Node) error {
	bad := func(path, msg string, args ...any) error {
		return fmt.Errorf("profile %s: line %d: %s: %s", p.file, lineOf(root, path), path, fmt.Sprintf(msg, args...))
	}
	if !familyRE.MatchString(p.Family) {
		return bad("family", "%q is not a family name like debian or fedora", p.Family)
	}
	for _, list := range []struct {
		key  string
		reqs []Requirement
	}{{"packages.required", p.Packages.Required}, {"packages.forbidden", p.Packages.Forbidden}} {
		for i, r := range list.reqs {
			if r.err != nil {
				return bad(fmt.Sprintf("%s[%d]", list.key, i), "%v", r.err)
			}
		}
	}
	for key, units := range map[string][]string{"services.enabled": p.Services.Enabled, "services.disabled": p.Services.Disabled} {
		for i, u := range units {
			if !unitRE.MatchString(u) {
				return bad(fmt.Sprintf("%s[%d]", key, i), "%q is not a systemd unit name like ssh.service", u)
			}
		}
	}
	switch p.SSHD.PermitRootLogin {
	case "", "yes", "no", "prohibit-password", "forced-commands-only":
	default:
		return bad("sshd.permit_root_login", "%q: want no, prohibit-password, forced-commands-only or yes", p.SSHD.PermitRootLogin)
	}
	switch p.Security.Mode {
	case "", "apparmor", "selinux-enforcing", "none":
	default:
		return bad("security.mode", "%q: want apparmor, selinux-enforcing or none", p.Security.Mode)
	}
	switch p.Filesystems.RootType {
	case "", "ext4", "xfs", "btrfs":
	default:
		return bad("filesystems.root_type", "%q: want ext4, xfs or btrfs", p.Filesystems.RootType)
	}
	for i, c := range p.Kernel.Cmdline {
		if strings.TrimSpace(c) == "" || strings.ContainsAny(c, " \t") {
			return bad(fmt.Sprintf("kernel.cmdline[%d]", i), "%q must be one non-empty kernel argument", c)
		}
	}
	return nil
}

// Cmdline returns the kernel arguments with ${console} expanded.
func (p *Profile) Cmdline(console string) []string {
	out := make([]string, len(p.Kernel.Cmdline))
	for i, c := range p.Kernel.Cmdline {
		out[i] = strings.ReplaceAll(c, "${console}", console)
	}
	return out
}

// lineOf finds the line of a dotted key path (with [i] list indexes)
// from the document's root node (as yamlx returns it); 0 if it is absent.
func lineOf(root *yaml.Node, path string) int {
	n := root
	for _, part := range strings.Split(path, ".") {
		key, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 {
			key = part[:i]
			fmt.Sscanf(part[i:], "[%d]", &idx)
		}
		n = child(n, key)
		if n == nil {
			return 0
		}
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return n.Line
			}
			n = n.Content[idx]
		}
	}
	return n.Line
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
