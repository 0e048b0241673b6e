package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/runner"
	"github.com/imagegate/imagegate/harness/vm"
)

// targetFlags are the flags of every subcommand that boots guests (run,
// spawn), with one name and one meaning each. images and arches are
// comma-separated lists.
func targetFlags(fs *flag.FlagSet, o *runner.Options, images, arches *string) {
	selectFlags(fs, &o.Matrix, images, arches, (*multiFlag)(&o.SuiteDirs))
	fs.StringVar(&o.ExpectSHA256, "expect-sha256", "", "refuse to run unless the image has this sha256 (reproducers pin it)")
	fs.StringVar(&o.ReportsDir, "reports", "reports", "`DIR` for reports; each run writes DIR/<run-id>, DIR/latest points at it")
	fs.StringVar(&o.WorkRoot, "work-dir", run.DefaultWorkRoot, "`DIR` for overlays, seeds and kept guests' keys (removed after the run)")
	fs.StringVar(&o.LibvirtURI, "libvirt-uri", vm.DefaultURI, "libvirt connection `URI` (qemu:///system, qemu+ssh://user@host/system?keyfile=...&known_hosts=...)")
	fs.StringVar(&o.HostsFile, "hosts", "", "a pool of libvirt hosts (`FILE`: name, uri, capacity, arches each); targets go to the best host that can run them")
	fs.StringVar(&o.Accel, "accel", "auto", "accelerator: auto (KVM where it works, else TCG), kvm or tcg")
	fs.StringVar(&o.Profile, "profile", "", "profile `FILE` for every image, instead of the matrix's profile: and the built-in one of its family")
	fs.StringVar(&o.SeedFrom, "seed-from", "", "boot with the seed of an earlier target (its report `DIR`: meta-data, user-data) and a fresh key; reproducers use it")
	fs.IntVar(&o.SSHPort, "ssh-port", 0, "forward the guest's SSH from this 127.0.0.1 `PORT` (one target only; default: a free port)")
}

// selectFlags name the targets and the external suites, in every
// subcommand that asks about them (run, spawn, suites).
func selectFlags(fs *flag.FlagSet, matrix, images, arches *string, suiteDirs *multiFlag) {
	fs.StringVar(matrix, "matrix", "fixtures/matrix.yaml", "matrix `FILE` listing the images to test")
	fs.StringVar(arches, "arch", "", "comma-separated architectures to test (default: all in the matrix)")
	fs.StringVar(images, "image", "", "comma-separated image names to test (default: all in the matrix)")
	fs.Var(suiteDirs, "suite-dir", "load an external suite from `DIR` (suite.yaml + checks/; repeatable)")
}

// newPlan checks the run's inputs against this binary (its path, its
// suites) and the host.
func newPlan(ctx context.Context, o runner.Options) (*runner.Plan, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find own executable: %v", err)
	}
	o.Self, o.KnownSuites = self, framework.SuiteNames()
	return runner.NewPlan(ctx, o)
}
