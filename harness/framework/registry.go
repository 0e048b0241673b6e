package framework

import (
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Suite is a named set of specs. Specs is called while the tree is built,
// inside the target's container, so it declares Describe/It as usual.
type Suite struct {
	Name   string
	Labels []string
	Specs  func()
	// Families and Arches limit the suite to some targets (empty: all).
	Families, Arches []string
	// UserData is cloud-config (a YAML mapping, without the #cloud-config
	// line) the suite needs in the seed; ${hostname} is the guest's. It is
	// merged with the other suites' (lists concatenated).
	UserData string
	// NetworkConfig is a network-config v2 document for the seed.
	NetworkConfig string
}

// AppliesTo reports whether the suite runs on t.
func (s Suite) AppliesTo(t Target) bool {
	return (len(s.Families) == 0 || contains(s.Families, t.Family)) && (len(s.Arches) == 0 || contains(s.Arches, t.Arch))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var (
	regMu    sync.Mutex
	registry = map[string]Suite{}
)

// Register adds a suite; call it from a package-level var in the suite's
// package so importing the package is enough.
func Register(s Suite) bool {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[s.Name]; dup {
		panic(fmt.Sprintf("framework: suite %q registered twice", s.Name))
	}
	registry[s.Name] = s
	return true
}

// SuiteNames lists the registered suites, sorted.
func SuiteNames() []string {
	regMu.Lock()
	defer regMu.Unlock()
	return keys()
}

func suitesFor(names []string) ([]Suite, error) {
	regMu.Lock()
	defer regMu.Unlock()
	if len(names) == 0 {
		names = keys()
	}
	var out []Suite
	for _, n := range names {
		s, ok := registry[n]
		if !ok {
			return nil, fmt.Errorf("no suite named %q (have: %v)", n, keys())
		}
		out = append(out, s)
	}
	return out, nil
}

// keys lists the registered names, sorted; the caller holds regMu.
func keys() []string { return slices.Sorted(maps.Keys(registry)) }
