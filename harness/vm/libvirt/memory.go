package libvirt

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/imagegate/imagegate/harness/vm"
)

var _ vm.MemoryReporter = (*Machine)(nil)

// PeakRSS is the QEMU process's peak resident set (VmHWM), read from /proc
// through the pid file libvirtd keeps for the domain. It needs the domain
// on this host: a remote libvirtd's processes are out of reach.
func (m *Machine) PeakRSS() (int64, error) {
	pidFile, err := m.d.pidFile(m.spec.Name)
	if err != nil {
		return 0, err
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", pidFile, err)
	}
	return vmHWM(fmt.Sprintf("/proc/%d/status", pid))
}

// pidFile is where libvirtd's QEMU driver writes a domain's pid: the
// system daemon's run dir, or the session daemon's runtime folder.
func (d *Driver) pidFile(name string) (string, error) {
	u := d.uri
	if u == nil || u.Host != "" {
		return "", fmt.Errorf("the domain runs on another host (%v)", u)
	}
	if u.Path == "/session" {
		dir, err := sessionRuntimeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, "qemu", "run", name+".pid"), nil
	}
	return filepath.Join("/run/libvirt/qemu", name+".pid"), nil
}

// vmHWM reads "VmHWM:  123456 kB" from a /proc/<pid>/status file.
func vmHWM(statusFile string) (int64, error) {
	f, err := os.Open(statusFile)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("%s: no VmHWM", statusFile)
}
