package gate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// nodes reads a YAML node tree strictly, naming file, line, column and
// the key path in every error.
type nodes struct{ file string }

func (l nodes) errf(n *yaml.Node, path, format string, args ...any) error {
	return fmt.Errorf("policy %s:%d:%d: %s: %s", l.file, n.Line, n.Column, path, fmt.Sprintf(format, args...))
}

// field is one known key of a mapping.
type field struct {
	key      string
	required bool
	set      func(n *yaml.Node, path string) error
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// mapping walks a mapping: every key must be known, given once, and every
// required key present.
func (l nodes) mapping(n *yaml.Node, path string, fields []field) error {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return l.errf(n, path, "must be a mapping of keys (%s)", keyList(fields))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		sub := join(path, k.Value)
		f := findField(fields, k.Value)
		switch {
		case f == nil:
			return l.errf(k, sub, "unknown key %q (known: %s)", k.Value, keyList(fields))
		case seen[k.Value]:
			return l.errf(k, sub, "key given twice")
		}
		seen[k.Value] = true
		if err := f.set(v, sub); err != nil {
			return err
		}
	}
	for _, f := range fields {
		if f.required && !seen[f.key] {
			return l.errf(n, join(path, f.key), "required key %q is missing", f.key)
		}
	}
	return nil
}

// sequence walks a list, calling each for every item with its path.
func (l nodes) sequence(n *yaml.Node, path string, each func(n *yaml.Node, path string) error) error {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		return l.errf(n, path, "must be a list")
	}
	for i, item := range n.Content {
		if err := each(deref(item), fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// str reads a non-empty scalar.
func (l nodes) str(n *yaml.Node, path string) (string, error) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", l.errf(n, path, "must be a single value")
	}
	if strings.TrimSpace(n.Value) == "" {
		return "", l.errf(n, path, "must not be empty")
	}
	return n.Value, nil
}

// strs reads a list of non-empty, distinct scalars.
func (l nodes) strs(n *yaml.Node, path string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	err := l.sequence(n, path, func(item *yaml.Node, p string) error {
		s, err := l.str(item, p)
		if err == nil && seen[s] {
			err = l.errf(item, p, "%q is listed twice", s)
		}
		seen[s] = true
		out = append(out, s)
		return err
	})
	return out, err
}

// nonNegInt reads an integer >= 0.
func (l nodes) nonNegInt(n *yaml.Node, path string) (int, error) {
	n = deref(n)
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || v < 0 {
		return 0, l.errf(n, path, "%q is not a whole number of 0 or more", n.Value)
	}
	return v, nil
}

func findField(fields []field, key string) *field {
	for i := range fields {
		if fields[i].key == key {
			return &fields[i]
		}
	}
	return nil
}

func keyList(fields []field) string {
	var keys []string
	for _, f := range fields {
		keys = append(keys, f.key)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
