package libvirt

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// A qemu+ssh host is reached through one SSH connection that carries both
// the libvirt protocol (a stream to the daemon's Unix socket, as libvirt's
// own ssh transport does) and, for each guest, a tunnel to the guest's
// forwarded port on the host's loopback. The host key is checked against
// known_hosts, never accepted blindly: a run that could not tell whose
// libvirtd it used could not vouch for its results.

// sshTarget is what a qemu+ssh URI says about the connection:
// qemu+ssh://user@host[:port]/system?keyfile=K&known_hosts=F&socket=S.
type sshTarget struct {
	user, addr          string
	keyFile, knownHosts string
	socket              string // libvirtd's socket on the host
}

const defaultRemoteSocket = "/var/run/libvirt/libvirt-sock"

func parseSSHTarget(u *url.URL) (sshTarget, error) {
	q := u.Query()
	t := sshTarget{user: u.User.Username(), keyFile: q.Get("keyfile"), knownHosts: q.Get("known_hosts"), socket: q.Get("socket")}
	if u.Hostname() == "" {
		return t, fmt.Errorf("libvirt URI %s names no host: write qemu+ssh://user@host/system", u.Redacted())
	}
	port := u.Port()
	if port == "" {
		port = "22"
	}
	t.addr = net.JoinHostPort(u.Hostname(), port)
	home, _ := os.UserHomeDir()
	if t.user == "" {
		if cur, err := user.Current(); err == nil {
			t.user = cur.Username
		}
	}
	if t.keyFile == "" {
		for _, k := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			if p := filepath.Join(home, ".ssh", k); fileExists(p) {
				t.keyFile = p
				break
			}
		}
	}
	if t.knownHosts == "" {
		t.knownHosts = filepath.Join(home, ".ssh", "known_hosts")
	}
	if t.socket == "" {
		t.socket = defaultRemoteSocket
		if u.Path == "/session" {
			return t, fmt.Errorf("libvirt URI %s: a remote session daemon needs its socket: add ?socket=/run/user/UID/libvirt/libvirt-sock", u.Redacted())
		}
	}
	return t, nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// sshLink is the SSH connection to a libvirt host, made on first use and
// made again after it drops. It is the libvirt connection's dialer
// (go-libvirt's socket.Dialer).
type sshLink struct {
	t      sshTarget
	mu     sync.Mutex
	client *ssh.Client
}

func (l *sshLink) config() (*ssh.ClientConfig, error) {
	check, err := knownhosts.New(l.t.knownHosts)
	if err != nil {
		return nil, fmt.Errorf("known_hosts %s: %w: add the libvirt host's key there (ssh-keyscan -p PORT HOST >> FILE, after checking it) or name the file with ?known_hosts=", l.t.knownHosts, err)
	}
	if l.t.keyFile == "" {
		return nil, fmt.Errorf("no SSH key for %s: add ?keyfile=PATH to the libvirt URI", l.t.addr)
	}
	raw, err := os.ReadFile(l.t.keyFile)
	if err != nil {
		return nil, fmt.Errorf("SSH key for %s: %w", l.t.addr, err)
	}
	signer, err := ssh.ParsePrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("SSH key %s: %w (a key without a passphrase is needed)", l.t.keyFile, err)
	}
	return &ssh.ClientConfig{User: l.t.user, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: check, Timeout: 20 * time.Second}, nil
}

// sshClient returns the live SSH connection, dialling when there is none.
func (l *sshLink) sshClient() (*ssh.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.client != nil {
		if _, _, err := l.client.SendRequest("keepalive@openssh.com", true, nil); err == nil {
			return l.client, nil
		}
		l.client.Close()
		l.client = nil
	}
	cfg, err := l.config()
	if err != nil {
		return nil, err
	}
	c, err := ssh.Dial("tcp", l.t.addr, cfg)
	if err != nil {
		var ke *knownhosts.KeyError
		if errors.As(err, &ke) {
			return nil, fmt.Errorf("SSH to libvirt host %s: its host key is not the one in %s (or not there): %w", l.t.addr, l.t.knownHosts, err)
		}
		return nil, fmt.Errorf("SSH to libvirt host %s as %s: %w", l.t.addr, l.t.user, err)
	}
	l.client = c
	return c, nil
}

// Dial opens a stream to libvirtd's socket on the host.
func (l *sshLink) Dial() (net.Conn, error) {
	c, err := l.sshClient()
	if err != nil {
		return nil, err
	}
	conn, err := c.Dial("unix", l.t.socket)
	if err != nil {
		return nil, fmt.Errorf("libvirtd socket %s on %s: %w (is libvirtd running there?)", l.t.socket, l.t.addr, err)
	}
	return conn, nil
}

// Close ends the SSH connection and with it every stream and tunnel.
func (l *sshLink) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.client == nil {
		return nil
	}
	err := l.client.Close()
	l.client = nil
	return err
}

// tunnel listens on local (127.0.0.1:port, port 0 picks one) and carries
// each connection to remote (an address on the libvirt host's loopback)
// over the SSH connection. Closing the listener ends it.
func (l *sshLink) tunnel(local, remote string) (net.Listener, error) {
	ln, err := net.Listen("tcp", local)
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			go l.carry(in, remote)
		}
	}()
	return ln, nil
}

func (l *sshLink) carry(in net.Conn, remote string) {
	defer in.Close()
	c, err := l.sshClient()
	if err != nil {
		return
	}
	out, err := c.Dial("tcp", remote)
	if err != nil {
		return
	}
	defer out.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(out, in); done <- struct{}{} }()
	go func() { io.Copy(in, out); done <- struct{}{} }()
	<-done
}
