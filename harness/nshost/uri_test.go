package nshost

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// checkURI: what imagegate's qemu+ssh transport does with h.URI works: an
// SSH connection with its keyfile, checked against its known_hosts, opens
// a stream to libvirtd's socket (which answers a libvirt RPC call) and a
// tunnel to the namespace's loopback.
func checkURI(t *testing.T, h *Host) {
	c := dialURI(t, h.URI)
	defer c.Close()
	conn, err := c.Dial("unix", "/var/run/libvirt/libvirt-sock")
	if err != nil {
		t.Fatalf("stream to libvirtd's socket over SSH: %v", err)
	}
	defer conn.Close()
	if err := callAuthList(conn); err != nil {
		t.Error(err)
	}
	tun, err := c.Dial("tcp", "127.0.0.1:22")
	if err != nil {
		t.Fatalf("tunnel to the namespace's 127.0.0.1:22: %v", err)
	}
	defer tun.Close()
	banner := make([]byte, 8)
	if _, err := io.ReadFull(tun, banner); err != nil || string(banner) != "SSH-2.0-" {
		t.Errorf("tunnel to 127.0.0.1:22 read %q, %v; want an SSH banner", banner, err)
	}
}

// dialURI connects as a qemu+ssh URI says: user, host:port, keyfile,
// known_hosts.
func dialURI(t *testing.T, uri string) *ssh.Client {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	check, err := knownhosts.New(u.Query().Get("known_hosts"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(u.Query().Get("keyfile"))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ssh.Dial("tcp", u.Host, &ssh.ClientConfig{User: u.User.Username(),
		Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: check, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("ssh per %s: %v", uri, err)
	}
	return c
}

// callAuthList sends libvirt's REMOTE_PROC_AUTH_LIST (66, allowed before
// a connection is opened) and checks the reply's header: the daemon itself
// answered, not just a socket.
func callAuthList(conn net.Conn) error {
	const program, version, proc = 0x20008086, 1, 66
	call := make([]byte, 28)
	for i, v := range []uint32{28, program, version, proc, 0 /* call */, 1 /* serial */, 0 /* ok */} {
		binary.BigEndian.PutUint32(call[4*i:], v)
	}
	if _, err := conn.Write(call); err != nil {
		return fmt.Errorf("libvirt RPC call: %w", err)
	}
	reply := make([]byte, 28)
	got := make(chan error, 1)
	go func() { _, err := io.ReadFull(conn, reply); got <- err }()
	select {
	case err := <-got:
		if err != nil {
			return fmt.Errorf("libvirt RPC reply: %w", err)
		}
	case <-time.After(10 * time.Second):
		return errors.New("libvirt RPC: no reply within 10s")
	}
	word := func(i int) uint32 { return binary.BigEndian.Uint32(reply[4*i:]) }
	if word(1) != program || word(3) != proc || word(4) != 1 /* reply */ || word(6) != 0 /* ok */ {
		return fmt.Errorf("libvirt RPC: unexpected reply header % x", reply)
	}
	return nil
}
