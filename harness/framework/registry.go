package framework

import (
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/imagegate/imagegate/harness/run"
)

// Suite is a named set of specs. Specs is called while the tree is built,
// inside the target's container, so it declares Describe/It as usual.
type Suite struct {
	Name   string
	Labels []string
	Specs  func()
	// AfterReboot, when set, declares (as Specs does) the suite's checks
	// that need the guest rebooted. They run after every suite's Specs,
	// after one reboot shared by all suites; BeforeReboot, called inside
	// it, records what the checks compare against.
	AfterReboot func()
	// Families and Arches limit the suite to some targets (empty: all).
	Families, Arches []string
	// UserData is cloud-config (a YAML mapping, without the #cloud-config
	// line) the suite needs in the seed; ${hostname} is the guest's. It is
	// merged with the other suites' (lists concatenated).
	UserData string
	// NetworkConfig is a network-config v2 document for the seed.
	NetworkConfig string
}

// AppliesTo reports whether the suite's checks apply to an image (its family and arch).
func (s Suite) AppliesTo(im run.Image) bool {
	return (len(s.Families) == 0 || slices.Contains(s.Families, im.Family)) && (len(s.Arches) == 0 || slices.Contains(s.Arches, im.Arch))
}

var (
	regMu    sync.Mutex
	registry = map[string]Suite{}
)

// Register adds a suite; call it from a package-level var in the suite's
// package so importing the package is enough.
func Register(s Suite) bool {
	if err := add(s); err != nil {
		panic("framework: " + err.Error())
	}
	return true
}

// add registers s unless a suite of its name is registered already.
func add(s Suite) error {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[s.Name]; dup {
		return fmt.Errorf("suite %q is registered twice (an external suite may not take a compiled-in suite's name)", s.Name)
	}
	registry[s.Name] = s
	return nil
}

// Suites lists the registered suites, sorted by name.
func Suites() []Suite {
	regMu.Lock()
	defer regMu.Unlock()
	var out []Suite
	for _, n := range keys() {
		out = append(out, registry[n])
	}
	return out
}

// SuiteNames lists the registered suites, sorted.
func SuiteNames() []string {
	regMu.Lock()
	defer regMu.Unlock()
	return keys()
}

// applicable lists the registered suites whose checks apply to t (its
// catalogue's suites), sorted, and checks that t's selection names only
// registered suites.
func applicable(t run.Target) ([]Suite, error) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, n := range t.Options.Selection.Suites {
		if _, ok := registry[n]; !ok {
			return nil, fmt.Errorf("no suite named %q (have: %v)", n, keys())
		}
	}
	var out []Suite
	for _, n := range keys() {
		if s := registry[n]; s.AppliesTo(t.Image) {
			out = append(out, s)
		}
	}
	return out, nil
}

// selected keeps the suites t's --suite selection (or its matrix suites:)
// picks; all when it names none.
func selected(t run.Target, suites []Suite) []Suite {
	if len(t.Options.Selection.Suites) == 0 {
		return suites
	}
	var out []Suite
	for _, s := range suites {
		if slices.Contains(t.Options.Selection.Suites, s.Name) {
			out = append(out, s)
		}
	}
	return out
}

// keys lists the registered names, sorted; the caller holds regMu.
func keys() []string { return slices.Sorted(maps.Keys(registry)) }
