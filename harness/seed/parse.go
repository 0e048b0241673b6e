package seed

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	yaml "go.yaml.in/yaml/v3"

	"github.com/imagegate/imagegate/harness/yamlx"
)

// Read is the seed an earlier guest booted with, from the copies of its
// files in that target's evidence folder: what a reproducer boots with
// again. The Spec has the same instance-id, hostname, extra user-data and
// network-config; its user has no key (give it a fresh one): the keys Plan
// writes itself are dropped from the user-data, so Plan renders the same
// files again but for the key.
func Read(dir string) (Spec, error) {
	var s Spec
	meta, err := os.ReadFile(filepath.Join(dir, metaDataName))
	if err != nil {
		return s, fmt.Errorf("%w (--seed-from wants the failed target's report folder, with its meta-data and user-data)", err)
	}
	var md metaData
	if _, err := yamlx.Strict(filepath.Join(dir, metaDataName), meta, &md); err != nil {
		return s, err
	}
	s.InstanceID, s.Hostname = md.InstanceID, md.LocalHostname
	user, err := os.ReadFile(filepath.Join(dir, userDataName))
	if err != nil {
		return s, err
	}
	if s.ExtraUserData, s.User.Name, err = extraOf(filepath.Join(dir, userDataName), user); err != nil {
		return s, err
	}
	if s.NetworkConfig, err = os.ReadFile(filepath.Join(dir, networkConfigName)); err != nil && !os.IsNotExist(err) {
		return s, err
	}
	return s, nil
}

// extraOf is user-data without the keys Plan writes itself, and the name
// of the user it created.
func extraOf(name string, data []byte) (extra, user string, err error) {
	root, err := yamlx.Document(name, data)
	if err != nil {
		return "", "", err
	}
	if root.Kind != yaml.MappingNode {
		return "", "", fmt.Errorf("%s: not a cloud-config mapping", name)
	}
	rest := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value == "users" {
			user = seededUser(v)
		}
		if !slices.Contains(reservedKeys, k.Value) {
			rest.Content = append(rest.Content, k, v)
		}
	}
	if user == "" {
		return "", "", fmt.Errorf("%s: no users: entry with an ssh_authorized_keys list; not a seed imagegate wrote", name)
	}
	if len(rest.Content) == 0 {
		return "", user, nil
	}
	body, err := marshal(rest)
	return string(body), user, err
}

// seededUser is the name of the users: entry that carries the key.
func seededUser(list *yaml.Node) string {
	for _, u := range list.Content {
		var cu cloudUser
		if u.Kind == yaml.MappingNode && u.Decode(&cu) == nil && len(cu.SSHAuthorizedKeys) > 0 {
			return cu.Name
		}
	}
	return ""
}
