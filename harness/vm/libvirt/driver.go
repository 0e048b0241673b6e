package libvirt

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/imagegate/imagegate/harness/vm"

	golibvirt "github.com/digitalocean/go-libvirt"
)

func init() {
	vm.Register(open, "qemu", "qemu+unix", "qemu+ssh", "qemu+tcp", "qemu+tls", "qemu+libssh2")
}

func open(u *url.URL) (vm.Driver, error) {
	d := &Driver{uri: u}
	if u.Scheme == "qemu+ssh" {
		t, err := parseSSHTarget(u)
		if err != nil {
			return nil, err
		}
		d.link = &sshLink{t: t}
	}
	return d, nil
}

// ErrUnreachable wraps failures to reach libvirtd; it is a
// vm.ErrInfrastructure, so callers can tell a host problem from a guest one.
var ErrUnreachable = fmt.Errorf("libvirtd not reachable (%w)", vm.ErrInfrastructure)

// Driver is a vm.Driver on one libvirt connection. When the connection
// drops (libvirtd restarted), the next call dials again and keeps trying
// until its context ends, so a guest can still be destroyed once libvirtd
// is back; machines started on the lost connection report it as an exit.
type Driver struct {
	uri    *url.URL
	link   *sshLink   // qemu+ssh: the SSH connection to the host; nil otherwise
	mu     sync.Mutex // guards lv, dialled and closed; held while reconnecting
	lv     *golibvirt.Libvirt
	closed bool
	// dialled: a connection was made once, so losing it is a libvirtd
	// restart worth waiting out, not a libvirtd that is not there.
	dialled bool
}

var _ vm.Driver = (*Driver)(nil)

// Connect opens a connection to libvirtd at uri (vm.DefaultURI when empty):
// vm.Open and Ping.
func Connect(ctx context.Context, uri string) (*Driver, error) {
	d, err := vm.Open(uri)
	if err != nil {
		return nil, err
	}
	if err := d.Ping(ctx); err != nil {
		return nil, err
	}
	return d.(*Driver), nil
}

// Ping connects (once) and so checks that libvirtd answers.
func (d *Driver) Ping(ctx context.Context) error {
	_, err := d.conn(ctx)
	return err
}

func (d *Driver) dial(ctx context.Context) (*golibvirt.Libvirt, error) {
	u := d.uri
	if d.link != nil { // our own SSH transport: host key checked, tunnels on the same connection
		lv := golibvirt.NewWithDialer(d.link)
		err := call(ctx, 30*time.Second, func() error { return lv.ConnectToURI(golibvirt.RemoteURI(u)) })
		return lv, err
	}
	if localSession(u) {
		var err error
		if u, err = sessionURI(ctx, u); err != nil {
			return nil, err
		}
	}
	var lv *golibvirt.Libvirt
	err := call(ctx, 30*time.Second, func() error {
		var e error
		lv, e = golibvirt.ConnectToURI(u)
		return e
	})
	return lv, err
}

// conn returns a live connection, dialling again (every second, until ctx
// ends) when the old one was lost.
func (d *Driver) conn(ctx context.Context) (*golibvirt.Libvirt, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, errors.New("libvirt connection already closed")
	}
	if d.lv != nil && d.lv.IsConnected() {
		return d.lv, nil
	}
	if !d.dialled { // the first connection: say at once that it is not there
		lv, err := d.dial(ctx)
		if err != nil {
			if d.link != nil {
				return nil, fmt.Errorf("%w at %s: %v", ErrUnreachable, vm.HostOf(d.uri.String()), err)
			}
			return nil, fmt.Errorf("%w at %s: %v; start it (as root: `make host`, or `libvirtd -d`) or pass --libvirt-uri", ErrUnreachable, d.uri, err)
		}
		d.lv, d.dialled = lv, true
		return lv, nil
	}
	var last error
	for {
		lv, err := d.dial(ctx)
		if err == nil {
			d.lv = lv
			return lv, nil
		}
		last = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w at %s: lost, and not back (%v): start it again (libvirtd -d)", ErrUnreachable, d.uri, last)
		case <-time.After(time.Second):
		}
	}
}

// Close ends the connection. Machines keep running until destroyed.
func (d *Driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	var err error
	if d.lv != nil && d.lv.IsConnected() {
		err = d.lv.Disconnect()
	}
	d.lv = nil
	if d.link != nil {
		d.link.Close()
	}
	return err
}

func (d *Driver) isClosed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

// URI is the connection's URI.
func (d *Driver) URI() string { return d.uri.String() }

// local reports whether libvirtd runs on this host (its log files are ours
// to read).
func (d *Driver) local() bool { return d.uri.Host == "" && !strings.Contains(d.uri.Scheme, "+") }

// remote reports whether libvirtd runs on another host: files the guest
// needs go there as volumes, and its console and SSH come back through
// libvirt and the SSH connection.
func (d *Driver) remote() bool { return d.uri != nil && d.uri.Host != "" }

// call runs f, a go-libvirt call with no context of its own, under ctx and
// a timeout. If ctx ends first, call returns at once and f finishes later.
func call(ctx context.Context, timeout time.Duration, f func() error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("libvirt call abandoned: %w", ctx.Err())
	}
}

// List returns the names of all domains whose name starts with prefix.
func (d *Driver) List(ctx context.Context, prefix string) ([]string, error) {
	lv, err := d.conn(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	err = call(ctx, 30*time.Second, func() error {
		doms, _, err := lv.ConnectListAllDomains(1, 0)
		for _, dom := range doms {
			if strings.HasPrefix(dom.Name, prefix) {
				names = append(names, dom.Name)
			}
		}
		return err
	})
	return names, err
}

// DestroyByName force-stops and undefines the named domain; a domain that
// does not exist is not an error. On a remote host, the domain's volumes
// go too.
func (d *Driver) DestroyByName(ctx context.Context, name string) error {
	lv, err := d.conn(ctx)
	if err != nil {
		return err
	}
	return call(ctx, 60*time.Second, func() error {
		if err := destroyDomain(lv, name); err != nil {
			return err
		}
		if d.remote() {
			return deleteVolumes(lv, volumeName(name, ""))
		}
		return nil
	})
}

func destroyDomain(lv *golibvirt.Libvirt, name string) error {
	dom, err := lv.DomainLookupByName(name)
	if golibvirt.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := lv.DomainDestroyFlags(dom, golibvirt.DomainDestroyDefault); err != nil && !golibvirt.IsNotFound(err) && !notRunning(err) {
		return fmt.Errorf("destroy domain %s: %w", name, err)
	}
	// Transient domains vanish on destroy; a persistent one (left by
	// someone else's tooling) is undefined with its NVRAM.
	if err := lv.DomainUndefineFlags(dom, golibvirt.DomainUndefineNvram); err != nil && !golibvirt.IsNotFound(err) {
		return fmt.Errorf("undefine domain %s: %w", name, err)
	}
	return nil
}

func notRunning(err error) bool {
	return strings.Contains(err.Error(), "not running")
}
