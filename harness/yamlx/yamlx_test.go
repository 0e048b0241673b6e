package yamlx

import (
	"errors"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

type inner struct {
	Mode string `yaml:"mode"`
	On   bool   `yaml:"on"`
}

type doc struct {
	Name  string   `yaml:"name"`
	Count int      `yaml:"count"`
	Sub   inner    `yaml:"sub"`
	List  []string `yaml:"list"`
}

func TestStrictGood(t *testing.T) {
	var d doc
	root, err := Strict("thing t.yaml", []byte("# head\nname: a\ncount: 2\nsub:\n  mode: x\nlist: [p, q]\n"), &d)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "a" || d.Count != 2 || d.Sub.Mode != "x" || len(d.List) != 2 {
		t.Errorf("decoded %+v", d)
	}
	if root.Kind != yaml.MappingNode || root.Line != 2 {
		t.Errorf("root is kind %v at line %d; want the mapping at line 2", root.Kind, root.Line)
	}
}

func TestStrictErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
		is              error
	}{
		{"empty", "", "thing t.yaml: empty", ErrEmpty},
		{"comments only", "# nothing\n", "thing t.yaml: empty", ErrEmpty},
		{"second document", "name: a\n---\nname: b\n", "thing t.yaml: more than one YAML document (only one is read)", ErrMultiple},
		{"empty second document", "name: a\n---\n", "thing t.yaml: more than one YAML document (only one is read)", ErrMultiple},
		{"syntax", "name: [\n", "thing t.yaml: yaml: line 1: did not find expected node content", nil},
		{"unknown key", "name: a\nnmae: b\n", "thing t.yaml: line 2: nmae: field nmae not found in type yamlx.doc", nil},
		{"unknown nested key", "sub:\n  mode: x\n  mood: y\n", "thing t.yaml: line 3: sub.mood: field mood not found in type yamlx.inner", nil},
		{"bad type", "count: many\n", "thing t.yaml: line 1: count: cannot unmarshal !!str `many` into int", nil},
		{"two errors", "count: many\nsub:\n  on: perhaps\n",
			"thing t.yaml: line 1: count: cannot unmarshal !!str `many` into int\n  line 3: sub.on: cannot unmarshal !!str `perhaps` into bool", nil},
		{"list item", "list:\n  - {a: b}\n", "thing t.yaml: line 2: cannot unmarshal !!map into string", nil},
	}
	for _, c := range cases {
		var d doc
		_, err := Strict("thing t.yaml", []byte(c.src), &d)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: error %v\n  want %s", c.name, err, c.want)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: error %v is not %v", c.name, err, c.is)
		}
	}
}

func TestDocument(t *testing.T) {
	for src, kind := range map[string]yaml.Kind{"a: 1\n": yaml.MappingNode, "[1]\n": yaml.SequenceNode, "~\n": yaml.ScalarNode, "---\n": yaml.ScalarNode} {
		n, err := Document("x", []byte(src))
		if err != nil || n.Kind != kind {
			t.Errorf("%q: %v, %v; want kind %v", src, n, err, kind)
		}
	}
	if _, err := Document("policy p.yaml", []byte("a: 1\n---\na: [\n")); !errors.Is(err, ErrMultiple) || !strings.HasPrefix(err.Error(), "policy p.yaml: ") {
		t.Errorf("a broken second document: %v", err)
	}
}
