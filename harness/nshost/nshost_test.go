package nshost

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func TestPath(t *testing.T) {
	h := &Host{dir: "/tmp/d"}
	for inside, want := range map[string]string{
		"/var/lib/libvirt/images/x":   "/tmp/d/ns/var-lib-libvirt/images/x",
		"/var/lib/libvirt":            "/tmp/d/ns/var-lib-libvirt",
		"/var/tmp/a/../b":             "/tmp/d/ns/var-tmp/b",
		"/run/libvirt/libvirt-sock":   "/tmp/d/ns/run-libvirt/libvirt-sock",
		"/etc/libvirt/qemu.conf":      "/tmp/d/ns/etc-libvirt/qemu.conf",
		"/root/.ssh":                  "/tmp/d/ns/root/.ssh",
		"/var/log/libvirt/qemu/g.log": "/tmp/d/ns/var-log-libvirt/qemu/g.log",
		"/var/cache/libvirt/qemu":     "/tmp/d/ns/var-cache-libvirt/qemu",
		"/var/lib/libvirtx":           "", // a sibling, not below
		"/var/tmp/../../etc/passwd":   "", // cleaned, it leaves /var/tmp
		"/etc/passwd":                 "",
		"/tmp/x":                      "",
		"var/tmp/x":                   "", // relative
		"":                            "",
	} {
		if got := h.Path(inside); got != want {
			t.Errorf("Path(%q) = %q, want %q", inside, got, want)
		}
	}
}

// TestMissingTool: Start names the Debian package of a tool it lacks.
func TestMissingTool(t *testing.T) {
	saved := tools
	t.Cleanup(func() { tools = saved })
	tools = append(append(tools[:0:0], saved...), struct{ name, pkg string }{"nshost-no-such-tool", "nshost-pkg"})
	_, err := Start(context.Background(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "nshost-no-such-tool (apt-get install nshost-pkg)") {
		t.Fatalf("Start without a tool: %v, want the tool and its package named", err)
	}
}

// TestHost starts a namespace host for real and checks what the qemu+ssh
// tests rely on, then that Stop leaves nothing behind.
func TestHost(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: namespaces, bind mounts and a libvirtd of its own")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	hostLibvirt := hostVirshAnswers(ctx) == nil
	h, err := Start(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Stop() })
	t.Logf("URI %s", h.URI)

	t.Run("ssh client runs virsh inside", func(t *testing.T) { checkSSHVirsh(ctx, t, h) })
	t.Run("wrong host key is refused", func(t *testing.T) { checkWrongHostKey(ctx, t, h) })
	t.Run("listens only on loopback", func(t *testing.T) { checkLoopbackOnly(ctx, t, h) })
	t.Run("host untouched", func(t *testing.T) { checkHostUntouched(ctx, t, h, hostLibvirt) })
	t.Run("qemu+ssh URI", func(t *testing.T) { checkURI(t, h) })
	t.Run("StopLibvirtd", func(t *testing.T) { checkStopLibvirtd(ctx, t, h, hostLibvirt) })
	t.Run("Stop leaves nothing", func(t *testing.T) { checkStop(t, h) })
}

// TestStartFailsCleanly: a Start that fails after its processes are up
// (here: its context is already done, so readiness cannot be waited for)
// leaves none of them behind.
func TestStartFailsCleanly(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: namespaces, bind mounts and a libvirtd of its own")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Start(ctx, dir)
	if err == nil || !strings.Contains(err.Error(), "not ready") {
		t.Fatalf("Start with a done context: %v, want a readiness error", err)
	}
	t.Log(err)
	if _, err := os.Stat(filepath.Join(dir, "logs", "unshare.log")); err != nil {
		t.Fatalf("Start failed before it launched the namespace, nothing to check: %v", err)
	}
	for _, pid := range pids() {
		cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		if strings.Contains(string(cmdline), dir) {
			t.Errorf("process %d of the failed Start is left: %q", pid, cmdline)
		}
	}
}

func sshArgs(h *Host, knownHosts string, cmd ...string) []string {
	port := h.Addr[strings.LastIndexByte(h.Addr, ':')+1:]
	return append([]string{"-F", "/dev/null", "-i", h.KeyFile,
		"-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
		"-p", port, "root@127.0.0.1"}, cmd...)
}

func runSSH(ctx context.Context, h *Host, knownHosts string, cmd ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "ssh", sshArgs(h, knownHosts, cmd...)...).CombinedOutput()
	return string(out), err
}

func checkSSHVirsh(ctx context.Context, t *testing.T, h *Host) {
	out, err := runSSH(ctx, h, h.KnownHosts, "virsh", "-c", "qemu:///system", "uri")
	if err != nil || strings.TrimSpace(out) != "qemu:///system" {
		t.Fatalf("ssh … virsh uri: %v\n%s", err, out)
	}
}

func checkWrongHostKey(ctx context.Context, t *testing.T, h *Host) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	wrong := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(wrong, []byte(knownHostsLine(h.Addr, other)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runSSH(ctx, h, wrong, "true")
	if err == nil || !strings.Contains(out, "Host key verification failed") {
		t.Fatalf("ssh with a wrong known_hosts entry: err %v, want a refusal\n%s", err, out)
	}
}

func checkLoopbackOnly(ctx context.Context, t *testing.T, h *Host) {
	out, err := h.Run(ctx, "ss", "-ltnH")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "127.0.0.1:22") {
		t.Errorf("sshd is not listening on 127.0.0.1:22 inside:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		if local := f[3]; !strings.HasPrefix(local, "127.0.0.1:") && !strings.HasPrefix(local, "[::1]:") {
			t.Errorf("a listener beyond loopback inside: %s", line)
		}
	}
	links, err := h.Run(ctx, "ip", "-o", "link")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(strings.TrimSpace(string(links)), "\n") + 1; n != 1 || !strings.Contains(string(links), " lo:") {
		t.Errorf("want loopback as the only link inside, got:\n%s", links)
	}
}

func hostVirshAnswers(ctx context.Context) error {
	return exec.CommandContext(ctx, "virsh", "-c", "qemu:///system", "uri").Run()
}

func checkHostUntouched(ctx context.Context, t *testing.T, h *Host, hostLibvirt bool) {
	if hostLibvirt {
		if err := hostVirshAnswers(ctx); err != nil {
			t.Errorf("the host's libvirtd answered before Start, not now: %v", err)
		}
	}
	for _, m := range private { // a bind mount that leaked would make them one
		ours, err := os.Stat(h.Path(m.inside))
		if err != nil {
			t.Fatal(err)
		}
		if hosts, err := os.Stat(m.inside); err == nil && os.SameFile(ours, hosts) {
			t.Errorf("the host's %s is the namespace's %s", m.inside, h.Path(m.inside))
		}
	}
	marker := "nshost-marker-" + filepath.Base(filepath.Dir(h.dir))
	if _, err := h.Run(ctx, "touch", "/var/tmp/"+marker); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(h.Path("/var/tmp/" + marker)); err != nil {
		t.Errorf("the marker made inside is not at Path: %v", err)
	}
	if _, err := os.Stat("/var/tmp/" + marker); err == nil {
		_ = os.Remove("/var/tmp/" + marker)
		t.Errorf("the marker made in the namespace's /var/tmp is in the host's")
	}
}

func checkStopLibvirtd(ctx context.Context, t *testing.T, h *Host, hostLibvirt bool) {
	if err := h.StopLibvirtd(ctx); err != nil {
		t.Fatal(err)
	}
	if out, err := h.Run(ctx, "virsh", "-c", "qemu:///system", "uri"); err == nil {
		t.Errorf("virsh inside still answers after StopLibvirtd: %s", out)
	}
	if out, err := runSSH(ctx, h, h.KnownHosts, "echo", "alive"); err != nil || strings.TrimSpace(out) != "alive" {
		t.Errorf("sshd does not answer after StopLibvirtd: %v\n%s", err, out)
	}
	c := dialURI(t, h.URI)
	defer c.Close()
	if conn, err := c.Dial("unix", "/var/run/libvirt/libvirt-sock"); err == nil {
		conn.Close()
		t.Errorf("libvirtd's socket still takes streams over SSH after StopLibvirtd")
	}
	if hostLibvirt {
		if err := hostVirshAnswers(ctx); err != nil {
			t.Errorf("the host's libvirtd stopped answering with the namespace's: %v", err)
		}
	}
}

func checkStop(t *testing.T, h *Host) {
	init, netns := h.pid, h.netns
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := h.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(init))); err == nil {
		t.Errorf("the namespace's PID 1 (%d) is still there", init)
	}
	if left := inNetns(netns); len(left) > 0 {
		t.Errorf("processes %v still in the namespace's %s", left, netns)
	}
	if c, err := net.DialTimeout("tcp", h.Addr, time.Second); err == nil {
		c.Close()
		t.Errorf("the bridge %s still takes connections", h.Addr)
	}
	mounts, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mounts), h.dir) {
		t.Errorf("a mount of the namespace's shows on the host:\n%s", mounts)
	}
}
