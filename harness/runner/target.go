package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/matrix"
	"github.com/imagegate/imagegate/harness/names"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/vm"
)

// target checks one image of the matrix and the host's means to run it,
// and plans it as a run.Target: its digests, machine, options and folders.
// The pool's hosts answer the host questions (emulator, firmware,
// accelerator); the target starts out placed on the best of them.
func (p *Plan) target(ctx context.Context, hosts []*poolHost, im matrix.Image) (run.Target, []Placement, error) {
	a, err := arch.Lookup(im.Arch)
	if err != nil {
		return run.Target{}, nil, usage(err)
	}
	if err := im.CheckFile(); err != nil {
		return run.Target{}, nil, usage(err)
	}
	prof, profSrc, err := p.profile(im)
	if err != nil {
		return run.Target{}, nil, usage(err)
	}
	places, err := p.placements(ctx, hosts, a, im)
	if err != nil {
		return run.Target{}, nil, err
	}
	best := places[0]
	image, err := p.image(ctx, im)
	if err != nil {
		return run.Target{}, nil, usage(err)
	}
	dirs, err := p.suiteDirsOf(im)
	if err != nil {
		return run.Target{}, nil, usage(err)
	}
	on := ""
	if len(p.Opts.Hosts) > 0 {
		on = " on host " + best.Host
	}
	p.AccelWhy = append(p.AccelWhy, fmt.Sprintf("%s: %s (%s)%s", im.ID(), best.Accel, best.Why, on))
	disk := im.DiskGiB
	if disk == 0 { // larger than the image, so growpart has room to grow
		disk = int((image.Bytes+(1<<30)-1)>>30) + 2
	}
	return run.Target{
		RunID: p.RunID, Image: image,
		Machine: run.Machine{URI: best.URI, Name: run.MachinePrefix(p.RunID) + names.Slug(im.Name, a.Name),
			Accel: string(best.Accel), MemoryMiB: im.MemoryMiB, CPUs: im.CPUs, DiskGiB: disk, BootTimeout: best.BootTimeout, SSHPort: p.Opts.SSHPort},
		Options: run.Options{Keep: p.Opts.Keep, KeepFailed: p.Opts.KeepFailed, Profile: prof, ProfileSource: profSrc,
			Selection: run.Selection{Suites: firstNonEmpty(p.Opts.Suites, im.Suites), LabelFilter: p.Opts.LabelFilter,
				Focus: p.Opts.Focus, Text: selection(p.Opts, im)}, SuiteDirs: dirs},
		Layout: p.Layout.Target(im.Name, a.Name),
	}, places, nil
}

// image verifies im (signature, checksums, --expect-sha256) and takes its
// digests and size: what the run will hold every report to.
func (p *Plan) image(ctx context.Context, im matrix.Image) (run.Image, error) {
	if err := im.VerifySignature(ctx); err != nil {
		return run.Image{}, err
	}
	d, err := im.Digests(ctx)
	if err != nil {
		return run.Image{}, err
	}
	if err := im.VerifyChecksums(d); err != nil {
		return run.Image{}, err
	}
	if p.Opts.ExpectSHA256 != "" && !strings.EqualFold(p.Opts.ExpectSHA256, d.Image) {
		return run.Image{}, fmt.Errorf("image %s: sha256 is %s, not %s as --expect-sha256 says: it is not the image that was tested", im.ID(), d.Image, p.Opts.ExpectSHA256)
	}
	size, err := virtualSize(ctx, im.Path, im.Format)
	if err != nil {
		return run.Image{}, err
	}
	a, _ := arch.Lookup(im.Arch)
	return run.Image{Name: im.Name, Arch: a.Name, Family: im.Family, Path: im.Path, Format: im.Format,
		SHA256: d.Image, Bytes: size, Kernel: im.Kernel, Initrd: im.Initrd, Cmdline: im.Cmdline,
		KernelSHA256: d.Kernel, InitrdSHA256: d.Initrd}, nil
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

// accel chooses KVM or TCG for a target: what the host allows, unless
// --accel says otherwise. The reason is shown to the user. --accel tcg
// asks nothing of the host: no KVM probe runs for it.
func (p *Plan) accel(ctx context.Context, drv vm.Driver, a arch.Arch, im matrix.Image) (arch.Accel, string, error) {
	switch p.Opts.Accel {
	case "tcg":
		return arch.TCG, "--accel tcg", nil
	case "", "auto", "kvm":
	default:
		return "", "", usage(fmt.Errorf("--accel %q: want auto, kvm or tcg", p.Opts.Accel))
	}
	acc, why := drv.Accel(ctx, a, p.Opts.KVMDevice)
	if p.Opts.Accel == "kvm" && acc != arch.KVM {
		return "", "", usage(fmt.Errorf("--accel kvm: %s: %s; use --accel auto or tcg", im.ID(), why))
	}
	return acc, why, nil
}
