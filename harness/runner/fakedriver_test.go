package runner

import (
	"context"
	"errors"
	"net/url"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/vm"
)

// fakeDriver stands in for a hypervisor in tests of planning logic: every
// host check passes, guests get TCG, and nothing can be created.
type fakeDriver struct{}

func init() {
	vm.Register(func(*url.URL) (vm.Driver, error) { return fakeDriver{}, nil }, "fake")
}

const fakeURI = "fake:///"

func (fakeDriver) Create(context.Context, vm.Spec) (vm.Machine, error) {
	return nil, errors.New("fake driver: no guests")
}
func (fakeDriver) List(context.Context, string) ([]string, error) { return nil, nil }
func (fakeDriver) DestroyByName(context.Context, string) error    { return nil }
func (fakeDriver) Ping(context.Context) error                     { return nil }
func (fakeDriver) Preflight(arch.Arch, bool) error                { return nil }
func (fakeDriver) Close() error                                   { return nil }
func (fakeDriver) Accel(context.Context, arch.Arch, string) (arch.Accel, string) {
	return arch.TCG, "fake driver"
}
