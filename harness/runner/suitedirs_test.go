package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/matrix"
	"github.com/imagegate/imagegate/harness/run"
)

// extSuite writes an external suite folder named name with one check.
func extSuite(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "checks"), 0o755)
	os.WriteFile(filepath.Join(dir, "suite.yaml"), []byte("name: "+name+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "checks", "10-a.sh"), []byte("#!/bin/sh\n"), 0o755)
	return dir
}

func TestSuiteDirsAreCheckedBeforeAnythingBoots(t *testing.T) {
	dir, _, entry := fakeImage(t)
	bad := extSuite(t, "x")
	os.WriteFile(filepath.Join(bad, "suite.yaml"), []byte("name: x\ntimeout: soon\n"), 0o644)
	cases := map[string]struct {
		opts Options
		want string
	}{
		"bad manifest":       {Options{SuiteDirs: []string{bad}}, bad + "/suite.yaml:2: timeout:"},
		"not a folder":       {Options{SuiteDirs: []string{filepath.Join(dir, "none")}}, "not a folder"},
		"compiled-in name":   {Options{SuiteDirs: []string{extSuite(t, "baseline")}}, `suite "baseline" is also compiled into imagegate`},
		"unknown --suite":    {Options{SuiteDirs: []string{extSuite(t, "sig-a")}, Suites: []string{"sig-b"}}, "from --suite-dir: sig-a"},
		"matrix suite_dirs:": {Options{Matrix: writeMatrix(t, entry+"    suite_dirs: ["+bad+"]\n")}, "d/x86_64: suite_dirs: " + bad},
	}
	for name, c := range cases {
		if c.opts.Matrix == "" {
			c.opts.Matrix = writeMatrix(t, entry)
		}
		c.opts.Self, c.opts.LibvirtURI, c.opts.KnownSuites = "/nonexistent/imagegate", fakeURI, []string{"baseline"}
		_, err := NewPlan(context.Background(), c.opts)
		if err == nil || !IsUsage(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v; want a usage error containing %q", name, err, c.want)
		}
	}
}

func TestSuiteDirsOfAnImage(t *testing.T) {
	a, b, a2 := extSuite(t, "sig-a"), extSuite(t, "sig-b"), extSuite(t, "sig-a")
	o := Options{SuiteDirs: []string{a}}
	ims := []matrix.Image{{Name: "d", Arch: "x86_64", SuiteDirs: []string{b, a}}, {Name: "e", Arch: "x86_64", SuiteDirs: []string{a2}}}
	ext, err := loadSuiteDirs(o, ims)
	if err != nil {
		t.Fatal(err)
	}
	p := &Plan{Opts: o, External: ext}
	dirs, err := p.suiteDirsOf(ims[0])
	if err != nil || len(dirs) != 2 || dirs[0].Name != "sig-a" || dirs[1].Name != "sig-b" || len(dirs[0].SHA256) != 64 {
		t.Errorf("--suite-dir, then the image's own, each once: %+v %v", dirs, err)
	}
	if _, err := p.suiteDirsOf(ims[1]); err == nil || !strings.Contains(err.Error(), `both hold a suite named "sig-a"`) {
		t.Errorf("two folders with one name: %v", err)
	}
	p.Opts.Matrix = "/m.yaml"
	if cmd := p.rerun(run.Target{Image: run.Image{Name: "d", Arch: "x86_64"}}); !strings.Contains(cmd, " --suite-dir '"+a+"'") {
		t.Errorf("the rerun command must load the same suite folders: %s", cmd)
	}
}
