package nshost

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// newKey makes an ed25519 key and writes its private half in OpenSSH
// format, mode 0600, to path.
func newKey(path string) (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, fmt.Errorf("marshal key: %w", err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(priv)
}

// knownHostsLine is the known_hosts line that trusts pub for addr.
func knownHostsLine(addr string, pub ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(addr)}, pub) + "\n"
}

// sshdConfig is the namespace's sshd_config: loopback only, keys only,
// root by key, forwarding only to the namespace's own sockets.
func sshdConfig(dir string) string {
	return strings.Join([]string{
		"ListenAddress 127.0.0.1:22",
		"HostKey " + filepath.Join(dir, "host_key"),
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PermitRootLogin prohibit-password",
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"UsePAM no",
		"StrictModes no",
		"AllowTcpForwarding local",
		"AllowStreamLocalForwarding local",
		"X11Forwarding no",
		"PrintMotd no",
		"LogLevel VERBOSE",
	}, "\n") + "\n"
}

// writeSSHFiles makes the host and client keys and writes authorized_keys,
// known_hosts (trusting the host key at addr) and sshd_config into dir.
// It returns the host's public key and the client's signer.
func writeSSHFiles(dir, addr string) (ssh.PublicKey, ssh.Signer, error) {
	host, err := newKey(filepath.Join(dir, "host_key"))
	if err != nil {
		return nil, nil, err
	}
	client, err := newKey(filepath.Join(dir, "client_key"))
	if err != nil {
		return nil, nil, err
	}
	files := map[string]string{
		"authorized_keys": string(ssh.MarshalAuthorizedKey(client.PublicKey())),
		"known_hosts":     knownHostsLine(addr, host.PublicKey()),
		"sshd_config":     sshdConfig(dir),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			return nil, nil, err
		}
	}
	return host.PublicKey(), client, nil
}
