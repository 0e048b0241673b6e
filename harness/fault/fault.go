// Package fault is imagegate's fault model: when a guest does not come up
// or dies, who is at fault decides the verdict. "Reject" must mean the
// image is wrong, so only what the image provably did is a failure; what
// the host did (libvirt or QEMU failing, a full disk, a port clash) is an
// error that leaves the image unjudged (inconclusive, retried); and when
// neither can be shown (no console output at all) it is an error too, with
// the evidence. docs/gate.md lists the cases.
package fault

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Party is who is at fault.
type Party string

const (
	Image   Party = "image"   // the image: a JUnit <failure>, the gate rejects
	Host    Party = "host"    // the host: a JUnit <error>, inconclusive, retried
	Unknown Party = "unknown" // not provable: an <error>, with the evidence
)

// Kinds of faults, for reports and tests.
const (
	Panic       = "kernel-panic"
	Oops        = "kernel-oops"
	Emergency   = "emergency-shell"
	Initramfs   = "initramfs-shell"
	RebootLoop  = "reboot-loop"
	PoweredOff  = "guest-powered-off"
	GuestCrash  = "guest-crashed"
	SSHRefused  = "ssh-never-accepted" // the console shows the system up, sshd never let us in
	NotUp       = "not-up"             // console output, but the system never came up and no known sign why
	NoConsole   = "no-console-output"
	QEMUExited  = "qemu-exited"
	Destroyed   = "domain-destroyed"
	DiskError   = "host-disk-error"
	LibvirtLost = "libvirt-connection-lost"
	PortTaken   = "port-taken"
	HostSetup   = "host-setup" // pinning, the seed, the overlay, starting the domain
	Stopped     = "stopped"    // the guest stopped answering
)

// Fault is one diagnosed fault. It is an error.
type Fault struct {
	Party   Party  `json:"party"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// Line is the console line that shows it, when there is one.
	Line string `json:"line,omitempty"`
}

func (f *Fault) Error() string {
	if f.Line != "" && !strings.Contains(f.Message, f.Line) {
		return fmt.Sprintf("%s (console: %q)", f.Message, f.Line)
	}
	return f.Message
}

// ImageFault reports whether the image is at fault (a failure).
func (f *Fault) ImageFault() bool { return f.Party == Image }

// New makes a fault.
func New(p Party, kind, format string, args ...any) *Fault {
	return &Fault{Party: p, Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// As finds a Fault in err's chain.
func As(err error) (*Fault, bool) {
	var f *Fault
	ok := errors.As(err, &f)
	return f, ok
}

// File is the name of the fault record in a target's report folder: the
// process that ran the target writes it when the guest did not come up or
// died, so the report can say why the remaining checks did not run.
const File = "fault.json"

// Write stores f in dir/File.
func Write(dir string, f *Fault) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, File), append(b, '\n'), 0o644)
}

// Read loads dir/File; a missing file is (nil, nil).
func Read(dir string) (*Fault, error) {
	b, err := os.ReadFile(filepath.Join(dir, File))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var f Fault
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, File), err)
	}
	return &f, nil
}
