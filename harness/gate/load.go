package gate

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/imagegate/imagegate/harness/arch"
	"github.com/imagegate/imagegate/harness/names"
	"github.com/imagegate/imagegate/harness/yamlx"
)

// PolicyVersion is the policy format this package reads.
const PolicyVersion = 1

// Load reads and checks a policy file.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w (pass --policy FILE)", path, err)
	}
	return Parse(path, data)
}

// Parse checks policy content; file names it in errors.
func Parse(file string, data []byte) (*Policy, error) {
	root, err := document(file, data)
	if err != nil {
		return nil, err
	}
	l := nodes{file}
	p := &Policy{File: file}
	var imagesNode *yaml.Node
	err = l.mapping(root, "", []field{
		{"version", true, func(n *yaml.Node, path string) error {
			v, err := l.nonNegInt(n, path)
			if err == nil && v != PolicyVersion {
				err = l.errf(n, path, "unsupported version %d (this imagegate reads version %d)", v, PolicyVersion)
			}
			return err
		}},
		{"images", true, func(n *yaml.Node, path string) error {
			imagesNode = n
			return l.sequence(n, path, func(item *yaml.Node, ip string) error {
				e, err := l.entry(item, ip)
				p.Images = append(p.Images, e)
				return err
			})
		}},
	})
	if err != nil {
		return nil, err
	}
	if len(p.Images) == 0 {
		return nil, l.errf(imagesNode, "images", "must list at least one image")
	}
	return p, checkDuplicates(p)
}

// document returns the root node of the policy's only YAML document.
func document(file string, data []byte) (*yaml.Node, error) {
	root, err := yamlx.Document("policy "+file, data)
	if errors.Is(err, yamlx.ErrEmpty) {
		return nil, fmt.Errorf("%w; it needs version: %d and images:", err, PolicyVersion)
	}
	return root, err
}

func checkDuplicates(p *Policy) error {
	seen := map[string]int{}
	for _, e := range p.Images {
		if l, dup := seen[e.Name.Text]; dup {
			return fmt.Errorf("policy %s:%d: images: %q is listed twice (first at line %d)", p.File, e.Line, e.Name.Text, l)
		}
		seen[e.Name.Text] = e.Line
	}
	return nil
}

var suiteRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// canonArch maps aliases (amd64) to the arch table's names; arches the
// table does not know yet are kept as written if they look like one.
func canonArch(name string) (string, bool) {
	if a, err := arch.Lookup(name); err == nil {
		return a.Name, true
	}
	return name, names.ValidArch(name)
}

func (l nodes) arches(n *yaml.Node, path string) ([]string, error) {
	raw, err := l.strs(n, path)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, a := range raw {
		c, ok := canonArch(a)
		if !ok {
			return nil, l.errf(deref(n).Content[i], fmt.Sprintf("%s[%d]", path, i), "%q is not an arch name (like x86_64, aarch64)", a)
		}
		if slices.Contains(out, c) {
			return nil, l.errf(deref(n).Content[i], fmt.Sprintf("%s[%d]", path, i), "%q is listed twice (as %s)", a, c)
		}
		out = append(out, c)
	}
	return out, nil
}

func (l nodes) date(n *yaml.Node, path string) (string, time.Time, error) {
	s, err := l.str(n, path)
	if err != nil {
		return "", time.Time{}, err
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return "", time.Time{}, l.errf(n, path, "%q is not a date (YYYY-MM-DD)", s)
	}
	return s, d.AddDate(0, 0, 1), nil
}

func hasSpace(s string) bool { return strings.ContainsAny(s, " \t\r\n") }
