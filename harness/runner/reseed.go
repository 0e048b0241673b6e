package runner

import (
	"fmt"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/seed"
)

// reseed gives the run's one target the seed of an earlier run
// (--seed-from, the failed target's report folder): its instance-id,
// hostname, user-data and network-config, so the reproducer's guest meets
// the same cloud-init input; the key is the run's own, fresh one.
func (p *Plan) reseed() error {
	dir := p.Opts.SeedFrom
	if dir == "" {
		return nil
	}
	if len(p.Targets) != 1 {
		return usage(fmt.Errorf("--seed-from %s: one seed is for one target, and the run has %d; pick one with --image and --arch", dir, len(p.Targets)))
	}
	if err := reseedFrom(&p.Targets[0].Options, dir); err != nil {
		return usage(fmt.Errorf("--seed-from: %w", err))
	}
	return nil
}

// reseedFrom gives o the seed of the target whose report folder is dir:
// its instance-id, hostname, user-data and network-config (a reproducer,
// a rerun of failed checks).
func reseedFrom(o *run.Options, dir string) error {
	s, err := seed.Read(dir)
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(dir)
	o.UserData, o.NetworkConfig = s.ExtraUserData, string(s.NetworkConfig)
	o.Reseed = &run.Reseed{From: abs, InstanceID: s.InstanceID, Hostname: s.Hostname}
	return nil
}
