package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/extsuite"
	"github.com/imagegate/imagegate/harness/matrix"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/vm"
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
	WorkRoot    string // overlays and seeds; default run.DefaultWorkRoot
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
	// KnownSuites are the suites built into Self; --suite must name one
	// of them or of the external suites.
	KnownSuites []string
	// SuiteDirs are external suites' folders (--suite-dir) for every
	// target, beside the matrix images' own suite_dirs:.
	SuiteDirs []string
	// HostsFile is the pool of libvirt hosts (--hosts FILE), read into
	// Hosts; empty Hosts: the one host of LibvirtURI.
	HostsFile string
	Hosts     []Host
	// SeedFrom is a failed target's report folder whose seed the run's one
	// target boots with again (a reproducer), with a fresh key.
	SeedFrom string
	// CompareTo is a production repo (--compare-to): each candidate is
	// compared with the image of its name and arch promoted there last.
	CompareTo string
}

// Plan is a checked run, ready to execute.
type Plan struct {
	RunID string
	// Layout is reports/<run-id> and <work-root>/<run-id>.
	Layout  run.RunLayout
	Targets []run.Target
	// Catalogues[i] is every check that applies to Targets[i], each
	// marked selected or not (taken before anything boots).
	Catalogues [][]catalogue.Spec
	Opts       Options
	// External are the run's external suites, by absolute folder.
	External map[string]*extsuite.Suite
	// AccelWhy says, per target, which accelerator it gets and why;
	// ParallelWhy how the worker pool was sized.
	AccelWhy    []string
	ParallelWhy string
	// Placements[i] are the hosts Targets[i] can run on, best first
	// (Targets[i] starts out on the first); HostNotes say which hosts of
	// the pool were left out and why.
	Placements [][]Placement
	HostNotes  []string
	// Capacity is how many targets each host of a pool runs at once, by
	// the host's name.
	Capacity map[string]int
	// Comparisons pair candidates with the production images they are
	// compared with (targets of RoleProduction, after the candidates);
	// CompareNotes say which candidates are compared with nothing, and why.
	Comparisons  []Comparison
	CompareNotes []string
}

// NewPlan checks every input and the host before anything is started.
func NewPlan(ctx context.Context, o Options) (*Plan, error) {
	o = withDefaults(o)
	images, err := selectImages(o)
	if err != nil {
		return nil, err
	}
	external, err := loadSuiteDirs(o, images)
	if err != nil {
		return nil, usage(err)
	}
	if err := checkSuites(o.Suites, o.KnownSuites, externalNames(external)); err != nil {
		return nil, usage(err)
	}
	if err := checkSSHPort(o.SSHPort, len(images)); err != nil {
		return nil, usage(err)
	}
	if o.HostsFile != "" {
		if o.LibvirtURI != "" && o.LibvirtURI != vm.DefaultURI {
			return nil, usage(fmt.Errorf("--hosts and --libvirt-uri both name hosts: list %s in the hosts file instead", o.LibvirtURI))
		}
		if o.Hosts, err = ReadHosts(o.HostsFile); err != nil {
			return nil, err
		}
	}
	p := &Plan{RunID: newRunID(), Opts: o, External: external}
	hosts, err := p.openHosts(ctx)
	if err != nil {
		return nil, err
	}
	defer closeHosts(hosts)
	reports, _ := filepath.Abs(filepath.Join(o.ReportsDir, p.RunID))
	p.Layout = run.RunLayout{Reports: reports, Work: filepath.Join(o.WorkRoot, p.RunID)}
	for _, im := range images {
		t, places, err := p.target(ctx, hosts, im)
		if err != nil {
			return nil, err
		}
		p.Targets = append(p.Targets, t)
		p.Placements = append(p.Placements, places)
	}
	if err := p.reseed(); err != nil {
		return nil, err
	}
	if err := p.takeCatalogues(ctx); err != nil {
		return nil, err
	}
	if err := p.planComparisons(ctx); err != nil {
		return nil, err
	}
	if err := hosts[0].drv.Ping(ctx); err != nil {
		return nil, err
	}
	if len(o.Hosts) > 0 {
		p.capacities(hosts)
	} else if p.Opts.Parallel < 1 {
		var why string
		p.Opts.Parallel, why = AutoParallel(p.Targets)
		p.ParallelWhy = "auto: " + why
	} else {
		p.ParallelWhy = fmt.Sprintf("--parallel %d", p.Opts.Parallel)
	}
	p.planSiblings(runtime.NumCPU())
	return p, nil
}

func withDefaults(o Options) Options {
	if o.ReportsDir == "" {
		o.ReportsDir = "reports"
	}
	if o.WorkRoot == "" {
		o.WorkRoot = run.DefaultWorkRoot
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
	if abs, err := filepath.Abs(o.WorkRoot); err == nil {
		o.WorkRoot = abs // qemu-img and libvirt read paths from elsewhere (a relative backing file is relative to its overlay)
	}
	return o
}

// selectImages loads the matrix and picks the run's images: --arch,
// --image, then --shard.
func selectImages(o Options) ([]matrix.Image, error) {
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
	return images, nil
}

func checkSSHPort(port, targets int) error {
	if port != 0 && targets != 1 {
		return fmt.Errorf("--ssh-port %d: the run has %d targets and one port serves one guest; pick one with --image and --arch", port, targets)
	}
	if port < 0 || port > 65535 {
		return fmt.Errorf("--ssh-port %d: want a TCP port (1-65535), or 0 to pick a free one", port)
	}
	return nil
}

func firstNonEmpty(a, b []string) []string {
	if len(a) > 0 {
		return a
	}
	return b
}

func checkSuites(names, builtIn, external []string) error {
	for _, n := range names {
		if !slices.Contains(builtIn, n) && !slices.Contains(external, n) {
			ext := ""
			if len(external) > 0 {
				ext = "; from --suite-dir: " + strings.Join(external, ", ")
			}
			return fmt.Errorf("--suite %q: no such suite; built in: %s%s", n, strings.Join(builtIn, ", "), ext)
		}
	}
	return nil
}

// newRunID is sortable by time and unique: 20261122-203015-1a2b.
func newRunID() string {
	b := make([]byte, 2)
	rand.Read(b)
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// prepareDirs makes the run's folders and points reports/latest at it.
func (p *Plan) prepareDirs() error {
	for _, d := range []string{p.Layout.Reports, p.Layout.Work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", d, err)
		}
	}
	latest := p.Layout.Latest()
	tmp := latest + ".tmp-" + p.RunID
	os.Remove(tmp)
	if err := os.Symlink(p.RunID, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, latest)
}

// capacities sizes a pool run: each host runs its capacity of targets at
// once, and the run at most their sum (or --parallel, when smaller).
func (p *Plan) capacities(hosts []*poolHost) {
	p.Capacity = map[string]int{}
	sum := 0
	var parts []string
	for _, h := range hosts {
		p.Capacity[h.Name] = h.Capacity
		sum += h.Capacity
		parts = append(parts, fmt.Sprintf("%s %d", h.Name, h.Capacity))
	}
	if p.Opts.Parallel < 1 || p.Opts.Parallel > sum {
		p.Opts.Parallel = sum
	}
	p.ParallelWhy = "hosts: " + strings.Join(parts, ", ")
}

// capacity is how many targets the host named runs at once: the pool's
// word, or, with one implicit host, the run's parallelism.
func (p *Plan) capacity(host string) int {
	if n, ok := p.Capacity[host]; ok {
		return n
	}
	return p.Opts.Parallel
}
