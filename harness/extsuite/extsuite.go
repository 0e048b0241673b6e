package extsuite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/imagegate/imagegate/harness/yamlx"
)

// Manifest is the suite's file in its folder; Checks the folder of its
// executables.
const (
	Manifest = "suite.yaml"
	Checks   = "checks"
)

// Who runs a check in the guest.
const (
	AsRoot = "root" // through sudo -n (the default)
	AsUser = "user" // the seeded user, imagegate's own
)

// Defaults of a manifest that does not say.
const (
	DefaultTimeout           = 5 * time.Minute
	DefaultNotApplicableExit = 77 // automake's and tmt's "skip"
)

// Suite is a validated external suite.
type Suite struct {
	// Dir is the folder, absolute.
	Dir               string
	Name, Description string
	Families, Arches  []string
	Labels            []string
	// UserData is the cloud-config mapping (no #cloud-config line) the
	// suite merges into the seed, as a compiled-in suite's UserData.
	UserData string
	Files    []File
	// NotApplicableExit is the exit status by which a check says it does
	// not apply to the image (the reason is what it printed).
	NotApplicableExit int
	Checks            []Check
	// SHA256 is the digest of the manifest and every file the suite reads
	// (checks and uploads, with their names and modes).
	SHA256 string
}

// File is one file uploaded to the guest before the suite's first check.
type File struct {
	Src  string      // absolute, inside Dir
	Dest string      // absolute path in the guest
	Mode os.FileMode // default 0644
}

// Check is one executable of checks/, in file-name order.
type Check struct {
	File        string // name under checks/
	Path        string // absolute
	Name        string // the spec's name
	RunAs       string // AsRoot or AsUser
	AfterReboot bool   // runs after the reboot every suite shares
	Timeout     time.Duration
	Labels      []string
}

// NeedsReboot reports whether the suite has checks for after the shared
// reboot (and so asks for it).
func (s *Suite) NeedsReboot() bool {
	for _, c := range s.Checks {
		if c.AfterReboot {
			return true
		}
	}
	return false
}

var (
	nameRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	labelRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:=-]*$`)
	modeRE  = regexp.MustCompile(`^0?[0-7]{3}$`)
)

// Load reads and validates the suite in dir. Every problem is reported,
// one per line, each starting with the file it is in (and the manifest's
// line and key): "DIR/suite.yaml:7: checks.10-install.sh.run_as: ...".
func Load(dir string) (*Suite, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a folder; --suite-dir wants a folder with %s and %s/", dir, Manifest, Checks)
	}
	path := filepath.Join(abs, Manifest)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v (an external suite's folder needs one; see docs/writing-suites.md)", path, errors.Unwrap(err))
	}
	var m manifest
	root, err := yamlx.Strict(path, data, &m)
	if err != nil {
		return nil, errors.New(lineStyle(err.Error()))
	}
	v := &validator{path: path, root: root}
	s := v.suite(abs, &m)
	files, err := checkFiles(abs)
	if err != nil {
		v.errs = append(v.errs, err)
	} else {
		s.Checks = v.checks(abs, &m, files, s)
	}
	if len(v.errs) > 0 {
		return nil, errors.Join(v.errs...)
	}
	if s.SHA256, err = digestOf(s, data); err != nil {
		return nil, err
	}
	return &s.Suite, nil
}

// lineStyle turns yamlx's "FILE: line 7: key: msg" into the
// compiler-style "FILE:7: key: msg" editors jump to.
// Go's type names in "field x not found in type extsuite.manifest" mean
// nothing to a suite's author.
func lineStyle(msg string) string {
	msg = regexp.MustCompile(`field (\S+) not found in type \S+`).ReplaceAllString(msg, "unknown key $1 (docs/writing-suites.md lists the keys)")
	return regexp.MustCompile(`: line (\d+): `).ReplaceAllString(msg, ":$1: ")
}

// manifest is suite.yaml as written.
type manifest struct {
	Name              string               `yaml:"name"`
	Description       string               `yaml:"description"`
	Families          []string             `yaml:"families"`
	Arches            []string             `yaml:"arches"`
	Labels            []string             `yaml:"labels"`
	UserData          yaml.Node            `yaml:"user_data"`
	Files             []fileEntry          `yaml:"files"`
	Timeout           string               `yaml:"timeout"`
	RunAs             string               `yaml:"run_as"`
	NotApplicableExit *int                 `yaml:"not_applicable_exit"`
	Checks            map[string]checkItem `yaml:"checks"`
}

type fileEntry struct {
	Src  string `yaml:"src"`
	Dest string `yaml:"dest"`
	Mode string `yaml:"mode"`
}

type checkItem struct {
	Name        string   `yaml:"name"`
	RunAs       string   `yaml:"run_as"`
	AfterReboot bool     `yaml:"after_reboot"`
	Timeout     string   `yaml:"timeout"`
	Labels      []string `yaml:"labels"`
}

// NameOf is a check's name from its file name: without a leading order
// number and the extension, dashes and underscores as spaces
// ("10-installs_the-payload.sh" → "installs the payload").
func NameOf(file string) string {
	n := strings.TrimSuffix(file, filepath.Ext(file))
	n = strings.TrimLeft(n, "0123456789")
	n = strings.NewReplacer("-", " ", "_", " ").Replace(n)
	if n = strings.Join(strings.Fields(n), " "); n == "" {
		return file
	}
	return n
}
