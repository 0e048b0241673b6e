package nshost

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// sysPath is the PATH of every command run for the namespace, whatever the
// caller's: the daemons live in sbin.
const sysPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// private are the folders that the namespace has to itself: each is a
// fresh folder of the host's, dir/ns/<name> (see hostName), bound onto it.
// /etc/libvirt is bound from a copy of the host's.
var private = []struct {
	inside string
	mode   os.FileMode
}{
	{"/etc/libvirt", 0o755},
	{"/var/tmp", 0o1777},
	{"/root", 0o700},
	{"/run/libvirt", 0o755},
	{"/var/lib/libvirt", 0o755},
	{"/var/log/libvirt", 0o755},
	{"/var/cache/libvirt", 0o755},
}

// subdirs are folders libvirtd expects below the private ones.
var subdirs = []string{
	"/var/lib/libvirt/images",
	"/var/lib/libvirt/qemu/nvram",
	"/var/log/libvirt/qemu",
	"/var/cache/libvirt/qemu",
}

// hostName is the name under dir/ns of the folder bound onto inside:
// /var/lib/libvirt is var-lib-libvirt.
func hostName(inside string) string {
	return strings.ReplaceAll(strings.TrimPrefix(inside, "/"), "/", "-")
}

// mapPath is where the namespace's path inside lives on the host, or ""
// when inside is not absolute or not in a private folder.
func mapPath(dir, inside string) string {
	if !path.IsAbs(inside) {
		return ""
	}
	p := path.Clean(inside)
	for _, m := range private {
		if p == m.inside || strings.HasPrefix(p, m.inside+"/") {
			return filepath.Join(dir, "ns", hostName(m.inside), strings.TrimPrefix(p, m.inside))
		}
	}
	return ""
}

// tools are the programs Start needs, with the Debian package of each.
var tools = []struct{ name, pkg string }{
	{"unshare", "util-linux"},
	{"nsenter", "util-linux"},
	{"ip", "iproute2"},
	{"socat", "socat"},
	{"/usr/sbin/sshd", "openssh-server"},
	{"libvirtd", "libvirt-daemon-system"},
	{"virsh", "libvirt-clients"},
}

// findTool resolves name on sysPath (not the caller's PATH).
func findTool(name string) (string, error) {
	if filepath.IsAbs(name) {
		return exec.LookPath(name)
	}
	for _, d := range filepath.SplitList(sysPath) {
		if p, err := exec.LookPath(filepath.Join(d, name)); err == nil {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// preflight checks what Start needs before anything is made.
func preflight(dir string) error {
	var missing []string
	for _, t := range tools {
		if _, err := findTool(t.name); err != nil {
			missing = append(missing, fmt.Sprintf("%s (apt-get install %s)", t.name, t.pkg))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing tools: %s", strings.Join(missing, ", "))
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root (namespaces, bind mounts, a libvirtd of its own)")
	}
	if !filepath.IsAbs(dir) || strings.ContainsAny(dir, ",:!\"'\\ \t\n") {
		return fmt.Errorf("dir %q: want an absolute path without blanks, quotes or ,:!", dir)
	}
	if n := len(filepath.Join(dir, "ns", "run-libvirt", "libvirt-sock-ro")); n > 107 {
		return fmt.Errorf("dir %q is too long for Unix sockets below it (%d > 107 bytes)", dir, n)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(ents) > 0 {
		return fmt.Errorf("dir %s is not empty", dir)
	}
	return nil
}

// prepare makes the namespace's private folders under dir/ns and the log
// folder: fresh ones, and /etc/libvirt as a copy of the host's without
// autostarted networks (they would make a bridge).
func prepare(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
		return err
	}
	etc := mapPath(dir, "/etc/libvirt")
	if out, err := exec.Command("cp", "-a", "/etc/libvirt", etc).CombinedOutput(); err != nil {
		return fmt.Errorf("copy /etc/libvirt: %v: %s", err, out)
	}
	autostart, _ := filepath.Glob(filepath.Join(etc, "qemu", "networks", "autostart", "*"))
	for _, a := range autostart {
		if err := os.Remove(a); err != nil {
			return err
		}
	}
	for _, m := range private {
		p := mapPath(dir, m.inside)
		if err := os.MkdirAll(p, m.mode); err != nil {
			return err
		}
		if err := os.Chmod(p, m.mode); err != nil {
			return err
		}
	}
	for _, s := range subdirs {
		if err := os.MkdirAll(mapPath(dir, s), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// script runs as PID 1 of the namespace: loopback up, private folders
// bound (pairs of host folder and inside path follow $1), then libvirtd,
// sshd and socat, each logging to $1/logs. It waits for them all.
const script = `set -eu
d=$1; shift
ip link set lo up
while [ $# -gt 0 ]; do mkdir -p "$2"; mount --bind "$1" "$2"; shift 2; done
mkdir -p /run/sshd
libvirtd --pid-file /run/libvirt/libvirtd.pid >"$d/logs/libvirtd.log" 2>&1 &
/usr/sbin/sshd -D -e -f "$d/sshd_config" >"$d/logs/sshd.log" 2>&1 &
socat UNIX-LISTEN:"$d/ssh.sock",fork,unlink-early TCP:127.0.0.1:22 >"$d/logs/socat.log" 2>&1 &
wait
`

// scriptArgs are the arguments after the script: dir, then the pairs.
func scriptArgs(dir string) []string {
	args := []string{dir}
	for _, m := range private {
		args = append(args, mapPath(dir, m.inside), m.inside)
	}
	return args
}

// logTail is the last lines of every log under dir/logs, for errors.
func logTail(dir string) string {
	files, _ := filepath.Glob(filepath.Join(dir, "logs", "*.log"))
	sort.Strings(files)
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil || len(strings.TrimSpace(string(data))) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 15 {
			lines = lines[len(lines)-15:]
		}
		fmt.Fprintf(&b, "\n--- %s (last %d lines)\n%s", f, len(lines), strings.Join(lines, "\n"))
	}
	return b.String()
}
