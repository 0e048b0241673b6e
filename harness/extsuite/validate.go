package extsuite

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/imagegate/imagegate/harness/arch"
)

// validator collects every problem of one manifest, each pointing at the
// line of the key it is about.
type validator struct {
	path string
	root *yaml.Node
	errs []error
}

// built is the suite as validated so far, with the suite-wide defaults
// its checks inherit.
type built struct {
	Suite
	Timeout time.Duration
	RunAs   string
}

// failf records a problem with the value at keys (a path of mapping keys).
func (v *validator) failf(keys []string, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s:%d: %s: %s", v.path, lineOf(v.root, keys), strings.Join(keys, "."), fmt.Sprintf(format, args...)))
}

func (v *validator) suite(dir string, m *manifest) built {
	s := built{Suite: Suite{Dir: dir, Name: m.Name, Description: strings.TrimSpace(m.Description),
		Families: m.Families, Labels: m.Labels, NotApplicableExit: DefaultNotApplicableExit}}
	switch {
	case m.Name == "":
		v.errs = append(v.errs, fmt.Errorf("%s:1: name: missing; give the suite a name (lowercase letters, digits, '-'), e.g. name: my-sig-payload", v.path))
	case !nameRE.MatchString(m.Name):
		v.failf([]string{"name"}, "%q: use lowercase letters, digits and '-' (it becomes the label suite:%s)", m.Name, m.Name)
	}
	for _, a := range m.Arches {
		if info, err := arch.Lookup(a); err != nil {
			v.failf([]string{"arches"}, "%v", err)
		} else {
			s.Arches = append(s.Arches, info.Name)
		}
	}
	v.labels([]string{"labels"}, m.Labels)
	s.UserData = v.userData(&m.UserData)
	s.Files = v.files(dir, m.Files)
	s.Timeout = v.duration([]string{"timeout"}, m.Timeout, DefaultTimeout)
	s.RunAs = v.runAs([]string{"run_as"}, m.RunAs, AsRoot)
	if e := m.NotApplicableExit; e != nil {
		if *e < 2 || *e > 125 {
			v.failf([]string{"not_applicable_exit"}, "%d: pick an exit status from 2 to 125 that no failing check uses (77 by default)", *e)
		}
		s.NotApplicableExit = *e
	}
	return s
}

func (v *validator) labels(keys []string, labels []string) {
	for _, l := range labels {
		if !labelRE.MatchString(l) {
			v.failf(keys, "label %q: use letters, digits and _ . : = - (labels are matched by --label-filter)", l)
		}
	}
}

// userData is the cloud-config mapping as YAML text ("" when absent).
func (v *validator) userData(n *yaml.Node) string {
	if n.Kind == 0 {
		return ""
	}
	if n.Kind != yaml.MappingNode {
		v.failf([]string{"user_data"}, "must be a mapping of cloud-config keys (write_files:, runcmd:, packages: ...), without the #cloud-config line")
		return ""
	}
	out, err := yaml.Marshal(n)
	if err != nil {
		v.failf([]string{"user_data"}, "%v", err)
	}
	return string(out)
}

func (v *validator) files(dir string, entries []fileEntry) []File {
	var out []File
	for i, f := range entries {
		keys := []string{"files", strconv.Itoa(i)}
		src, ok := inside(dir, f.Src)
		switch {
		case f.Src == "" || f.Dest == "":
			v.failf(keys, "each file needs src: (a path in the suite's folder) and dest: (an absolute path in the guest)")
			continue
		case !ok:
			v.failf(append(keys, "src"), "%q is outside the suite's folder; keep uploads inside it", f.Src)
			continue
		case !path.IsAbs(f.Dest):
			v.failf(append(keys, "dest"), "%q: must be an absolute path in the guest", f.Dest)
			continue
		}
		if fi, err := os.Stat(src); err != nil || !fi.Mode().IsRegular() {
			v.failf(append(keys, "src"), "%s: no such file in the suite's folder", f.Src)
			continue
		}
		mode := os.FileMode(0o644)
		if f.Mode != "" {
			if !modeRE.MatchString(f.Mode) {
				v.failf(append(keys, "mode"), "%q: want an octal mode such as \"0755\" (quoted)", f.Mode)
				continue
			}
			m, _ := strconv.ParseUint(f.Mode, 8, 32)
			mode = os.FileMode(m)
		}
		out = append(out, File{Src: src, Dest: path.Clean(f.Dest), Mode: mode})
	}
	return out
}

// inside resolves rel against dir and reports whether it stays inside.
func inside(dir, rel string) (string, bool) {
	if rel == "" || filepath.IsAbs(rel) {
		return "", false
	}
	p := filepath.Join(dir, rel)
	r, err := filepath.Rel(dir, p)
	return p, err == nil && r != ".." && !strings.HasPrefix(r, "../")
}

func (v *validator) duration(keys []string, s string, def time.Duration) time.Duration {
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		v.failf(keys, "%q is not a positive duration like 90s or 10m", s)
		return def
	}
	return d
}

func (v *validator) runAs(keys []string, s, def string) string {
	switch s {
	case "":
		return def
	case AsRoot, AsUser:
		return s
	}
	v.failf(keys, "%q: want root (through sudo) or user (imagegate's seeded user)", s)
	return def
}

// checks builds the checks from the executables of checks/ (sorted by
// name, which is their order) and the manifest's checks: entries.
func (v *validator) checks(dir string, m *manifest, files []string, s built) []Check {
	for file := range m.Checks {
		if !slices.Contains(files, file) {
			v.failf([]string{"checks", file}, "there is no executable %s/%s", Checks, file)
		}
	}
	var out []Check
	names := map[string]string{}
	for _, file := range files {
		c, keys := m.Checks[file], []string{"checks", file}
		name := c.Name
		if name == "" {
			name = NameOf(file)
		}
		if other, dup := names[name]; dup {
			v.failf(keys, "%s and %s are both named %q; give one a name:", other, file, name)
		}
		names[name] = file
		v.labels(append(keys, "labels"), c.Labels)
		out = append(out, Check{File: file, Path: filepath.Join(dir, Checks, file), Name: name,
			RunAs: v.runAs(append(keys, "run_as"), c.RunAs, s.RunAs), AfterReboot: c.AfterReboot,
			Timeout: v.duration(append(keys, "timeout"), c.Timeout, s.Timeout), Labels: c.Labels})
	}
	if len(out) == 0 && len(v.errs) == 0 {
		v.errs = append(v.errs, fmt.Errorf("%s: no checks: put one executable per check there", filepath.Join(dir, Checks)))
	}
	return out
}

// checkFiles lists the executables of dir/checks, sorted; anything else
// there is an error, so a check is never dropped silently (a script that
// lost its x bit, a stray README).
func checkFiles(dir string) ([]string, error) {
	cd := filepath.Join(dir, Checks)
	entries, err := os.ReadDir(cd)
	if err != nil {
		return nil, fmt.Errorf("%s: %v (an external suite keeps one executable per check there)", cd, unwrapPath(err))
	}
	var out, bad []string
	for _, e := range entries {
		fi, err := e.Info()
		switch {
		case err != nil:
			bad = append(bad, fmt.Sprintf("%s: %v", filepath.Join(cd, e.Name()), err))
		case strings.HasPrefix(e.Name(), "."):
		case !fi.Mode().IsRegular():
			bad = append(bad, fmt.Sprintf("%s: not a regular file; checks/ holds only the checks' executables", filepath.Join(cd, e.Name())))
		case fi.Mode().Perm()&0o111 == 0:
			bad = append(bad, fmt.Sprintf("%s: not executable; chmod +x it, or move it out of checks/", filepath.Join(cd, e.Name())))
		default:
			out = append(out, e.Name())
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(bad, "\n"))
	}
	sort.Strings(out)
	return out, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// lineOf is the line of the value at keys (mapping keys, or list indexes
// as numbers), or of the deepest key found; 1 when none is.
func lineOf(n *yaml.Node, keys []string) int {
	line := 1
	for _, k := range keys {
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line, next = n.Content[i].Line, n.Content[i+1]
				}
			}
			if next == nil {
				return line
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		default:
			return line
		}
	}
	return line
}
