package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/matrix"
	"github.com/imagegate/imagegate/harness/vm"
	"github.com/imagegate/imagegate/harness/yamlx"
)

// A run's targets go to a pool of libvirt hosts (--hosts FILE); without
// one, the pool is the one host of --libvirt-uri. Each target is placed on
// the best host that can run it (native KVM before emulation, then the
// file's order) with a free slot; a host that stops answering is dropped
// and its targets go to the next host that can run them. The pool is the
// runner's business: the target's child process only sees the URI it was
// placed on.

// Host is one libvirt host of the pool.
type Host struct {
	Name string `yaml:"name"`
	URI  string `yaml:"uri"`
	// Capacity is how many targets run there at once (default 1).
	Capacity int `yaml:"capacity"`
	// Arches limits what the host is given; empty: whatever it can run.
	Arches []string `yaml:"arches"`
}

// ReadHosts reads a pool file:
//
//	hosts:
//	  - name: kvm1
//	    uri: qemu+ssh://ci@kvm1.example/system?keyfile=/etc/imagegate/id
//	    capacity: 4
//	    arches: [x86_64]
//	  - name: local
//	    uri: qemu:///system
//	    capacity: 2
func ReadHosts(path string) ([]Host, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usage(fmt.Errorf("--hosts: %w", err))
	}
	var f struct {
		Hosts []Host `yaml:"hosts"`
	}
	name := "hosts file " + path
	if _, err := yamlx.Strict(name, data, &f); err != nil {
		return nil, usage(err)
	}
	if len(f.Hosts) == 0 {
		return nil, usage(fmt.Errorf("%s: no hosts: list them under hosts: with a name and a uri each", name))
	}
	seen := map[string]bool{}
	for i := range f.Hosts {
		h := &f.Hosts[i]
		if err := h.check(seen); err != nil {
			return nil, usage(fmt.Errorf("%s: host %d: %w", name, i+1, err))
		}
	}
	return f.Hosts, nil
}

func (h *Host) check(seen map[string]bool) error {
	switch {
	case h.Name == "" || h.URI == "":
		return errors.New("name and uri are required")
	case seen[h.Name]:
		return fmt.Errorf("name %q is used twice", h.Name)
	case h.Capacity < 0:
		return fmt.Errorf("%s: capacity %d: want 1 or more", h.Name, h.Capacity)
	}
	seen[h.Name] = true
	if h.Capacity == 0 {
		h.Capacity = 1
	}
	for j, a := range h.Arches {
		canon, err := arch.Lookup(a)
		if err != nil {
			return fmt.Errorf("%s: arches: %w", h.Name, err)
		}
		h.Arches[j] = canon.Name
	}
	if d, err := vm.Open(h.URI); err != nil {
		return fmt.Errorf("%s: %w", h.Name, err)
	} else {
		d.Close()
	}
	return nil
}

// poolHost is a host of the pool as the plan found it: connected, or
// left out with the reason.
type poolHost struct {
	Host
	drv  vm.Driver
	down string // why the host is not used; "" when it answers
}

// openHosts connects to every host of the pool. A pool file's host that
// does not answer is left out, with a note; the run fails only when none
// is left. The one implicit host (no --hosts) is the old --libvirt-uri:
// its errors are the run's.
func (p *Plan) openHosts(ctx context.Context) ([]*poolHost, error) {
	if len(p.Opts.Hosts) == 0 {
		d, err := vm.Open(p.Opts.LibvirtURI)
		if err != nil {
			return nil, usage(fmt.Errorf("--libvirt-uri: %w", err))
		}
		return []*poolHost{{Host: Host{Name: vm.HostOf(p.Opts.LibvirtURI), URI: p.Opts.LibvirtURI}, drv: d}}, nil
	}
	var hosts []*poolHost
	var down []string
	for _, h := range p.Opts.Hosts {
		ph := &poolHost{Host: h}
		d, err := vm.Open(h.URI)
		if err == nil {
			pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err = d.Ping(pctx)
			cancel()
		}
		if err != nil {
			ph.down = err.Error()
			down = append(down, fmt.Sprintf("%s: %v", h.Name, err))
			p.HostNotes = append(p.HostNotes, fmt.Sprintf("host %s left out: %v", h.Name, err))
			if d != nil {
				d.Close()
			}
			continue
		}
		ph.drv = d
		hosts = append(hosts, ph)
	}
	if len(hosts) == 0 {
		return nil, fmt.Errorf("no host of the pool answers: %s", strings.Join(down, "; "))
	}
	return hosts, nil
}

func closeHosts(hosts []*poolHost) {
	for _, h := range hosts {
		h.drv.Close()
	}
}

// Placement is one host a target can run on, with what it gets there.
type Placement struct {
	Host        string // the pool's name for it
	URI         string
	Accel       arch.Accel
	Why         string // why that accelerator
	BootTimeout time.Duration
}

// placements are the hosts that can run im, best first: KVM before TCG,
// then the pool's order. With one host, its refusal is the run's error.
func (p *Plan) placements(ctx context.Context, hosts []*poolHost, a arch.Arch, im matrix.Image) ([]Placement, error) {
	var out []Placement
	var not []string
	for _, h := range hosts {
		if len(h.Arches) > 0 && !slices.Contains(h.Arches, a.Name) {
			not = append(not, fmt.Sprintf("%s: not given %s (arches: %s)", h.Name, a.Name, strings.Join(h.Arches, ", ")))
			continue
		}
		acc, why, err := p.hostAccel(ctx, h.drv, a, im)
		if err != nil && len(hosts) == 1 {
			return nil, err
		}
		if err != nil {
			not = append(not, fmt.Sprintf("%s: %v", h.Name, err))
			continue
		}
		out = append(out, Placement{Host: h.Name, URI: h.URI, Accel: acc, Why: why, BootTimeout: p.bootTimeout(im, a, acc)})
	}
	if len(out) == 0 {
		return nil, usage(fmt.Errorf("%s: no host of the pool can run it: %s", im.ID(), strings.Join(not, "; ")))
	}
	slices.SortStableFunc(out, func(x, y Placement) int {
		return map[bool]int{true: 0, false: 1}[x.Accel == arch.KVM] - map[bool]int{true: 0, false: 1}[y.Accel == arch.KVM]
	})
	return out, nil
}

// hostAccel is what drv's host offers a guest of a: its emulator and
// firmware must be there, and the accelerator is as --accel allows.
func (p *Plan) hostAccel(ctx context.Context, drv vm.Driver, a arch.Arch, im matrix.Image) (arch.Accel, string, error) {
	if err := drv.Preflight(a, im.Firmware == "kernel"); err != nil {
		return "", "", usage(err)
	}
	return p.accel(ctx, drv, a, im)
}

// bootTimeout is the matrix's timeout for im, or the base budget times the
// arch's factor for the accelerator.
func (p *Plan) bootTimeout(im matrix.Image, a arch.Arch, acc arch.Accel) time.Duration {
	if im.Timeout.Duration != 0 {
		return im.Timeout.Duration
	}
	return time.Duration(float64(p.Opts.BaseBootTimeout) * a.TimeoutFactor(acc))
}
