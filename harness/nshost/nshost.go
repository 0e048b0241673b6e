package nshost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
)

// readyTimeout bounds Start's wait for libvirtd and sshd, whatever ctx says.
const readyTimeout = 30 * time.Second

// Host is a running namespace "remote host". Stop it when done.
type Host struct {
	// URI is qemu+ssh://root@127.0.0.1:PORT/system?keyfile=…&known_hosts=…,
	// for imagegate's own qemu+ssh transport (harness/vm/libvirt), which
	// honours both parameters. libvirt's C client (virsh) honours keyfile
	// but not known_hosts with the ssh transport: it would check the host
	// key against ~/.ssh/known_hosts.
	URI        string
	KeyFile    string // the client's private key (OpenSSH format, 0600)
	KnownHosts string // a known_hosts file trusting the host key at Addr
	Addr       string // 127.0.0.1:PORT, the bridge to the namespace's sshd

	dir     string
	hostPub ssh.PublicKey
	client  ssh.Signer
	br      *bridge
	cmd     *exec.Cmd
	exited  chan struct{} // closed when unshare is reaped
	pid     int           // PID 1 of the namespace, as the host sees it
	netns   string        // its network namespace, as /proc/PID/ns/net reads

	stopOnce sync.Once
	stopErr  error
}

// Start builds the namespace host in dir, an empty directory the caller
// owns, and returns once its libvirtd answers and an SSH handshake through
// the bridge works (at most 30 s). On error nothing it started is left.
func Start(ctx context.Context, dir string) (*Host, error) {
	if err := preflight(dir); err != nil {
		return nil, fmt.Errorf("nshost: %w", err)
	}
	h := &Host{dir: dir, exited: make(chan struct{})}
	if err := h.start(ctx); err != nil {
		tail := logTail(dir)
		if serr := h.Stop(); serr != nil {
			err = fmt.Errorf("%w (and stopping: %v)", err, serr)
		}
		return nil, fmt.Errorf("nshost: %w%s", err, tail)
	}
	return h, nil
}

func (h *Host) start(ctx context.Context) error {
	if err := prepare(h.dir); err != nil {
		return err
	}
	br, err := listenBridge(filepath.Join(h.dir, "ssh.sock"))
	if err != nil {
		return err
	}
	h.br, h.Addr = br, br.addr()
	if h.hostPub, h.client, err = writeSSHFiles(h.dir, h.Addr); err != nil {
		return err
	}
	h.KeyFile = filepath.Join(h.dir, "client_key")
	h.KnownHosts = filepath.Join(h.dir, "known_hosts")
	h.URI = (&url.URL{
		Scheme: "qemu+ssh", User: url.User("root"), Host: h.Addr, Path: "/system",
		RawQuery: url.Values{"keyfile": {h.KeyFile}, "known_hosts": {h.KnownHosts}}.Encode(),
	}).String()
	if err := h.launch(); err != nil {
		return err
	}
	return h.waitReady(ctx)
}

// launch starts the one process tree: unshare, and the script as PID 1 of
// the new namespaces, in a process group of its own.
func (h *Host) launch() error {
	unshare, _ := findTool("unshare")
	logf, err := os.Create(filepath.Join(h.dir, "logs", "unshare.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	args := []string{"--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc",
		"--propagation", "private", "sh", "-c", script, "sh"}
	h.cmd = exec.Command(unshare, append(args, scriptArgs(h.dir)...)...)
	h.cmd.Env = []string{"PATH=" + sysPath, "HOME=/root", "LC_ALL=C"}
	h.cmd.Dir = "/"
	h.cmd.Stdout, h.cmd.Stderr = logf, logf
	h.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := h.cmd.Start(); err != nil {
		h.cmd = nil
		return fmt.Errorf("start unshare: %w", err)
	}
	go func() { _ = h.cmd.Wait(); close(h.exited) }()
	return h.findInit()
}

// findInit learns the host PID of the namespace's PID 1 (unshare's child)
// and its network namespace.
func (h *Host) findInit() error {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if pid := childOf(h.cmd.Process.Pid); pid > 0 {
			ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
			own, _ := os.Readlink("/proc/self/ns/net")
			if err == nil && ns != own {
				h.pid, h.netns = pid, ns
				return nil
			}
		}
		select {
		case <-h.exited:
			return errors.New("unshare exited at once")
		case <-time.After(20 * time.Millisecond):
		}
	}
	return errors.New("unshare's child did not appear in a new network namespace within 5s")
}

// waitReady waits until the namespace's libvirtd answers and an SSH
// handshake through the bridge works, at most readyTimeout.
func (h *Host) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		err := h.libvirtAnswers(ctx)
		if err == nil {
			if err = h.handshake(ctx); err == nil {
				return nil
			}
		}
		select {
		case <-h.exited:
			return fmt.Errorf("the namespace's process tree exited while starting (last: %v)", err)
		case <-ctx.Done():
			return fmt.Errorf("not ready (%w; the wait is at most %s): %v", ctx.Err(), readyTimeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// libvirtAnswers: the namespace's own socket exists and takes connections
// (checked from the host first, so that a virsh run before the bind mounts
// cannot reach the host's libvirtd), and virsh inside gets an answer.
func (h *Host) libvirtAnswers(ctx context.Context) error {
	c, err := net.DialTimeout("unix", h.Path("/run/libvirt/libvirt-sock"), time.Second)
	if err != nil {
		return fmt.Errorf("libvirtd: %w", err)
	}
	_ = c.Close()
	_, err = h.Run(ctx, "virsh", "-c", "qemu:///system", "uri")
	return err
}

// handshake logs in through the bridge with the client key, checking the
// host key.
func (h *Host) handshake(ctx context.Context) error {
	d := net.Dialer{Timeout: 2 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", h.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	cfg := &ssh.ClientConfig{User: "root", Auth: []ssh.AuthMethod{ssh.PublicKeys(h.client)},
		HostKeyCallback: ssh.FixedHostKey(h.hostPub)}
	c, chans, reqs, err := ssh.NewClientConn(conn, h.Addr, cfg)
	if err != nil {
		return fmt.Errorf("ssh handshake: %w", err)
	}
	return ssh.NewClient(c, chans, reqs).Close()
}

// Path is where the namespace's path inside lives on the host, e.g.
// /var/lib/libvirt/images/x is dir/ns/var-lib-libvirt/images/x; "" for a
// path that is not in one of the namespace's private folders.
func (h *Host) Path(inside string) string { return mapPath(h.dir, inside) }

// Run runs a command inside all the namespaces and returns its standard
// output; an error carries its standard error.
func (h *Host) Run(ctx context.Context, args ...string) ([]byte, error) {
	nsenter, _ := findTool("nsenter")
	cmd := exec.CommandContext(ctx, nsenter, append([]string{"-t", strconv.Itoa(h.pid),
		"--net", "--mount", "--pid", "--"}, args...)...)
	cmd.Env = []string{"PATH=" + sysPath, "HOME=/root", "LC_ALL=C"}
	cmd.Dir = "/"
	cmd.WaitDelay = time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// StopLibvirtd kills the namespace's libvirtd (only it) and waits until
// its socket no longer takes connections (at most 10 s).
func (h *Host) StopLibvirtd(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	pid, err := os.ReadFile(h.Path("/run/libvirt/libvirtd.pid"))
	if err != nil {
		return fmt.Errorf("nshost: libvirtd's pid: %w", err)
	}
	if _, err := h.Run(ctx, "kill", "-KILL", strings.TrimSpace(string(pid))); err != nil {
		return fmt.Errorf("nshost: %w", err)
	}
	for {
		c, err := net.DialTimeout("unix", h.Path("/run/libvirt/libvirt-sock"), time.Second)
		if err != nil {
			return nil
		}
		_ = c.Close()
		select {
		case <-ctx.Done():
			return fmt.Errorf("nshost: libvirtd's socket still answers: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop ends the bridge and every process of the namespace, and checks that
// none is left. It may be called more than once.
func (h *Host) Stop() error {
	h.stopOnce.Do(func() { h.stopErr = h.stop() })
	return h.stopErr
}

func (h *Host) stop() error {
	var errs []error
	if h.br != nil {
		if err := h.br.close(); err != nil {
			errs = append(errs, fmt.Errorf("close bridge: %w", err))
		}
	}
	if h.cmd != nil {
		h.kill()
	}
	if h.netns != "" {
		if err := waitGone(h.netns, 10*time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("nshost: stop: %w", errors.Join(errs...))
	}
	return nil
}

// kill ends the process tree. SIGKILL to the namespace's PID 1 makes the
// kernel end every process in its PID namespace, and unshare, still its
// parent, reaps it and exits; the process group (unshare's) is killed only
// if unshare lingers, and never once it is reaped (its PID could be reused).
func (h *Host) kill() {
	select {
	case <-h.exited:
		return
	default:
	}
	if h.pid > 0 {
		_ = syscall.Kill(h.pid, syscall.SIGKILL)
	}
	select {
	case <-h.exited:
		return
	case <-time.After(5 * time.Second):
	}
	_ = syscall.Kill(-h.cmd.Process.Pid, syscall.SIGKILL)
	<-h.exited
}
