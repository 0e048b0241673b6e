package run

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/names"
)

// Target is one image on one architecture, as the orchestrator hands it to
// the process that tests it.
type Target struct {
	RunID   string  `json:"run_id"`
	Image   Image   `json:"image"`
	Machine Machine `json:"machine"`
	Options Options `json:"options"`
	Layout  Layout  `json:"layout"`
	// Role is RoleProduction for the production image a candidate is
	// compared with (--compare-to); "" for a candidate.
	Role string `json:"role,omitempty"`
}

// RoleProduction marks the target of a production image run beside the
// candidate it is compared with.
const RoleProduction = "production"

// Image is the candidate: its identity, and the digests taken when the run
// was planned. Path is always the file the matrix names; once the image is
// pinned, Pinned names the private copies the guest boots.
type Image struct {
	Name   string `json:"name"`
	Arch   string `json:"arch"`
	Family string `json:"family"`
	Path   string `json:"path"`
	Format string `json:"format"`
	SHA256 string `json:"sha256"`
	// Bytes is the image's virtual size; the guest's disk is larger
	// (Machine.DiskGiB), so growing the root file system can be checked.
	Bytes int64 `json:"bytes"`
	// Kernel, Initrd and Cmdline boot the guest directly (s390x).
	Kernel       string  `json:"kernel,omitempty"`
	Initrd       string  `json:"initrd,omitempty"`
	Cmdline      string  `json:"cmdline,omitempty"`
	KernelSHA256 string  `json:"kernel_sha256,omitempty"`
	InitrdSHA256 string  `json:"initrd_sha256,omitempty"`
	Pinned       *Pinned `json:"pinned,omitempty"`
}

// Pinned are the private copies of an image's files, checked against the
// planned digests, that the guest boots and the checks inspect.
type Pinned struct {
	Image  string `json:"image"`
	Kernel string `json:"kernel,omitempty"`
	Initrd string `json:"initrd,omitempty"`
}

// Boot returns the files the guest boots: the pinned copies once there
// are, the candidate's own files before.
func (i Image) Boot() Pinned {
	if i.Pinned != nil {
		return *i.Pinned
	}
	return Pinned{Image: i.Path, Kernel: i.Kernel, Initrd: i.Initrd}
}

// Machine is the guest's hardware and where it runs.
type Machine struct {
	// URI names the VM driver and host (qemu:///system).
	URI string `json:"uri"`
	// Name is the machine's (domain's) name: unique per run and target.
	Name        string        `json:"name"`
	Accel       string        `json:"accel"`
	MemoryMiB   int           `json:"memory_mib"`
	CPUs        int           `json:"cpus"`
	DiskGiB     int           `json:"disk_gib"`
	BootTimeout time.Duration `json:"boot_timeout"`
	// SSHPort, when set, is the 127.0.0.1 port forwarded to the guest's
	// SSH (--ssh-port); 0 picks a free one.
	SSHPort int `json:"ssh_port,omitempty"`
}

// Options are what the run asks of the target beyond booting it.
type Options struct {
	Keep bool `json:"keep"`
	// KeepFailed keeps the disk (overlay) of a target with a failed check
	// in its report folder.
	KeepFailed bool `json:"keep_failed,omitempty"`
	// Profile is the family's profile (YAML) the checks hold the image to,
	// and ProfileSource where it came from ("built in: debian", a file).
	Profile       string `json:"profile,omitempty"`
	ProfileSource string `json:"profile_source,omitempty"`
	// UserData and NetworkConfig are what the selected suites asked the
	// seed to carry (merged cloud-config keys; a network-config v2 file).
	UserData      string    `json:"user_data,omitempty"`
	NetworkConfig string    `json:"network_config,omitempty"`
	Selection     Selection `json:"selection"`
	// SuiteDirs are the external suites (--suite-dir, the matrix's
	// suite_dirs:) the target loads beside the compiled-in ones.
	SuiteDirs []SuiteDir `json:"suite_dirs,omitempty"`
	// Reseed, for a reproducer (--seed-from), is the failed run's seed:
	// the guest boots with its instance-id and hostname, and UserData and
	// NetworkConfig are its (the suites' are not merged again).
	Reseed *Reseed `json:"reseed,omitempty"`
	// Sibling says when a second instance is booted for the checks that
	// compare two first boots (labelled sibling): "" none is selected,
	// SiblingEarly beside the first guest, SiblingLazy when a check asks.
	Sibling string `json:"sibling,omitempty"`
}

// SuiteDir is an external suite as the plan validated it: the process
// that runs the target loads the folder again and refuses it if its
// digest changed since (the report names what ran).
type SuiteDir struct {
	Dir    string `json:"dir"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// Reseed is the identity of an earlier guest's seed, read from the report
// folder (From) of the target it failed in.
type Reseed struct {
	From       string `json:"from"`
	InstanceID string `json:"instance_id"`
	Hostname   string `json:"hostname"`
}

// When the second instance boots.
const (
	SiblingEarly = "early" // with the first guest: the host has a core and the memory for it
	SiblingLazy  = "lazy"  // when the check asks: the host's cores are all taken
)

// SiblingLabel marks a check that boots a second instance of the image.
const SiblingLabel = "sibling"

// Selection picks checks from the catalogue of the suites that apply to a
// target: --suite (or the matrix's suites:), --label-filter and --focus.
// Text says it for people ("" = everything).
type Selection struct {
	Suites      []string `json:"suites,omitempty"`
	LabelFilter string   `json:"label_filter,omitempty"`
	Focus       []string `json:"focus,omitempty"`
	Text        string   `json:"text,omitempty"`
}

// ID is the target's name in reports: <image>/<arch>.
func (t Target) ID() string { return names.ID(t.Image.Name, t.Image.Arch) }

// Label names the target for people: its ID, and "(production)" for the
// production image a candidate is compared with, which has the same ID.
func (t Target) Label() string {
	if t.Role == RoleProduction {
		return t.ID() + " (production)"
	}
	return t.ID()
}

// MachinePrefix starts the name of every machine of a run, so the run's
// leftovers can be found and swept.
func MachinePrefix(runID string) string { return "imagegate-" + runID + "-" }

// Hostname is the guest's hostname, derived from the target so it is
// recognisable and a valid DNS label.
func (t Target) Hostname() string {
	if t.Options.Reseed != nil && t.Options.Reseed.Hostname != "" {
		return t.Options.Reseed.Hostname
	}
	h := strings.NewReplacer(".", "-", "_", "-").Replace(names.Slug(t.Image.Name, t.Image.Arch))
	if len(h) > 50 {
		h = h[:50]
	}
	return strings.Trim(h, "-")
}

// InstanceID is unique per run and target, as NoCloud's instance-id; a
// reproducer's is the failed run's.
func (t Target) InstanceID() string {
	if t.Options.Reseed != nil && t.Options.Reseed.InstanceID != "" {
		return t.Options.Reseed.InstanceID
	}
	return t.Machine.Name
}

// Sibling is a second guest of the same target (a second first boot): its
// own machine name, folders and free port, never kept.
func (t Target) Sibling() Target {
	t.Machine.Name += "-b"
	t.Machine.SSHPort = 0
	t.Layout = t.Layout.Sibling()
	t.Options.Keep = false
	if r := t.Options.Reseed; r != nil { // a second first boot: its own instance-id
		t.Options.Reseed = &Reseed{From: r.From, Hostname: r.Hostname}
	}
	return t
}

// Write stores a target as JSON, atomically.
func Write(path string, t Target) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o644)
}

// Read loads a target written by Write.
func Read(path string) (Target, error) {
	var t Target
	b, err := os.ReadFile(path)
	if err != nil {
		return t, err
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, fmt.Errorf("target %s: %w", path, err)
	}
	return t, nil
}
