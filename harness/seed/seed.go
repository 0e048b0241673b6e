package seed

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/crypto/ssh"

	"github.com/imagegate/imagegate/harness/textx"
)

// Names of the files in a NoCloud seed, in the order a Plan holds them.
const (
	metaDataName      = "meta-data"
	userDataName      = "user-data"
	networkConfigName = "network-config"
)

// User is the login account created in the guest for the harness.
type User struct {
	Name          string // login name, e.g. "imagegate"
	AuthorizedKey string // one OpenSSH authorized_keys line (public key), e.g. "ssh-ed25519 AAAA... imagegate-run-123"
}

// Spec describes one guest's seed.
type Spec struct {
	// InstanceID is meta-data's instance-id; required. cloud-init uses it
	// as a directory name, so it may not hold '/', whitespace or control
	// characters.
	InstanceID string
	// Hostname is meta-data's local-hostname; required, one RFC 1123 label.
	Hostname string
	// User is created via cloud-config `users:` after the image's default
	// user, with passwordless sudo, /bin/bash and a locked password.
	User User
	// ExtraUserData is optional cloud-config YAML: one mapping whose keys
	// are added at the top level of user-data, after ours. It may not set a
	// key that Plan sets itself (see reservedKeys).
	ExtraUserData string
	// NetworkConfig is optional network-config (version 2) content, written
	// verbatim; no network-config file is written when it is empty.
	NetworkConfig []byte
}

// Plan is a rendered seed: the files of the image, in a stable order
// (meta-data, user-data, then network-config when present).
type Plan struct {
	Files []File
}

// File is one file at the root of the seed image.
type File struct {
	Name string
	Data []byte
}

// Plan validates s and renders its files.
func (s Spec) Plan() (Plan, error) {
	if err := s.validate(); err != nil {
		return Plan{}, err
	}
	meta, err := renderMetaData(s)
	if err != nil {
		return Plan{}, err
	}
	user, err := renderUserData(s)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{Files: []File{
		{Name: metaDataName, Data: meta},
		{Name: userDataName, Data: user},
	}}
	if len(s.NetworkConfig) > 0 {
		p.Files = append(p.Files, File{Name: networkConfigName, Data: bytes.Clone(s.NetworkConfig)})
	}
	return p, nil
}

// UserData returns the user-data file's content, or nil if the Plan has none.
func (p Plan) UserData() []byte { return p.data(userDataName) }

// MetaData returns the meta-data file's content, or nil if the Plan has none.
func (p Plan) MetaData() []byte { return p.data(metaDataName) }

func (p Plan) data(name string) []byte {
	for _, f := range p.Files {
		if f.Name == name {
			return bytes.Clone(f.Data)
		}
	}
	return nil
}

func (s Spec) validate() error {
	var errs []error
	if err := checkInstanceID(s.InstanceID); err != nil {
		errs = append(errs, err)
	}
	if err := checkHostname(s.Hostname); err != nil {
		errs = append(errs, err)
	}
	if err := checkUserName(s.User.Name); err != nil {
		errs = append(errs, err)
	}
	if err := checkAuthorizedKey(s.User.AuthorizedKey); err != nil {
		errs = append(errs, err)
	}
	if _, err := parseExtraUserData(s.ExtraUserData); err != nil {
		errs = append(errs, err)
	}
	if err := checkNetworkConfig(s.NetworkConfig); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func checkInstanceID(id string) error {
	if id == "" {
		return errors.New("seed: instance-id is empty")
	}
	if id == "." || id == ".." || strings.ContainsFunc(id, func(r rune) bool {
		return r == '/' || unicode.IsSpace(r) || unicode.IsControl(r)
	}) {
		return fmt.Errorf("seed: instance-id %q: must not be . or .. nor contain '/', whitespace or control characters", id)
	}
	return nil
}

var hostnameLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

func checkHostname(h string) error {
	if !hostnameLabel.MatchString(h) {
		return fmt.Errorf("seed: hostname %q is not a valid RFC 1123 label (1-63 letters, digits or '-', not starting or ending with '-')", h)
	}
	return nil
}

var userName = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)

func checkUserName(n string) error {
	if !userName.MatchString(n) {
		return fmt.Errorf("seed: user name %q is not a valid login name (lowercase letter or '_', then up to 31 of [a-z0-9_-])", n)
	}
	if n == "root" || n == "default" {
		return fmt.Errorf("seed: user name %q is reserved", n)
	}
	return nil
}

// checkAuthorizedKey accepts exactly one OpenSSH authorized_keys line holding
// a public key, so that a private key can never end up in user-data.
func checkAuthorizedKey(k string) error {
	if strings.Contains(k, "PRIVATE KEY") {
		return errors.New("seed: authorized key looks like a private key; give the public key line")
	}
	k = strings.TrimSpace(k)
	if k == "" {
		return errors.New("seed: authorized key is empty")
	}
	if strings.ContainsAny(k, "\r\n") {
		return errors.New("seed: authorized key must be a single line")
	}
	if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k)); err != nil {
		return fmt.Errorf("seed: authorized key %q: %w", textx.Clip(k, 40), err)
	}
	return nil
}
