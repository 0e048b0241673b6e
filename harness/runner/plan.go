package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/matrix"
	"github.com/imagegate/imagegate/harness/vm/libvirt"
)

// Options are the run's inputs, as the CLI collected them.
type Options struct {
	Matrix      string
	Arches      []string
	Images      []string
	Suites      []string
	LabelFilter string
	Focus       []string
	Keep        bool
	KeepFailed  bool
	ReportsDir  string
	WorkRoot    string // overlays and seeds; default /var/tmp/imagegate
	LibvirtURI  string
	// ExpectSHA256 pins the image digest (a reproducer of a failed run):
	// a different image is refused before anything boots.
	ExpectSHA256 string
	Shard        string // i/n: run only this part of the matrix
	Parallel     int    // targets at once; 0 sizes the pool by CPUs and memory
	KVMDevice    string // default /dev/kvm
	Accel        string // auto (default), kvm or tcg
	// BaseBootTimeout is the boot budget of a KVM guest; emulated guests get
	// it times their arch's factor. A matrix entry may override it.
	BaseBootTimeout time.Duration
	// Profile is a profile file for every target, replacing the matrix's
	// profile: and the built-in profile of the family (--profile).
	Profile string
	// SSHPort forwards the guest's SSH from this 127.0.0.1 port (--ssh-port;
	// one target only). 0 picks a free port.
	SSHPort int
	// Self is the imagegate binary: it takes each target's catalogue and
	// runs each target (imagegate run-target), one process each.
	Self string
}

// Plan is a checked run, ready to execute.
type Plan struct {
	RunID   string
	RunDir  string // reports/<run-id>
	WorkDir string // <work-root>/<run-id>
	Targets []framework.Target
	// Catalogues[i] is every check that applies to Targets[i], each
	// marked selected or not (taken before anything boots).
	Catalogues [][]catalogue.Spec
	Opts       Options
	// AccelWhy says, per target, which accelerator it gets and why;
	// ParallelWhy how the worker pool was sized.
	AccelWhy    []string
	ParallelWhy string
}

// NewPlan checks every input and the host before anything is started.
func NewPlan(ctx context.Context, o Options) (*Plan, error) {
	if o.ReportsDir == "" {
		o.ReportsDir = "reports"
	}
	if o.WorkRoot == "" {
		o.WorkRoot = "/var/tmp/imagegate"
	}
	if o.KVMDevice == "" {
		o.KVMDevice = "/dev/kvm"
	}
	if o.BaseBootTimeout == 0 {
		o.BaseBootTimeout = 3 * time.Minute
	}
	if abs, err := filepath.Abs(o.Matrix); err == nil {
		o.Matrix = abs // reproducers name it from anywhere
	}
	m, err := matrix.Load(o.Matrix)
	if err != nil {
		return nil, usage(err)
	}
	images, err := m.Select(o.Arches, o.Images)
	if err != nil {
		return nil, usage(err)
	}
	shard, err := ParseShard(o.Shard)
	if err != nil {
		return nil, err
	}
	if images = shard.Apply(images); len(images) == 0 {
		return nil, usage(fmt.Errorf("--shard %s: this shard has no targets (the matrix selects fewer than %d)", o.Shard, shard.N))
	}
	if err := checkSuites(o.Suites); err != nil {
		return nil, usage(err)
	}
	p := &Plan{RunID: newRunID(), Opts: o}
	p.RunDir, _ = filepath.Abs(filepath.Join(o.ReportsDir, p.RunID))
	p.WorkDir = filepath.Join(o.WorkRoot, p.RunID)
	if o.SSHPort != 0 && len(images) != 1 {
		return nil, usage(fmt.Errorf("--ssh-port %d: the run has %d targets and one port serves one guest; pick one with --image and --arch", o.SSHPort, len(images)))
	}
	if o.SSHPort < 0 || o.SSHPort > 65535 {
		return nil, usage(fmt.Errorf("--ssh-port %d: want a TCP port (1-65535), or 0 to pick a free one", o.SSHPort))
	}
	for _, im := range images {
		t, err := p.target(ctx, im)
		if err != nil {
			return nil, err
		}
		p.Targets = append(p.Targets, t)
	}
	if err := p.takeCatalogues(ctx); err != nil {
		return nil, err
	}
	if err := checkLibvirt(ctx, o.LibvirtURI); err != nil {
		return nil, err
	}
	if p.Opts.Parallel < 1 {
		var why string
		p.Opts.Parallel, why = AutoParallel(p.Targets)
		p.ParallelWhy = "auto: " + why
	} else {
		p.ParallelWhy = fmt.Sprintf("--parallel %d", p.Opts.Parallel)
	}
	return p, nil
}

func (p *Plan) target(ctx context.Context, im matrix.Image) (framework.Target, error) {
	a, err := arch.Lookup(im.Arch)
	if err != nil {
		return framework.Target{}, usage(err)
	}
	if err := im.CheckFile(); err != nil {
		return framework.Target{}, usage(err)
	}
	prof, profSrc, err := p.profile(im)
	if err != nil {
		return framework.Target{}, usage(err)
	}
	if err := a.CheckEmulator(); err != nil {
		return framework.Target{}, usage(err)
	}
	if im.Firmware != "kernel" {
		if _, _, err := a.ResolveFirmware(); err != nil {
			return framework.Target{}, usage(err)
		}
	}
	if err := im.VerifySignature(ctx); err != nil {
		return framework.Target{}, usage(err)
	}
	d, err := im.Digests(ctx)
	if err != nil {
		return framework.Target{}, usage(err)
	}
	if err := im.VerifyChecksums(d); err != nil {
		return framework.Target{}, usage(err)
	}
	sum := d.Image
	if p.Opts.ExpectSHA256 != "" && !strings.EqualFold(p.Opts.ExpectSHA256, sum) {
		return framework.Target{}, usage(fmt.Errorf("image %s: sha256 is %s, not %s as --expect-sha256 says: it is not the image that was tested", im.ID(), sum, p.Opts.ExpectSHA256))
	}
	size, err := virtualSize(ctx, im.Path, im.Format)
	if err != nil {
		return framework.Target{}, usage(err)
	}
	disk := im.DiskGiB
	if disk == 0 { // larger than the image, so growpart has room to grow
		disk = int((size+(1<<30)-1)>>30) + 2
	}
	acc, why, err := p.accel(ctx, a, im)
	if err != nil {
		return framework.Target{}, err
	}
	p.AccelWhy = append(p.AccelWhy, fmt.Sprintf("%s: %s (%s)", im.ID(), acc, why))
	timeout := im.Timeout.Duration
	if timeout == 0 {
		timeout = time.Duration(float64(p.Opts.BaseBootTimeout) * a.TimeoutFactor(acc))
	}
	slug := im.Name + "-" + a.Name
	return framework.Target{
		RunID: p.RunID, Image: im.Name, Arch: a.Name, Family: im.Family,
		ImagePath: im.Path, ImageFormat: im.Format, SHA256: sum, Accel: string(acc),
		MemoryMiB: im.MemoryMiB, CPUs: im.CPUs, DiskGiB: disk, ImageBytes: size, BootTimeout: timeout,
		Profile: prof, ProfileSource: profSrc, SSHPort: p.Opts.SSHPort,
		Kernel: im.Kernel, Initrd: im.Initrd, Cmdline: im.Cmdline, KernelSHA256: d.Kernel, InitrdSHA256: d.Initrd,
		LibvirtURI: p.Opts.LibvirtURI, Domain: "imagegate-" + p.RunID + "-" + slug,
		WorkDir: filepath.Join(p.WorkDir, slug), OutDir: filepath.Join(p.RunDir, im.Name, a.Name),
		Keep: p.Opts.Keep, KeepFailed: p.Opts.KeepFailed, Suites: firstNonEmpty(p.Opts.Suites, im.Suites),
		LabelFilter: p.Opts.LabelFilter, Focus: p.Opts.Focus, Selection: selection(p.Opts, im),
	}, nil
}

// virtualSize asks qemu-img for the image's virtual size in bytes.
func virtualSize(ctx context.Context, path, format string) (int64, error) {
	out, err := exec.CommandContext(ctx, "qemu-img", "info", "--output=json", "-f", format, path).Output()
	if err != nil {
		return 0, fmt.Errorf("qemu-img info %s: %v (is it a %s image? is qemu-utils installed?)", path, err, format)
	}
	var info struct {
		VirtualSize int64 `json:"virtual-size"`
	}
	if err := json.Unmarshal(out, &info); err != nil || info.VirtualSize <= 0 {
		return 0, fmt.Errorf("qemu-img info %s: no virtual size", path)
	}
	return info.VirtualSize, nil
}

func firstNonEmpty(a, b []string) []string {
	if len(a) > 0 {
		return a
	}
	return b
}

func checkSuites(names []string) error {
	have := framework.SuiteNames()
	for _, n := range names {
		found := false
		for _, h := range have {
			found = found || h == n
		}
		if !found {
			return fmt.Errorf("--suite %q: no such suite; built in: %s", n, strings.Join(have, ", "))
		}
	}
	return nil
}

func checkLibvirt(ctx context.Context, uri string) error {
	d, err := libvirt.Connect(ctx, uri)
	if err != nil {
		return err
	}
	return d.Close()
}

// newRunID is sortable by time and unique: 20261122-203015-1a2b.
func newRunID() string {
	b := make([]byte, 2)
	rand.Read(b)
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// prepareDirs makes the run's folders and points reports/latest at it.
func (p *Plan) prepareDirs() error {
	for _, d := range []string{p.RunDir, p.WorkDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", d, err)
		}
	}
	latest := filepath.Join(filepath.Dir(p.RunDir), "latest")
	tmp := latest + ".tmp-" + p.RunID
	os.Remove(tmp)
	if err := os.Symlink(p.RunID, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, latest)
}

// accel chooses KVM or TCG for a target: what the host allows, unless
// --accel says otherwise. The reason is shown to the user.
func (p *Plan) accel(ctx context.Context, a arch.Arch, im matrix.Image) (arch.Accel, string, error) {
	acc, why := a.AccelFor(ctx, p.Opts.KVMDevice)
	switch p.Opts.Accel {
	case "", "auto":
	case "tcg":
		acc, why = arch.TCG, "--accel tcg"
	case "kvm":
		if acc != arch.KVM {
			return "", "", usage(fmt.Errorf("--accel kvm: %s: %s; use --accel auto or tcg", im.ID(), why))
		}
	default:
		return "", "", usage(fmt.Errorf("--accel %q: want auto, kvm or tcg", p.Opts.Accel))
	}
	return acc, why, nil
}
