package runner

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/matrix"
	"github.com/imagegate/imagegate/harness/vm"
)

// kvmDriver is a fake host whose guests get KVM.
type kvmDriver struct{ fakeDriver }

func (kvmDriver) Accel(context.Context, arch.Arch, string) (arch.Accel, string) {
	return arch.KVM, "fake KVM"
}

func init() {
	vm.Register(func(*url.URL) (vm.Driver, error) { return kvmDriver{}, nil }, "fakekvm")
}

func writeHosts(t *testing.T, text string) string {
	p := filepath.Join(t.TempDir(), "hosts.yaml")
	os.WriteFile(p, []byte(text), 0o644)
	return p
}

func TestReadHosts(t *testing.T) {
	hosts, err := ReadHosts(writeHosts(t, "hosts:\n  - name: a\n    uri: fake:///\n    arches: [amd64]\n  - name: b\n    uri: fakekvm:///\n    capacity: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 2 || hosts[0].Capacity != 1 || hosts[1].Capacity != 3 || hosts[0].Arches[0] != "x86_64" {
		t.Errorf("hosts: %+v", hosts)
	}
	for text, want := range map[string]string{
		"hosts: []\n":           "no hosts",
		"hosts:\n  - name: a\n": "name and uri are required",
		"hosts:\n  - {name: a, uri: 'fake:///'}\n  - {name: a, uri: 'fake:///'}\n": "used twice",
		"hosts:\n  - {name: a, uri: 'nope:///'}\n":                                 "no driver for scheme",
		"hosts:\n  - {name: a, uri: 'fake:///', arches: [vax]}\n":                  "vax",
		"hosts:\n  - {name: a, uri: 'fake:///', capacity: -1}\n":                   "capacity -1",
		"hosts:\n  - {name: a, uri: 'fake:///', cores: 2}\n":                       "cores",
	} {
		_, err := ReadHosts(writeHosts(t, text))
		if err == nil || !IsUsage(err) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "hosts file") {
			t.Errorf("%q: %v, want a usage error naming the file and %q", text, err, want)
		}
	}
}

// KVM hosts come first, then the file's order; a host not given the arch
// is left out; with none left the error says why for each.
func TestPlacements(t *testing.T) {
	p := &Plan{Opts: Options{BaseBootTimeout: time.Minute, Hosts: []Host{{Name: "x"}}}}
	x86, _ := arch.Lookup("x86_64")
	hosts := []*poolHost{
		{Host: Host{Name: "tcg1", URI: "fake:///"}, drv: fakeDriver{}},
		{Host: Host{Name: "arm-only", URI: "fakekvm:///", Arches: []string{"aarch64"}}, drv: kvmDriver{}},
		{Host: Host{Name: "kvm1", URI: "fakekvm:///"}, drv: kvmDriver{}},
	}
	got, err := p.placements(context.Background(), hosts, x86, matrix.Image{Name: "i", Arch: "x86_64"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Host != "kvm1" || got[0].Accel != arch.KVM || got[1].Host != "tcg1" {
		t.Errorf("placements: %+v", got)
	}
	if got[1].BootTimeout <= got[0].BootTimeout {
		t.Errorf("an emulated guest gets no more time than a KVM one: %v vs %v", got[1].BootTimeout, got[0].BootTimeout)
	}
	_, err = p.placements(context.Background(), hosts[1:2], x86, matrix.Image{Name: "i", Arch: "x86_64"})
	if err == nil || !strings.Contains(err.Error(), "arm-only: not given x86_64") {
		t.Errorf("no host for the arch: %v", err)
	}
}

// Each host runs its capacity at once; a target waits for a slot, takes
// the best free host, and fails only when every host it could use is down.
func TestHostPool(t *testing.T) {
	caps := map[string]int{"kvm": 1, "tcg": 1}
	hp := newHostPool(func(h string) int { return caps[h] })
	places := []Placement{{Host: "kvm", URI: "fakekvm:///"}, {Host: "tcg", URI: "fake:///"}}
	ctx := context.Background()
	a, _ := hp.acquire(ctx, places)
	b, _ := hp.acquire(ctx, places)
	if a.Host != "kvm" || b.Host != "tcg" {
		t.Fatalf("got %s and %s, want kvm then tcg", a.Host, b.Host)
	}
	got := make(chan string)
	go func() { c, _ := hp.acquire(ctx, places); got <- c.Host }()
	select {
	case h := <-got:
		t.Fatalf("a third target got %s while both hosts were full", h)
	case <-time.After(50 * time.Millisecond):
	}
	hp.release("tcg")
	if h := <-got; h != "tcg" {
		t.Errorf("after a release: %s, want tcg", h)
	}
	hp.mu.Lock()
	hp.down["kvm"], hp.down["tcg"] = "gone", "gone too"
	hp.mu.Unlock()
	if _, err := hp.acquire(ctx, places); err == nil || !strings.Contains(err.Error(), "no host that can run it is left") {
		t.Errorf("all hosts down: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	hp2 := newHostPool(func(string) int { return 0 })
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := hp2.acquire(cctx, places); err == nil {
		t.Error("a cancelled wait returned a slot")
	}
}

// probeCounter counts the host's KVM probes.
type probeCounter struct {
	fakeDriver
	probes *int
}

func (d probeCounter) Accel(context.Context, arch.Arch, string) (arch.Accel, string) {
	*d.probes++
	return arch.TCG, "no KVM here"
}

// --accel tcg needs no probe (one hangs or costs seconds on a broken
// /dev/kvm); auto and kvm ask the host; kvm without it is a usage error.
func TestAccelChoice(t *testing.T) {
	x86, _ := arch.Lookup("x86_64")
	im := matrix.Image{Name: "i", Arch: "x86_64"}
	for _, c := range []struct {
		flag, want, why string
		probes          int
		usage           bool
	}{
		{"tcg", "tcg", "--accel tcg", 0, false},
		{"", "tcg", "no KVM here", 1, false},
		{"auto", "tcg", "no KVM here", 1, false},
		{"kvm", "", "", 1, true},
		{"hvf", "", "", 0, true},
	} {
		n := 0
		p := &Plan{Opts: Options{Accel: c.flag}}
		acc, why, err := p.accel(context.Background(), probeCounter{probes: &n}, x86, im)
		if string(acc) != c.want || why != c.why || n != c.probes || (err != nil) != c.usage || (err != nil && !IsUsage(err)) {
			t.Errorf("--accel %q: %q %q %v after %d probes; want %q %q, %d probes, usage error %v", c.flag, acc, why, err, n, c.want, c.why, c.probes, c.usage)
		}
	}
}
