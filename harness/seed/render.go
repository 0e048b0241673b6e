package seed

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/imagegate/imagegate/harness/textx"
)

const (
	cloudConfigHeader = "#cloud-config"
	sudoAll           = "ALL=(ALL) NOPASSWD:ALL"
	loginShell        = "/bin/bash"
)

// reservedKeys are the top-level user-data keys that ExtraUserData may not
// set: the ones Plan writes itself, "user" (which would redefine the
// "default" entry of our users list) and "<<" (a YAML merge key, which could
// smuggle any of them in).
var reservedKeys = []string{"users", "ssh_pwauth", "disable_root", "user", "<<"}

type metaData struct {
	InstanceID    string `yaml:"instance-id"`
	LocalHostname string `yaml:"local-hostname"`
}

type cloudUser struct {
	Name              string   `yaml:"name"`
	Sudo              string   `yaml:"sudo"`
	Shell             string   `yaml:"shell"`
	LockPasswd        bool     `yaml:"lock_passwd"`
	SSHAuthorizedKeys []string `yaml:"ssh_authorized_keys"`
}

func renderMetaData(s Spec) ([]byte, error) {
	return marshal(metaData{InstanceID: s.InstanceID, LocalHostname: s.Hostname})
}

// renderUserData writes "#cloud-config", our keys in a fixed order, then the
// extra keys as the caller wrote them. The extra keys are merged as YAML
// nodes rather than decoded values so that their quoting, styles and
// comments survive (an unquoted permissions: 0644 stays 0644).
func renderUserData(s Spec) ([]byte, error) {
	extra, err := parseExtraUserData(s.ExtraUserData)
	if err != nil {
		return nil, err
	}
	ours := []struct {
		key   string
		value any
	}{
		{"users", []any{"default", cloudUser{
			Name:              s.User.Name,
			Sudo:              sudoAll,
			Shell:             loginShell,
			LockPasswd:        true,
			SSHAuthorizedKeys: []string{strings.TrimSpace(s.User.AuthorizedKey)},
		}}},
		{"ssh_pwauth", false},
		{"disable_root", true},
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, kv := range ours {
		var v yaml.Node
		if err := v.Encode(kv.value); err != nil {
			return nil, fmt.Errorf("seed: rendering user-data %s: %w", kv.key, err)
		}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: kv.key}, &v)
	}
	root.Content = append(root.Content, extra...)
	body, err := marshal(root)
	if err != nil {
		return nil, err
	}
	return append([]byte(cloudConfigHeader+"\n"), body...), nil
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("seed: rendering YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("seed: rendering YAML: %w", err)
	}
	return b.Bytes(), nil
}

// parseExtraUserData checks that src is one YAML mapping with plain,
// distinct, unreserved keys and returns its key and value nodes, in order.
// Empty or comment-only input yields no nodes.
func parseExtraUserData(src string) ([]*yaml.Node, error) {
	m, err := parseMapping(src)
	if err != nil {
		return nil, fmt.Errorf("seed: extra user-data: %w", err)
	}
	if m == nil {
		return nil, nil
	}
	seen := map[string]bool{}
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("seed: extra user-data: line %d: top-level keys must be plain scalars", k.Line)
		}
		if slices.Contains(reservedKeys, k.Value) {
			return nil, fmt.Errorf("seed: extra user-data: line %d: key %q clashes with a key the seed sets itself (reserved: %s)",
				k.Line, k.Value, strings.Join(reservedKeys, ", "))
		}
		if seen[k.Value] {
			return nil, fmt.Errorf("seed: extra user-data: line %d: duplicate key %q", k.Line, k.Value)
		}
		seen[k.Value] = true
	}
	// Don't repeat a "#cloud-config" header in the middle of user-data.
	if len(m.Content) > 0 {
		m.Content[0].HeadComment = dropLine(m.Content[0].HeadComment, cloudConfigHeader)
	}
	return m.Content, nil
}

// parseMapping decodes src, which must hold at most one YAML document, and
// returns its top-level mapping node, or nil if the document is empty.
func parseMapping(src string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, errors.New("must be a single YAML document")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	m := doc.Content[0]
	if m.Kind == yaml.AliasNode && m.Alias != nil {
		m = m.Alias
	}
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: must be a YAML mapping, got %s", m.Line, kindName(m))
	}
	return m, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		return fmt.Sprintf("the scalar %q", textx.Clip(n.Value, 40))
	default:
		return fmt.Sprintf("node kind %d", n.Kind)
	}
}

func dropLine(text, line string) string {
	lines := strings.Split(text, "\n")
	lines = slices.DeleteFunc(lines, func(l string) bool { return strings.TrimSpace(l) == line })
	return strings.Join(lines, "\n")
}

// checkNetworkConfig accepts empty content or one YAML mapping declaring
// version 2, either at the top level or under "network:".
func checkNetworkConfig(src []byte) error {
	if len(src) == 0 {
		return nil
	}
	m, err := parseMapping(string(src))
	if err == nil && m == nil {
		err = errors.New("holds no YAML document")
	}
	if err != nil {
		return fmt.Errorf("seed: network-config: %w", err)
	}
	var cfg struct {
		Version any `yaml:"version"`
		Network *struct {
			Version any `yaml:"version"`
		} `yaml:"network"`
	}
	if err := m.Decode(&cfg); err != nil {
		return fmt.Errorf("seed: network-config: %w", err)
	}
	v := cfg.Version
	if cfg.Network != nil {
		v = cfg.Network.Version
	}
	if v != 2 {
		return fmt.Errorf("seed: network-config: version is %v, want 2", v)
	}
	return nil
}
