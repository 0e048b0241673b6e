package libvirt

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/imagegate/imagegate/harness/atomicfile"
)

// The KVM probe runs QEMU for a few seconds; a run on one host asks the
// same question every time. Its answer is kept in the user's cache dir
// under a key that changes with everything the answer depends on: the
// QEMU binary and firmware (path, size, modification time), the KVM
// device node (recreated when the module is reloaded) and the host's boot
// (a new kernel, new module parameters, a changed nested set-up). A stale
// "works" would cost a run a host fault, so any doubt means probing again.

// probeCacheFile is where the answers live; "" when there is no cache dir.
func probeCacheFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "imagegate", "kvm-probes.json")
}

// probeKey names one probe's circumstances, or "" when one of them cannot
// be read (then the probe runs and nothing is cached).
func probeKey(kvmDevice, binary, machine, firmware string) string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	parts := []string{"boot=" + strings.TrimSpace(string(boot)), "machine=" + machine}
	for _, f := range []string{kvmDevice, binary, firmware} {
		if f == "" {
			continue
		}
		if !filepath.IsAbs(f) {
			if p, err := exec.LookPath(f); err == nil {
				f = p
			}
		}
		var st syscall.Stat_t
		if err := syscall.Stat(f, &st); err != nil {
			return ""
		}
		parts = append(parts, fmt.Sprintf("%s:%d:%d.%d:%d.%d", f, st.Size, st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec))
	}
	return strings.Join(parts, " ")
}

// cachedProbe is a probe's answer: "" means KVM works, else why not.
func cachedProbe(file, key string) (answer string, ok bool) {
	if file == "" || key == "" {
		return "", false
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return "", false
	}
	var m map[string]string
	if json.Unmarshal(raw, &m) != nil {
		return "", false
	}
	answer, ok = m[key]
	return answer, ok
}

// storeProbe keeps an answer, dropping the answers of earlier boots. A
// cache that cannot be written only costs the next run a probe.
func storeProbe(file, key, answer string) {
	if file == "" || key == "" {
		return
	}
	m := map[string]string{}
	if raw, err := os.ReadFile(file); err == nil {
		json.Unmarshal(raw, &m)
	}
	boot, _, _ := strings.Cut(key, " ")
	for k := range m {
		if !strings.HasPrefix(k, boot+" ") {
			delete(m, k)
		}
	}
	m[key] = answer
	raw, _ := json.MarshalIndent(m, "", "  ")
	if os.MkdirAll(filepath.Dir(file), 0o755) == nil {
		atomicfile.Write(file, append(raw, '\n'), 0o644)
	}
}
