package matrix

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/names"
	"github.com/imagegate/imagegate/harness/yamlx"
)

// Image is one candidate image on one architecture.
type Image struct {
	Name      string `yaml:"name"`
	Path      string `yaml:"path"`
	Format    string `yaml:"format"`
	Arch      string `yaml:"arch"`
	Family    string `yaml:"family"`
	Firmware  string `yaml:"firmware"`
	Checksums string `yaml:"checksums"`
	// Signature is a detached OpenPGP signature of the checksums file,
	// verified with gpgv against Keyring before anything boots.
	Signature string   `yaml:"signature"`
	Keyring   string   `yaml:"keyring"`
	MemoryMiB int      `yaml:"memory_mib"`
	CPUs      int      `yaml:"cpus"`
	DiskGiB   int      `yaml:"disk_gib"`
	Timeout   Duration `yaml:"boot_timeout"`
	Suites    []string `yaml:"suites"`
	// SuiteDirs are external suites' folders (relative to the matrix
	// file) loaded for this image beside --suite-dir's.
	SuiteDirs []string `yaml:"suite_dirs"`
	// Profile is a profile file that replaces the family's built-in one.
	Profile string `yaml:"profile"`
	// Kernel, Initrd and Cmdline boot the image directly (firmware: kernel),
	// for platforms whose boot loader needs a block device to install.
	Kernel  string `yaml:"kernel"`
	Initrd  string `yaml:"initrd"`
	Cmdline string `yaml:"cmdline"`

	line int
}

// ID is the target's name in reports: <image>/<arch>.
func (i Image) ID() string { return names.ID(i.Name, i.Arch) }

// Duration is a time.Duration written as "10m" in YAML.
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v <= 0 {
		return fmt.Errorf("line %d: %q is not a positive duration like 10m", n.Line, n.Value)
	}
	d.Duration = v
	return nil
}

// Matrix is the whole file.
type Matrix struct {
	Images []Image `yaml:"images"`
	file   string
}

// Load reads and validates a matrix file.
func Load(path string) (*Matrix, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("matrix %s: %w (pass --matrix FILE)", path, err)
	}
	return Parse(path, data)
}

// Parse validates matrix content; name is used in errors.
func Parse(name string, data []byte) (*Matrix, error) {
	m := &Matrix{file: name}
	root, err := yamlx.Strict("matrix "+name, data, m)
	if err != nil {
		return nil, err
	}
	lines := imageLines(root)
	for i := range m.Images {
		if i < len(lines) {
			m.Images[i].line = lines[i]
		}
		if err := m.Images[i].normalize(filepath.Dir(name)); err != nil {
			return nil, fmt.Errorf("matrix %s: line %d: %v", name, m.Images[i].line, err)
		}
	}
	if len(m.Images) == 0 {
		return nil, fmt.Errorf("matrix %s: no images listed under images:", name)
	}
	seen := map[string]int{}
	for _, im := range m.Images {
		if l, dup := seen[im.ID()]; dup {
			return nil, fmt.Errorf("matrix %s: line %d: %s is listed twice (first at line %d)", name, im.line, im.ID(), l)
		}
		seen[im.ID()] = im.line
	}
	return m, nil
}

// imageLines is the line of each item of images: in the document's root.
func imageLines(root *yaml.Node) []int {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "images" {
			var out []int
			for _, n := range root.Content[i+1].Content {
				out = append(out, n.Line)
			}
			return out
		}
	}
	return nil
}

func (im *Image) normalize(base string) error {
	if !names.ValidImage(im.Name) {
		return fmt.Errorf("image name %q must be lowercase letters, digits, '.', '_' or '-'", im.Name)
	}
	a, err := arch.Lookup(im.Arch)
	if err != nil {
		return fmt.Errorf("image %s: %v", im.Name, err)
	}
	im.Arch = a.Name
	switch im.Format {
	case "qcow2", "raw":
	default:
		return fmt.Errorf("image %s: format %q must be qcow2 or raw", im.Name, im.Format)
	}
	if err := im.normalizeBoot(a, base); err != nil {
		return err
	}
	if im.Family == "" {
		return fmt.Errorf("image %s: family (e.g. debian, fedora) is required", im.Name)
	}
	if im.Path == "" {
		return fmt.Errorf("image %s: path is required", im.Name)
	}
	im.Path = expand(im.Path, base)
	if im.Checksums != "" {
		im.Checksums = expand(im.Checksums, base)
	}
	for i, d := range im.SuiteDirs {
		im.SuiteDirs[i] = expand(d, base)
	}
	if im.Signature != "" || im.Keyring != "" {
		if im.Signature == "" || im.Keyring == "" || im.Checksums == "" {
			return fmt.Errorf("image %s: signature needs checksums: and keyring: (and keyring needs signature:)", im.Name)
		}
		im.Signature, im.Keyring = expand(im.Signature, base), expand(im.Keyring, base)
	}
	if im.Profile != "" {
		im.Profile = expand(im.Profile, base)
	}
	if im.MemoryMiB == 0 {
		im.MemoryMiB = 1024
	}
	if im.CPUs == 0 {
		im.CPUs = 1
	}
	if im.MemoryMiB < 256 || im.CPUs < 1 || im.DiskGiB < 0 {
		return fmt.Errorf("image %s: memory_mib >= 256, cpus >= 1 and disk_gib >= 0 please", im.Name)
	}
	return nil
}

// envDefaults are used for variables the environment does not set.
var envDefaults = map[string]func() string{
	"IMAGEGATE_FIXTURES": func() string {
		h, _ := os.UserHomeDir()
		return filepath.Join(h, ".cache", "imagegate", "fixtures")
	},
}

func expand(p, base string) string {
	p = os.Expand(p, func(k string) string {
		if v, ok := os.LookupEnv(k); ok {
			return v
		}
		if d, ok := envDefaults[k]; ok {
			return d()
		}
		return ""
	})
	if strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(h, p[2:])
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return filepath.Clean(p)
}

// normalizeBoot checks how the image boots: through the arch's firmware
// (uefi, or builtin such as SLOF), or directly from a kernel (firmware:
// kernel, with kernel: and cmdline:).
func (im *Image) normalizeBoot(a arch.Arch, base string) error {
	native := string(a.Firmware)
	if im.Firmware == "" {
		im.Firmware = native
		if im.Kernel != "" {
			im.Firmware = "kernel"
		}
	}
	switch {
	case im.Firmware == "kernel":
		if im.Kernel == "" || im.Cmdline == "" {
			return fmt.Errorf("image %s: firmware: kernel needs kernel: and cmdline:", im.Name)
		}
		im.Kernel = expand(im.Kernel, base)
		if im.Initrd != "" {
			im.Initrd = expand(im.Initrd, base)
		}
	case im.Firmware != native:
		return fmt.Errorf("image %s: firmware %q is not supported on %s (want %s or kernel)", im.Name, im.Firmware, a.Name, native)
	case im.Kernel != "" || im.Initrd != "" || im.Cmdline != "":
		return fmt.Errorf("image %s: kernel/initrd/cmdline are only for firmware: kernel", im.Name)
	}
	return nil
}

// Select keeps the images whose arch is in arches and name in names (an
// empty list keeps all). Asking for something not in the matrix is an error.
func (m *Matrix) Select(arches, names []string) ([]Image, error) {
	for i, a := range arches {
		r, err := arch.Lookup(a)
		if err != nil {
			return nil, fmt.Errorf("--arch: %v", err)
		}
		arches[i] = r.Name
	}
	var out []Image
	for _, im := range m.Images {
		if (len(arches) == 0 || slices.Contains(arches, im.Arch)) && (len(names) == 0 || slices.Contains(names, im.Name)) {
			out = append(out, im)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no image in %s matches --arch %s --image %s", m.file, strings.Join(arches, ","), strings.Join(names, ","))
	}
	return out, nil
}
