package libvirt

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/imagegate/imagegate/harness/vm"

	golibvirt "github.com/digitalocean/go-libvirt"
)

// DefaultURI is the system QEMU driver on the local socket.
const DefaultURI = "qemu:///system"

// ErrUnreachable wraps failures to reach libvirtd; it is a
// vm.ErrInfrastructure, so callers can tell a host problem from a guest one.
var ErrUnreachable = fmt.Errorf("libvirtd not reachable (%w)", vm.ErrInfrastructure)

// Driver is a vm.Driver on one libvirt connection.
type Driver struct {
	uri string
	mu  sync.Mutex // go-libvirt is safe for concurrent use; this guards close
	lv  *golibvirt.Libvirt
}

// Connect opens a connection to libvirtd at uri (DefaultURI when empty).
func Connect(ctx context.Context, uri string) (*Driver, error) {
	if uri == "" {
		uri = DefaultURI
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("libvirt URI %q is not a URI like %s", uri, DefaultURI)
	}
	var lv *golibvirt.Libvirt
	err = call(ctx, 30*time.Second, func() error {
		var e error
		lv, e = golibvirt.ConnectToURI(u)
		return e
	})
	if err != nil {
		return nil, fmt.Errorf("%w at %s: %v; start it (as root: `make host`, or `libvirtd -d`) or pass --libvirt-uri", ErrUnreachable, uri, err)
	}
	return &Driver{uri: uri, lv: lv}, nil
}

// Close ends the connection. Machines keep running until destroyed.
func (d *Driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lv == nil {
		return nil
	}
	err := d.lv.Disconnect()
	d.lv = nil
	return err
}

// URI is the connection's URI.
func (d *Driver) URI() string { return d.uri }

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

// ListDomains returns the names of all domains whose name starts with prefix.
func (d *Driver) ListDomains(ctx context.Context, prefix string) ([]string, error) {
	var names []string
	err := call(ctx, 30*time.Second, func() error {
		doms, _, err := d.lv.ConnectListAllDomains(1, 0)
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
// does not exist is not an error.
func (d *Driver) DestroyByName(ctx context.Context, name string) error {
	return call(ctx, 60*time.Second, func() error {
		dom, err := d.lv.DomainLookupByName(name)
		if golibvirt.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := d.lv.DomainDestroyFlags(dom, golibvirt.DomainDestroyDefault); err != nil && !golibvirt.IsNotFound(err) && !notRunning(err) {
			return fmt.Errorf("destroy domain %s: %w", name, err)
		}
		// Transient domains vanish on destroy; a persistent one (left by
		// someone else's tooling) is undefined with its NVRAM.
		if err := d.lv.DomainUndefineFlags(dom, golibvirt.DomainUndefineNvram); err != nil && !golibvirt.IsNotFound(err) {
			return fmt.Errorf("undefine domain %s: %w", name, err)
		}
		return nil
	})
}

func notRunning(err error) bool {
	return strings.Contains(err.Error(), "not running")
}
