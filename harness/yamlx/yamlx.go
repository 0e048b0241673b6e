package yamlx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

var (
	// ErrEmpty is wrapped by the error for input that holds no YAML
	// document (nothing, or only comments).
	ErrEmpty = errors.New("empty")
	// ErrMultiple is wrapped by the error for input with a second document
	// (after "---"), which would otherwise be ignored silently.
	ErrMultiple = errors.New("more than one YAML document (only one is read)")
)

// Document parses data, which must hold exactly one YAML document, and
// returns that document's root node (a mapping, a list or a scalar, not the
// document node around it). Every error starts with name, which says what
// the input is, e.g. "policy ci/policy.yaml": "<name>: yaml: line 3: ..."
// for a syntax error in the document, "<name>: empty" (wrapping ErrEmpty),
// "<name>: more than one YAML document (only one is read)" (wrapping
// ErrMultiple).
func Document(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %w", name, ErrEmpty)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, ErrMultiple)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrEmpty)
	}
	return doc.Content[0], nil
}

// Strict decodes the one YAML document of data into v, refusing any key v
// has no field for, and returns the document's root node (as Document)
// so that the caller can point at the lines of values it then rejects.
// Errors start with name, as Document's; a value that does not fit v
// names its line and, when the value is a scalar under a chain of
// mappings, the dotted key path:
//
//	<name>: line 9: sshd.password_authentication: cannot unmarshal !!str `perhaps` into bool
//
// (yaml's own "yaml: unmarshal errors:" header is dropped; further errors
// follow on their own lines.)
func Strict(name string, data []byte, v any) (*yaml.Node, error) {
	root, err := Document(name, data)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("%s: %s", name, nameKeys(root, err))
	}
	return root, nil
}

var lineRE = regexp.MustCompile(`line (\d+): `)

// nameKeys adds the key path to yaml's "line N: cannot unmarshal ..."
// messages, which name only the line, and drops yaml's header.
func nameKeys(root *yaml.Node, err error) string {
	msg := lineRE.ReplaceAllStringFunc(err.Error(), func(m string) string {
		var line int
		fmt.Sscanf(m, "line %d: ", &line)
		if k := keyAt(root, line, ""); k != "" {
			return fmt.Sprintf("line %d: %s: ", line, k)
		}
		return m
	})
	return strings.ReplaceAll(msg, "yaml: unmarshal errors:\n  ", "")
}

// keyAt is the dotted path ("sshd.permit_root_login") of the mapping key
// whose value is a scalar on line, looking through nested mappings from n
// (a document node or its root, with prefix ""); "" if there is none.
// Lists are not looked into.
func keyAt(n *yaml.Node, line int, prefix string) string {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return keyAt(n.Content[0], line, prefix)
	}
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := k.Value
		if prefix != "" {
			path = prefix + "." + k.Value
		}
		if v.Line == line && v.Kind == yaml.ScalarNode {
			return path
		}
		if sub := keyAt(v, line, path); sub != "" {
			return sub
		}
	}
	return ""
}
