package seed

import (
	"bytes"
	"crypto/ed25519"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/ssh"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testKey is a fixed ed25519 public key line, derived from an all-zero seed
// so that the goldens are stable.
func testKey(t *testing.T, comment string) string {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " " + comment
}

func baseSpec(t *testing.T) Spec {
	t.Helper()
	return Spec{
		InstanceID: "imagegate-20261122-abcd-x86_64",
		Hostname:   "ig-debian-12",
		User:       User{Name: "imagegate", AuthorizedKey: testKey(t, "imagegate-run-123")},
	}
}

const extraUserData = `#cloud-config
# files the suite expects
write_files:
  - path: /etc/imagegate/marker
    permissions: '0644'
    content: |
      hello from imagegate
runcmd:
  - [touch, /run/imagegate-ran]
package_update: false
`

const networkConfig = `network:
  version: 2
  ethernets:
    primary:
      match:
        name: "en*"
      dhcp4: true
`

func TestPlanGolden(t *testing.T) {
	cases := map[string]func(*Spec){
		"basic": func(*Spec) {},
		"extra": func(s *Spec) {
			s.ExtraUserData = extraUserData
			s.NetworkConfig = []byte(networkConfig)
		},
	}
	for name, mod := range cases {
		t.Run(name, func(t *testing.T) {
			s := baseSpec(t)
			mod(&s)
			p, err := s.Plan()
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("testdata", name)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for _, f := range p.Files {
					if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var golden []string
			for _, e := range entries {
				golden = append(golden, e.Name())
			}
			if got := fileNames(p); !sameSet(got, golden) {
				t.Fatalf("plan files %v, golden files %v", got, golden)
			}
			for _, f := range p.Files {
				want, err := os.ReadFile(filepath.Join(dir, f.Name))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(f.Data, want) {
					t.Errorf("%s differs from golden (run go test -update to accept)\n--- got\n%s--- want\n%s", f.Name, f.Data, want)
				}
			}
		})
	}
}

func fileNames(p Plan) []string {
	var names []string
	for _, f := range p.Files {
		names = append(names, f.Name)
	}
	return names
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestPlanOrderAndNetworkConfig(t *testing.T) {
	s := baseSpec(t)
	p, err := s.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fileNames(p), []string{"meta-data", "user-data"}; !slices.Equal(got, want) {
		t.Errorf("without network config: files %v, want %v", got, want)
	}
	s.NetworkConfig = []byte(networkConfig)
	p, err = s.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fileNames(p), []string{"meta-data", "user-data", "network-config"}; !slices.Equal(got, want) {
		t.Errorf("with network config: files %v, want %v", got, want)
	}
	if got := p.Files[2].Data; string(got) != networkConfig {
		t.Errorf("network-config not verbatim:\n%s", got)
	}
}

func TestUserDataContent(t *testing.T) {
	s := baseSpec(t)
	s.ExtraUserData = extraUserData
	p, err := s.Plan()
	if err != nil {
		t.Fatal(err)
	}
	ud := p.UserData()
	if !bytes.HasPrefix(ud, []byte("#cloud-config\n")) {
		t.Fatalf("user-data does not start with #cloud-config:\n%s", ud)
	}
	if n := bytes.Count(ud, []byte("#cloud-config")); n != 1 {
		t.Errorf("#cloud-config appears %d times", n)
	}
	var got struct {
		Users       []any `yaml:"users"`
		SSHPwauth   *bool `yaml:"ssh_pwauth"`
		DisableRoot *bool `yaml:"disable_root"`
		WriteFiles  []struct {
			Path        string `yaml:"path"`
			Permissions any    `yaml:"permissions"`
		} `yaml:"write_files"`
		Runcmd []any `yaml:"runcmd"`
	}
	if err := yaml.Unmarshal(ud, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Users) != 2 || got.Users[0] != "default" {
		t.Fatalf("users = %#v, want [default, {...}]", got.Users)
	}
	u, _ := got.Users[1].(map[string]any)
	want := map[string]any{
		"name":                "imagegate",
		"sudo":                "ALL=(ALL) NOPASSWD:ALL",
		"shell":               "/bin/bash",
		"lock_passwd":         true,
		"ssh_authorized_keys": []any{s.User.AuthorizedKey},
	}
	if !equalYAML(u, want) {
		t.Errorf("user = %#v, want %#v", u, want)
	}
	if got.SSHPwauth == nil || *got.SSHPwauth {
		t.Errorf("ssh_pwauth = %v, want false", got.SSHPwauth)
	}
	if got.DisableRoot == nil || !*got.DisableRoot {
		t.Errorf("disable_root = %v, want true", got.DisableRoot)
	}
	if len(got.WriteFiles) != 1 || got.WriteFiles[0].Path != "/etc/imagegate/marker" {
		t.Errorf("write_files = %#v", got.WriteFiles)
	}
	// The extra YAML is merged as nodes: quoting stays as written.
	if !bytes.Contains(ud, []byte("permissions: '0644'\n")) {
		t.Errorf("permissions not kept verbatim:\n%s", ud)
	}
	if len(got.Runcmd) != 1 {
		t.Errorf("runcmd = %#v", got.Runcmd)
	}
	if bytes.Contains(ud, []byte("PRIVATE")) {
		t.Error("user-data mentions a private key")
	}
}

func equalYAML(a, b any) bool {
	x, err1 := yaml.Marshal(a)
	y, err2 := yaml.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// Values that YAML (1.1, as PyYAML in cloud-init reads it, or 1.2) would
// take for something other than a string must come out quoted.
func TestMetaDataQuoting(t *testing.T) {
	s := baseSpec(t)
	s.InstanceID = "0123"
	s.Hostname = "yes"
	p, err := s.Plan()
	if err != nil {
		t.Fatal(err)
	}
	md := p.MetaData()
	for _, line := range []string{`instance-id: "0123"`, `local-hostname: "yes"`} {
		if !bytes.Contains(md, []byte(line+"\n")) {
			t.Errorf("meta-data lacks %s:\n%s", line, md)
		}
	}
	var got map[string]any
	if err := yaml.Unmarshal(md, &got); err != nil {
		t.Fatal(err)
	}
	if got["instance-id"] != "0123" || got["local-hostname"] != "yes" {
		t.Errorf("meta-data reads back as %#v", got)
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	p, err := baseSpec(t).Plan()
	if err != nil {
		t.Fatal(err)
	}
	md := p.MetaData()
	md[0] = 'X'
	if p.MetaData()[0] == 'X' {
		t.Error("MetaData returned the Plan's own slice")
	}
	if (Plan{}).UserData() != nil {
		t.Error("UserData of an empty Plan is not nil")
	}
}

func TestPlanValidation(t *testing.T) {
	cases := []struct {
		name    string
		mod     func(*Spec)
		wantErr []string // substrings of the error
	}{
		{"empty instance-id", func(s *Spec) { s.InstanceID = "" }, []string{"instance-id is empty"}},
		{"instance-id with slash", func(s *Spec) { s.InstanceID = "a/b" }, []string{`instance-id "a/b"`}},
		{"instance-id with space", func(s *Spec) { s.InstanceID = "a b" }, []string{`instance-id "a b"`}},
		{"empty hostname", func(s *Spec) { s.Hostname = "" }, []string{`hostname ""`}},
		{"hostname underscore", func(s *Spec) { s.Hostname = "foo_bar" }, []string{`hostname "foo_bar"`, "RFC 1123"}},
		{"hostname leading hyphen", func(s *Spec) { s.Hostname = "-x" }, []string{`hostname "-x"`}},
		{"hostname trailing hyphen", func(s *Spec) { s.Hostname = "x-" }, []string{`hostname "x-"`}},
		{"hostname with dot", func(s *Spec) { s.Hostname = "a.example" }, []string{`hostname "a.example"`}},
		{"hostname too long", func(s *Spec) { s.Hostname = strings.Repeat("a", 64) }, []string{"hostname"}},
		{"empty user", func(s *Spec) { s.User.Name = "" }, []string{`user name ""`}},
		{"bad user", func(s *Spec) { s.User.Name = "Bob Smith" }, []string{`user name "Bob Smith"`}},
		{"root user", func(s *Spec) { s.User.Name = "root" }, []string{`user name "root" is reserved`}},
		{"empty key", func(s *Spec) { s.User.AuthorizedKey = "  " }, []string{"authorized key is empty"}},
		{"garbage key", func(s *Spec) { s.User.AuthorizedKey = "ssh-ed25519 notbase64" }, []string{"authorized key"}},
		{"two keys", func(s *Spec) { s.User.AuthorizedKey += "\n" + s.User.AuthorizedKey }, []string{"single line"}},
		{"private key", func(s *Spec) {
			s.User.AuthorizedKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
		}, []string{"private key"}},
		{"extra is a sequence", func(s *Spec) { s.ExtraUserData = "- a\n- b\n" }, []string{"extra user-data", "must be a YAML mapping", "sequence"}},
		{"extra is a scalar", func(s *Spec) { s.ExtraUserData = "hello" }, []string{"must be a YAML mapping", `"hello"`}},
		{"extra is bad YAML", func(s *Spec) { s.ExtraUserData = "a: [b\n" }, []string{"extra user-data"}},
		{"extra has two documents", func(s *Spec) { s.ExtraUserData = "a: 1\n---\nb: 2\n" }, []string{"single YAML document"}},
		{"extra sets users", func(s *Spec) { s.ExtraUserData = "runcmd: []\nusers: [default]\n" }, []string{`key "users" clashes`, "line 2"}},
		{"extra sets ssh_pwauth", func(s *Spec) { s.ExtraUserData = "ssh_pwauth: true\n" }, []string{`key "ssh_pwauth" clashes`}},
		{"extra sets disable_root", func(s *Spec) { s.ExtraUserData = "disable_root: false\n" }, []string{`key "disable_root" clashes`}},
		{"extra sets user", func(s *Spec) { s.ExtraUserData = "user: {name: x}\n" }, []string{`key "user" clashes`}},
		{"extra merge key", func(s *Spec) { s.ExtraUserData = "<<: {users: [x]}\n" }, []string{`key "<<" clashes`}},
		{"extra duplicate key", func(s *Spec) { s.ExtraUserData = "runcmd: []\nruncmd: []\n" }, []string{`duplicate key "runcmd"`}},
		{"network-config not a mapping", func(s *Spec) { s.NetworkConfig = []byte("- x\n") }, []string{"network-config", "mapping"}},
		{"network-config v1", func(s *Spec) { s.NetworkConfig = []byte("network:\n  version: 1\n  config: []\n") }, []string{"network-config: version is 1, want 2"}},
		{"network-config comments only", func(s *Spec) { s.NetworkConfig = []byte("# nothing\n") }, []string{"network-config", "no YAML document"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := baseSpec(t)
			c.mod(&s)
			p, err := s.Plan()
			if err == nil {
				t.Fatalf("Plan() succeeded, want error containing %q; files %v", c.wantErr, fileNames(p))
			}
			for _, w := range c.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if len(p.Files) != 0 {
				t.Errorf("failed Plan() returned files %v", fileNames(p))
			}
		})
	}
}

func TestPlanValidationReportsAllProblems(t *testing.T) {
	_, err := Spec{Hostname: "foo_bar"}.Plan()
	if err == nil {
		t.Fatal("want error")
	}
	for _, w := range []string{"instance-id is empty", `hostname "foo_bar"`, `user name ""`, "authorized key is empty"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func TestPlanAcceptsValidInputs(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Spec)
	}{
		{"single-char hostname", func(s *Spec) { s.Hostname = "a" }},
		{"63-char hostname", func(s *Spec) { s.Hostname = strings.Repeat("a", 63) }},
		{"digit hostname", func(s *Spec) { s.Hostname = "1host2" }},
		{"key with trailing newline", func(s *Spec) { s.User.AuthorizedKey += "\n" }},
		{"key with options", func(s *Spec) { s.User.AuthorizedKey = `no-agent-forwarding ` + s.User.AuthorizedKey }},
		{"extra comment only", func(s *Spec) { s.ExtraUserData = "#cloud-config\n" }},
		{"extra empty mapping", func(s *Spec) { s.ExtraUserData = "{}" }},
		{"network-config top-level version", func(s *Spec) { s.NetworkConfig = []byte("version: 2\nethernets: {}\n") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := baseSpec(t)
			c.mod(&s)
			if _, err := s.Plan(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
