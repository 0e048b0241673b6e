package guest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/cleanup"
	"github.com/imagegate/imagegate/harness/names"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/vm"
)

// Access is how to reach a guest that was kept running (--keep, spawn):
// written as access.json beside its key in the run's work dir.
type Access struct {
	Target     string `json:"target"` // <image>/<arch>
	URI        string `json:"uri"`    // the libvirt connection the domain lives on
	Domain     string `json:"domain"`
	Addr       string `json:"addr"` // 127.0.0.1:port
	User       string `json:"user"`
	Key        string `json:"key"`         // private key file, 0600
	KnownHosts string `json:"known_hosts"` // the host key verified at boot

	// Dir is the target's work folder, where access.json was found.
	Dir string `json:"-"`
}

// Commands are the lines printed for a person: how to log in and how to
// destroy the guest, with self (the binary) and the work root as a
// command line must name them.
func (a Access) Commands(self, workRoot string) (login, destroy string) {
	cmd := report.Invocation(self) + " ssh "
	if workRoot != run.DefaultWorkRoot {
		cmd += "--work-dir " + report.ShellQuote(workRoot) + " "
	}
	return cmd + a.Target, cmd + "--destroy " + a.Target
}

func (a Access) write(path string) error {
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o600)
}

// SSHArgs is the ssh(1) command line, host key checking on.
func (a Access) SSHArgs() []string {
	host, port, _ := net.SplitHostPort(a.Addr)
	return []string{"ssh", "-i", a.Key, "-o", "UserKnownHostsFile=" + a.KnownHosts, "-o", "StrictHostKeyChecking=yes",
		"-o", "IdentitiesOnly=yes", "-p", port, a.User + "@" + host}
}

// Reach makes the guest's SSH reachable at a.Addr again when it runs on
// another host (its first tunnel ended with the run that kept it): the
// same local port, so known_hosts still matches. The closer ends it; for
// a guest of this host there is nothing to open.
func (a Access) Reach(ctx context.Context) (io.Closer, error) {
	if a.URI == "" {
		return io.NopCloser(nil), nil
	}
	d, err := vm.Open(a.URI)
	if err != nil {
		return nil, err
	}
	t, ok := d.(vm.Tunneler)
	if !ok {
		d.Close()
		return io.NopCloser(nil), nil
	}
	c, err := t.Tunnel(ctx, a.Domain, a.Addr)
	if errors.Is(err, vm.ErrNotSupported) {
		d.Close()
		return io.NopCloser(nil), nil
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("%s: tunnel to %s on %s: %w", a.Target, a.Domain, vm.HostOf(a.URI), err)
	}
	return closers{c, d}, nil
}

type closers []io.Closer

func (cs closers) Close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return cleanup.Join(errs...)
}

// FindAccess returns the newest kept guest of target (<image>/<arch>) under
// workRoot (<work-root>/<run-id>/<image>-<arch>/access.json).
func FindAccess(workRoot, target string) (Access, error) {
	var a Access
	image, arch, _ := names.SplitID(target)
	slug := names.Slug(image, arch)
	matches, _ := filepath.Glob(filepath.Join(workRoot, "*", slug, run.AccessFile))
	if len(matches) == 0 {
		return a, fmt.Errorf("no kept guest of %s under %s: start one with `imagegate spawn --image IMAGE --arch ARCH` or `imagegate run --keep`", target, workRoot)
	}
	sort.Strings(matches) // run ids sort by time
	b, err := os.ReadFile(matches[len(matches)-1])
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, fmt.Errorf("%s: %w", matches[len(matches)-1], err)
	}
	a.Dir = filepath.Dir(matches[len(matches)-1])
	return a, nil
}

// Destroy ends a kept guest: its domain, then its work folder (overlay,
// seed, key), and the run's work folder when nothing else is left in it.
func (a Access) Destroy(ctx context.Context) error {
	if a.Dir == "" || a.URI == "" {
		return fmt.Errorf("%s: access.json names no libvirt URI (written by an older imagegate); destroy it with virsh destroy %s", a.Target, a.Domain)
	}
	d, err := vm.Open(a.URI)
	if err != nil {
		return err
	}
	err = d.DestroyByName(ctx, a.Domain)
	err = cleanup.Join(err, d.Close())
	if err != nil {
		return err
	}
	if err := os.RemoveAll(a.Dir); err != nil {
		return err
	}
	os.Remove(filepath.Dir(a.Dir)) // the run's folder, if it is now empty
	return nil
}
