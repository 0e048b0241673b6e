package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/matrix"
)

func TestExitCode(t *testing.T) {
	pass := Result{Verdict: Passed}
	fail := Result{Verdict: Failed}
	infra := Result{Verdict: Error, Why: "libvirtd went away"}
	cases := []struct {
		rs   []Result
		want int
	}{
		{[]Result{pass, pass}, ExitPassed},
		{[]Result{pass, fail}, ExitFailed},
		{[]Result{fail, infra}, ExitError},
		{[]Result{infra, pass}, ExitError},
	}
	for i, c := range cases {
		if got := (Summary{Results: c.rs}).ExitCode(); got != c.want {
			t.Errorf("case %d: exit %d, want %d", i, got, c.want)
		}
	}
}

func writeMatrix(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "matrix.yaml")
	os.WriteFile(p, []byte(body), 0o644)
	return p
}

// fakeImage writes a file that looks like a qcow2 image to qemu-img's
// first glance, and a matrix with it as image d on x86_64.
func fakeImage(t *testing.T) (dir, img, matrix string) {
	t.Helper()
	dir = t.TempDir()
	img = filepath.Join(dir, "img.qcow2")
	os.WriteFile(img, []byte("QFI\xfbxxxx"), 0o644)
	return dir, img, "images:\n  - name: d\n    path: " + img + "\n    format: qcow2\n    arch: x86_64\n    family: debian\n"
}

func TestNewPlanRejectsBadInputAsUsage(t *testing.T) {
	dir, img, entry := fakeImage(t)
	cases := map[string]struct {
		opts Options
		want string
	}{
		"no matrix":             {Options{Matrix: filepath.Join(dir, "none.yaml")}, "--matrix"},
		"missing image":         {Options{Matrix: writeMatrix(t, strings.Replace(entry, img, dir+"/gone.qcow2", 1))}, "does not exist"},
		"raw as qcow2":          {Options{Matrix: writeMatrix(t, strings.Replace(entry, "format: qcow2", "format: raw", 1))}, "matrix says raw"},
		"bad arch flag":         {Options{Matrix: writeMatrix(t, entry), Arches: []string{"vax"}}, "vax"},
		"bad suite":             {Options{Matrix: writeMatrix(t, entry), Suites: []string{"nosuch"}}, "nosuch"},
		"no profile":            {Options{Matrix: writeMatrix(t, strings.Replace(entry, "family: debian", "family: gentoo", 1))}, "no profile for family gentoo"},
		"ssh port, two targets": {Options{Matrix: writeMatrix(t, entry+"  - name: e\n    path: "+img+"\n    format: qcow2\n    arch: x86_64\n    family: debian\n"), SSHPort: 2222}, "--ssh-port 2222"},
		"bad checksum": {Options{Matrix: writeMatrix(t, entry+"    checksums: "+writeSums(t, dir)+"\n")},
			"changed or is corrupt"},
	}
	for name, c := range cases {
		c.opts.Self = "/nonexistent/imagegate" // never reached: each input fails first
		c.opts.LibvirtURI = fakeURI
		_, err := NewPlan(context.Background(), c.opts)
		if err == nil || !IsUsage(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v; want a usage error containing %q", name, err, c.want)
		}
	}
}

func writeSums(t *testing.T, dir string) string {
	p := filepath.Join(dir, "SHA256SUMS")
	os.WriteFile(p, []byte(strings.Repeat("0", 64)+"  img.qcow2\n"), 0o644)
	return p
}

func TestSelectionSaysWhatWasFiltered(t *testing.T) {
	im := matrix.Image{Name: "d", Suites: []string{"baseline"}}
	if got := selection(Options{}, matrix.Image{Name: "d"}); got != "" {
		t.Errorf("full run: %q", got)
	}
	if got := selection(Options{LabelFilter: "!slow", Focus: []string{"it's"}}, im); got != `the matrix limits d to suites baseline --label-filter '!slow' --focus 'it'\''s'` {
		t.Errorf("selection %q", got)
	}
	if got := selection(Options{Suites: []string{"x"}}, im); got != "--suite x" {
		t.Errorf("--suite wins over the matrix: %q", got)
	}
}

func TestProfileResolution(t *testing.T) {
	dir := t.TempDir()
	own := filepath.Join(dir, "mine.yaml")
	os.WriteFile(own, []byte("family: debian\nsecurity:\n  mode: none\n"), 0o644)
	other := filepath.Join(dir, "fedora.yaml")
	os.WriteFile(other, []byte("family: fedora\n"), 0o644)
	p := &Plan{}
	if _, src, err := p.profile(matrix.Image{Name: "d", Arch: "x86_64", Family: "debian"}); err != nil || src != "built-in profile debian" {
		t.Errorf("built in: %q %v", src, err)
	}
	if _, src, err := p.profile(matrix.Image{Name: "d", Arch: "x86_64", Family: "debian", Profile: own}); err != nil || src != own {
		t.Errorf("matrix profile: %q %v", src, err)
	}
	_, _, err := p.profile(matrix.Image{Name: "f", Arch: "x86_64", Family: "fedora"})
	if err == nil || !strings.Contains(err.Error(), "no profile for family fedora") || !strings.Contains(err.Error(), "--profile") {
		t.Errorf("a family without a profile: %v", err)
	}
	p.Opts.Profile = other
	if _, _, err := p.profile(matrix.Image{Name: "d", Arch: "x86_64", Family: "debian", Profile: own}); err == nil || !strings.Contains(err.Error(), "for family fedora, not debian") {
		t.Errorf("--profile of another family: %v", err)
	}
}

// A relative --work-dir used to reach qemu-img as a relative backing file,
// which it resolves against the overlay's folder: the boot failed.
func TestPathsBecomeAbsolute(t *testing.T) {
	o := withDefaults(Options{Matrix: "m.yaml", WorkRoot: "work"})
	if !filepath.IsAbs(o.WorkRoot) || !filepath.IsAbs(o.Matrix) {
		t.Errorf("work root %q, matrix %q: want absolute paths", o.WorkRoot, o.Matrix)
	}
}
