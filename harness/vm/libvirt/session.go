package libvirt

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// The session daemon (qemu:///session) is libvirt's per-user one: no
// root, guests run as the user. go-libvirt dials the system socket unless
// told otherwise, so a local session URI gets the user's socket, and, as
// libvirt's own clients do, the daemon is started when it is not running.

// sessionIdle is how long a daemon imagegate started stays up with no
// client and no guest: long enough to serve the next command, short
// enough that nothing of the user's is left running for long.
const sessionIdle = 30 * time.Second

// localSession reports whether u is this host's session daemon over its
// unix socket, without a socket of its own named.
func localSession(u *url.URL) bool {
	return (u.Scheme == "qemu" || u.Scheme == "qemu+unix") && u.Host == "" && u.Path == "/session" && u.Query().Get("socket") == ""
}

// sessionRuntimeDir is libvirt's per-user runtime folder
// (virGetUserRuntimeDirectory): $XDG_RUNTIME_DIR/libvirt, else the
// user's cache folder's libvirt.
func sessionRuntimeDir() (string, error) {
	if run := os.Getenv("XDG_RUNTIME_DIR"); run != "" {
		return filepath.Join(run, "libvirt"), nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("neither XDG_RUNTIME_DIR nor a cache folder: %w", err)
	}
	return filepath.Join(cache, "libvirt"), nil
}

// sessionURI is u with the session daemon's socket, started if need be.
func sessionURI(ctx context.Context, u *url.URL) (*url.URL, error) {
	dir, err := sessionRuntimeDir()
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "libvirt-sock")
	if _, err := os.Stat(sock); errors.Is(err, os.ErrNotExist) {
		if err := startSession(ctx, sock); err != nil {
			return nil, err
		}
	}
	out := *u
	q := out.Query()
	q.Set("socket", sock)
	out.RawQuery = q.Encode()
	return &out, nil
}

// startSession starts the user's libvirtd and waits for its socket. Its
// log daemon is started first, with the same idle timeout (libvirtd would
// start one that lingers for two minutes), so both exit by themselves
// soon after the last guest and the last client are gone.
func startSession(ctx context.Context, sock string) error {
	bin, err := exec.LookPath("libvirtd")
	if err != nil {
		return fmt.Errorf("no libvirt session daemon is running (no %s) and libvirtd is not installed: install it (apt-get install libvirt-daemon-system, or your distribution's libvirt-daemon) or pass --libvirt-uri", sock)
	}
	idle := fmt.Sprintf("--timeout=%d", int(sessionIdle.Seconds()))
	logSock := filepath.Join(filepath.Dir(sock), "virtlogd-sock")
	if logd, err := exec.LookPath("virtlogd"); err == nil {
		if _, err := os.Stat(logSock); errors.Is(err, os.ErrNotExist) {
			if err := daemon(ctx, logSock, logd, "--daemon", idle); err != nil {
				return err
			}
		}
	}
	return daemon(ctx, sock, bin, "--daemon", idle)
}

// daemonStartup bounds the wait for a started daemon's socket: the
// caller's context may have no deadline, and a daemon that died after
// forking would otherwise be waited for forever.
const daemonStartup = 30 * time.Second

// daemon runs a daemon that forks into the background, and waits for its
// socket.
func daemon(ctx context.Context, sock, bin string, args ...string) error {
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("starting the libvirt session daemon (%s --daemon): %v: %s", bin, err, out)
	}
	ctx, cancel := context.WithTimeout(ctx, daemonStartup)
	defer cancel()
	for {
		if _, err := os.Stat(sock); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("started %s, but %s did not appear: %w", bin, sock, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
