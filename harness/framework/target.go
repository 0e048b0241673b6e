package framework

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// Target is one image on one architecture, as the orchestrator hands it to
// the process that tests it. It is plain data, written as JSON.
type Target struct {
	RunID       string `json:"run_id"`
	Image       string `json:"image"`
	Arch        string `json:"arch"`
	Family      string `json:"family"`
	ImagePath   string `json:"image_path"`
	ImageFormat string `json:"image_format"`
	SHA256      string `json:"sha256"`
	// ImageOrigin is set once the image is pinned: ImagePath (and Kernel,
	// Initrd) then name private copies, and this the file they came from.
	ImageOrigin string        `json:"image_origin,omitempty"`
	Accel       string        `json:"accel"`
	MemoryMiB   int           `json:"memory_mib"`
	CPUs        int           `json:"cpus"`
	DiskGiB     int           `json:"disk_gib"`
	BootTimeout time.Duration `json:"boot_timeout"`
	// ImageBytes is the image's virtual size; the guest's disk is larger
	// (DiskGiB), so growing the root file system can be checked.
	ImageBytes int64 `json:"image_bytes"`
	// Profile is the family's profile (YAML) the checks hold the image to,
	// and ProfileSource where it came from ("built in: debian", a file).
	Profile       string `json:"profile,omitempty"`
	ProfileSource string `json:"profile_source,omitempty"`
	// UserData and NetworkConfig are what the selected suites asked the
	// seed to carry (merged cloud-config keys; a network-config v2 file).
	UserData      string `json:"user_data,omitempty"`
	NetworkConfig string `json:"network_config,omitempty"`
	Kernel        string `json:"kernel,omitempty"`
	Initrd        string `json:"initrd,omitempty"`
	Cmdline       string `json:"cmdline,omitempty"`
	KernelSHA256  string `json:"kernel_sha256,omitempty"`
	InitrdSHA256  string `json:"initrd_sha256,omitempty"`
	LibvirtURI    string `json:"libvirt_uri"`
	// Domain is the libvirt domain name; unique per run and target.
	Domain string `json:"domain"`
	// WorkDir holds the overlay and seed (large, not evidence); OutDir is
	// the target's report folder.
	WorkDir string `json:"work_dir"`
	OutDir  string `json:"out_dir"`
	Keep    bool   `json:"keep"`
	// KeepFailed keeps the disk (overlay) of a target with a failed check
	// in its report folder.
	KeepFailed bool `json:"keep_failed,omitempty"`

	// SSHPort, when set, is the 127.0.0.1 port forwarded to the guest's
	// SSH (--ssh-port); 0 picks a free one.
	SSHPort int `json:"ssh_port,omitempty"`

	// Suites, LabelFilter and Focus select checks from the catalogue of the
	// suites that apply to the target; Selection says so for people.
	Suites      []string `json:"suites,omitempty"`
	LabelFilter string   `json:"label_filter,omitempty"`
	Focus       []string `json:"focus,omitempty"`
	Selection   string   `json:"selection,omitempty"`
}

// ID is the target's name in reports: <image>/<arch>.
func (t Target) ID() string { return t.Image + "/" + t.Arch }

// Hostname is the guest's hostname, derived from the target so it is
// recognisable and a valid DNS label.
func (t Target) Hostname() string {
	h := strings.NewReplacer(".", "-", "_", "-").Replace(t.Image + "-" + t.Arch)
	if len(h) > 50 {
		h = h[:50]
	}
	return strings.Trim(h, "-")
}

// InstanceID is unique per run and target, as NoCloud's instance-id.
func (t Target) InstanceID() string { return t.Domain }

// WriteTarget stores a target as JSON.
func WriteTarget(path string, t Target) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// ReadTarget loads a target written by WriteTarget.
func ReadTarget(path string) (Target, error) {
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
