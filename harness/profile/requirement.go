package profile

import (
	"fmt"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Requirement is a package name (a trailing * makes it a prefix) with an
// optional version constraint: "openssh-server >= 1:9.2p1".
type Requirement struct {
	Name    string
	Op      string // "", =, >=, <=, >>, <<
	Version string
	err     error // reported by validate, with the line
}

var reqRE = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9+.\-_]*\*?)(?:\s*(>=|<=|>>|<<|=)\s*(\S+))?$`)

// UnmarshalYAML parses "name [op version]".
func (r *Requirement) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		r.err = fmt.Errorf("want a package name like \"openssh-server\" or \"openssh-server >= 1:9.2\"")
		return nil
	}
	m := reqRE.FindStringSubmatch(strings.TrimSpace(n.Value))
	if m == nil {
		r.err = fmt.Errorf("%q is not \"name\" or \"name OP version\" (OP one of = >= <= >> <<)", n.Value)
		return nil
	}
	r.Name, r.Op, r.Version = m[1], m[2], m[3]
	return nil
}

// Prefix reports whether the name is a prefix pattern (name*).
func (r Requirement) Prefix() (string, bool) {
	return strings.TrimSuffix(r.Name, "*"), strings.HasSuffix(r.Name, "*")
}

func (r Requirement) String() string {
	if r.Op == "" {
		return r.Name
	}
	return r.Name + " " + r.Op + " " + r.Version
}
