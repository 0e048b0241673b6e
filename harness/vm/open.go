package vm

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
)

// DefaultURI is the local QEMU hypervisor as libvirt's own clients pick
// it: the system daemon for root, the user's session daemon
// (qemu:///session, no root needed) for anyone else.
var DefaultURI = defaultURI(os.Geteuid())

func defaultURI(euid int) string {
	if euid == 0 {
		return "qemu:///system"
	}
	return "qemu:///session"
}

// Opener makes a Driver for a URI of its scheme. It does not connect yet:
// Ping, or the first call that needs the hypervisor, does.
type Opener func(uri *url.URL) (Driver, error)

var (
	openersMu sync.Mutex
	openers   = map[string]Opener{}
)

// Register makes a driver available under URI schemes (qemu, qemu+ssh);
// drivers call it from init, and the binary imports them for that effect,
// as database/sql drivers do.
func Register(open Opener, schemes ...string) {
	openersMu.Lock()
	defer openersMu.Unlock()
	for _, s := range schemes {
		if _, dup := openers[s]; dup {
			panic("vm: driver scheme registered twice: " + s)
		}
		openers[s] = open
	}
}

// Open returns the driver for uri (DefaultURI when empty).
func Open(uri string) (Driver, error) {
	if uri == "" {
		uri = DefaultURI
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("VM URI %q is not a URI like %s", uri, DefaultURI)
	}
	openersMu.Lock()
	open, ok := openers[u.Scheme]
	var have []string
	for s := range openers {
		have = append(have, s)
	}
	openersMu.Unlock()
	if !ok {
		slices.Sort(have)
		return nil, fmt.Errorf("VM URI %q: no driver for scheme %q (this imagegate has: %s)", uri, u.Scheme, strings.Join(have, ", "))
	}
	return open(u)
}

// HostOf names the hypervisor a URI reaches, for reports: the URI
// (DefaultURI when empty) without its query, whose key and known_hosts
// paths are the runner's own business.
func HostOf(uri string) string {
	if uri == "" {
		uri = DefaultURI
	}
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	u.RawQuery, u.Fragment = "", ""
	return u.Redacted()
}
