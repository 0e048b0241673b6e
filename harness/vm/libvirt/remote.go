package libvirt

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/cleanup"
	"github.com/imagegate/imagegate/harness/vm"
)

// remoteParts is what a guest on a remote host has beyond a local one: the
// tunnel that makes its SSH reachable on our loopback, and the console
// stream that fills the local console file.
type remoteParts struct {
	overlay    string // the overlay volume's path on the host
	remotePort int    // the guest's forward on the host's loopback
	tunnel     net.Listener
	console    chan struct{} // closed when the console stream has ended
}

// volumeName is a volume of the domain: its name leads, so DestroyByName
// finds it, then "@", which no domain name holds (image names are
// [a-z0-9._-]), so a domain's volumes are never another's: the second
// instance "<name>-b" has "<name>-b@...".
func volumeName(domain, what string) string { return domain + "@" + what }

// createRemote is Create on a remote host (qemu+ssh): upload the files,
// make the overlay there, start the domain paused, attach the console
// stream, let it run, and open the SSH tunnel.
func (d *Driver) createRemote(ctx context.Context, s vm.Spec, mach machine) (vm.Machine, error) {
	if d.link == nil {
		return nil, fmt.Errorf("libvirt URI %s: guests on another host are reached over SSH: use qemu+ssh://user@host/system", d.uri.Redacted())
	}
	if err := checkImage(s.Image); err != nil {
		return nil, err
	}
	lv, err := d.conn(ctx)
	if err != nil {
		return nil, err
	}
	caps, err := capsFor(ctx, lv, s.Arch, map[bool]string{true: "kvm", false: "qemu"}[s.Accel == arch.KVM])
	if err != nil {
		return nil, fmt.Errorf("the libvirt host %s cannot run this %s guest: %w", d.uri.Host, s.Arch.Name, err)
	}
	var fw Firmware
	if s.Kernel == "" {
		if fw, err = mach.remoteFirmware(s.Arch, caps); err != nil {
			return nil, err
		}
	}
	console := PathsFor(s).Console
	if err := os.MkdirAll(filepath.Dir(console), 0o755); err != nil {
		return nil, err
	}
	m := &Machine{d: d, spec: s, paths: Paths{Console: console}, rem: &remoteParts{}}
	rs, p, err := m.stage(ctx, lv, caps.Emulator)
	if err != nil {
		return nil, cleanup.Join(err, m.Destroy(context.WithoutCancel(ctx)))
	}
	m.exits.startPaused.Store(true)
	if err := m.exits.start(lv, s.Name, ""); err != nil {
		return nil, cleanup.Join(fmt.Errorf("watch domain %s: %w: %w", s.Name, vm.ErrInfrastructure, err), m.Destroy(ctx))
	}
	if err := m.startRemote(ctx, lv, rs, p, fw); err != nil {
		return nil, cleanup.Join(fmt.Errorf("start domain %s on %s: %w: %w", s.Name, d.uri.Host, vm.ErrInfrastructure, err), m.Destroy(context.WithoutCancel(ctx)))
	}
	return m, nil
}

// stage uploads what the guest boots from and makes its overlay: rs is the
// spec with the host's paths, p the domain's paths there.
func (m *Machine) stage(ctx context.Context, lv *golibvirt.Libvirt, emulator string) (vm.Spec, Paths, error) {
	s, rs := m.spec, m.spec
	pl, err := pool(ctx, lv)
	if err != nil {
		return rs, Paths{}, err
	}
	// The seed is the guest's own; what it boots from is shared content.
	shared := func(local string) (string, error) {
		if local == "" {
			return "", nil
		}
		return sharedVolume(ctx, lvStore{ctx: ctx, lv: lv, p: pl}, s.Name, local, s.SHA256)
	}
	image, err := shared(s.Image)
	if err != nil {
		return rs, Paths{}, err
	}
	if rs.Seed, err = upload(ctx, lv, pl, volumeName(s.Name, "seed.iso"), s.Seed); err != nil {
		return rs, Paths{}, err
	}
	if rs.Kernel, err = shared(s.Kernel); err != nil {
		return rs, Paths{}, err
	}
	if rs.Initrd, err = shared(s.Initrd); err != nil {
		return rs, Paths{}, err
	}
	size, err := virtualSize(ctx, s.Image, s.ImageFormat)
	if err != nil {
		return rs, Paths{}, err
	}
	if want := uint64(s.DiskGiB) << 30; want > size {
		size = want
	}
	overlay, err := overlayVolume(ctx, lv, pl, volumeName(s.Name, "disk.qcow2"), image, s.ImageFormat, size)
	if err != nil {
		return rs, Paths{}, err
	}
	m.rem.overlay = overlay
	rs.Image = image
	return rs, Paths{Overlay: overlay, NVRAM: filepath.Join(filepath.Dir(overlay), volumeName(s.Name, "VARS.fd")), Emulator: emulator}, nil
}

// startRemote starts the domain paused on a free port of the host's
// loopback (another is tried when that one turns out taken), attaches the
// console, resumes it and opens the tunnel.
func (m *Machine) startRemote(ctx context.Context, lv *golibvirt.Libvirt, rs vm.Spec, p Paths, fw Firmware) error {
	var dom golibvirt.Domain
	var err error
	for i := 1; i <= 3; i++ {
		rs.SSHPort = 20000 + rand.IntN(40000) // the host's free ports are not ours to ask for
		var x []byte
		if x, err = DomainXML(rs, p, fw); err != nil {
			return err
		}
		m.xml = x
		err = call(ctx, 2*time.Minute, func() error {
			var e error
			dom, e = lv.DomainCreateXML(string(x), golibvirt.DomainStartPaused)
			return e
		})
		if err == nil || !portClash(err) {
			break
		}
	}
	if err != nil {
		return err
	}
	m.rem.remotePort = rs.SSHPort
	if err := m.attachConsole(lv, dom); err != nil {
		return err
	}
	if err := call(ctx, time.Minute, func() error { return lv.DomainResume(dom) }); err != nil {
		return err
	}
	local := fmt.Sprintf("127.0.0.1:%d", m.spec.SSHPort)
	tun, err := m.d.link.tunnel(local, fmt.Sprintf("127.0.0.1:%d", rs.SSHPort))
	if err != nil {
		return fmt.Errorf("tunnel for the guest's SSH on %s: %w", local, err)
	}
	m.rem.tunnel = tun
	m.spec.SSHPort = tun.Addr().(*net.TCPAddr).Port
	return nil
}

// attachConsole copies the domain's console stream into the local console
// file until the domain ends. The domain is still paused, so nothing it
// prints is lost; the stream is given a moment to open before it runs.
func (m *Machine) attachConsole(lv *golibvirt.Libvirt, dom golibvirt.Domain) error {
	f, err := os.Create(m.paths.Console)
	if err != nil {
		return err
	}
	m.rem.console = make(chan struct{})
	go func() {
		defer close(m.rem.console)
		defer f.Close()
		lv.DomainOpenConsole(dom, nil, f, uint32(golibvirt.DomainConsoleForce))
	}()
	select {
	case <-m.rem.console:
		return fmt.Errorf("the console stream of %s closed at once", m.spec.Name)
	case <-time.After(time.Second):
		return nil
	}
}

// destroyRemote ends the tunnel, then the domain and its volumes, and
// waits (briefly) for the console file to be complete.
func (m *Machine) destroyRemote(ctx context.Context) error {
	if m.rem.tunnel != nil {
		m.rem.tunnel.Close()
	}
	err := m.d.DestroyByName(ctx, m.spec.Name)
	if m.rem.console != nil {
		select {
		case <-m.rem.console:
		case <-time.After(10 * time.Second):
		}
	}
	return err
}

// keepRemoteDisk stops the domain, downloads its overlay volume to dst and
// points it at the local backing file (the same bytes as the uploaded
// candidate); then the rest goes as in Destroy.
func (m *Machine) keepRemoteDisk(ctx context.Context, dst, backing string) error {
	lv, err := m.d.conn(ctx)
	if err != nil {
		return err
	}
	if err := call(ctx, time.Minute, func() error { return destroyDomain(lv, m.spec.Name) }); err != nil {
		return err
	}
	if err := download(ctx, lv, m.rem.overlay, dst); err != nil {
		return fmt.Errorf("keep disk %s: %w", dst, err)
	}
	if backing == "" {
		backing = m.spec.Image
	}
	if err := m.pointAt(ctx, dst, backing); err != nil {
		return err
	}
	return m.Destroy(ctx)
}

var _ vm.Tunneler = (*Driver)(nil)

// forwardRE finds the guest's SSH forward on the host in a domain's XML.
var forwardRE = regexp.MustCompile(`hostfwd=tcp:127\.0\.0\.1:(\d+)-:22`)

// Tunnel opens the tunnel to a running guest of a remote host (one kept by
// --keep or spawn, whose first tunnel ended with its run) on local.
func (d *Driver) Tunnel(ctx context.Context, name, local string) (io.Closer, error) {
	if !d.remote() || d.link == nil {
		return nil, vm.ErrNotSupported
	}
	lv, err := d.conn(ctx)
	if err != nil {
		return nil, err
	}
	var x string
	err = call(ctx, time.Minute, func() error {
		dom, err := lv.DomainLookupByName(name)
		if err == nil {
			x, err = lv.DomainGetXMLDesc(dom, 0)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("domain %s on %s: %w", name, d.uri.Host, err)
	}
	m := forwardRE.FindStringSubmatch(x)
	if m == nil {
		return nil, fmt.Errorf("domain %s on %s forwards no SSH port from the host's loopback", name, d.uri.Host)
	}
	return d.link.tunnel(local, "127.0.0.1:"+m[1])
}
