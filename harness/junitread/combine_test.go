package junitread_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/junitread"
	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
)

var (
	shaA = strings.Repeat("a", 64)
	shaB = strings.Repeat("b", 64)
	t0   = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
)

func read(t *testing.T, dirs ...string) []*junitread.Report {
	t.Helper()
	rs, err := junitread.ReadDirs(dirs...)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func statuses(tg junitread.Target) map[string]junitread.Status {
	m := map[string]junitread.Status{}
	for _, c := range tg.Cases {
		m[c.FullName()] = c.Status
	}
	return m
}

func TestCombineKeepsTheWorstRealResult(t *testing.T) {
	root := t.TempDir()
	first := jt.Target{Image: "deb", Arch: "x86_64", SHA256: shaA, RunID: "20261120-100000-0001", Started: t0,
		Cases: []jt.Case{jt.Boot(), jt.Fail("baseline", "ssh works"), jt.Pass("baseline", "dns works"), jt.Err("baseline", "disk grows"),
			jt.NotSel("baseline", "slow one"), jt.NotRun("baseline", "after boot")}}
	second := jt.Target{Image: "deb", Arch: "x86_64", SHA256: shaA, RunID: "20261120-110000-0002", Started: t0.Add(time.Hour),
		Cases: []jt.Case{jt.Boot(), jt.Pass("baseline", "ssh works"), jt.NotSel("baseline", "dns works"), jt.Pass("baseline", "disk grows"),
			jt.Pass("baseline", "slow one"), jt.NotApp("baseline", "after boot"), jt.Pass("extra", "new check")}}
	other := jt.Target{Image: "deb", Arch: "aarch64", SHA256: shaB, RunID: "20261120-100000-0001", Cases: []jt.Case{jt.Boot()}}
	// The later run is given first: order follows run ids, not arguments.
	jt.Write(t, filepath.Join(root, "b"), second)
	jt.Write(t, filepath.Join(root, "a"), first, other)
	c := junitread.Combine(read(t, filepath.Join(root, "b"), filepath.Join(root, "a")))
	if len(c.Conflicts) != 0 || len(c.Targets) != 2 {
		t.Fatalf("combined: %+v", c)
	}
	tg, _ := c.Target("deb/x86_64")
	got := statuses(tg)
	want := map[string]junitread.Status{
		"boot: the guest starts and accepts SSH with a verified host key": junitread.Passed,
		"baseline ssh works":  junitread.Failed, // a later pass does not erase a failure
		"baseline dns works":  junitread.Passed, // not selected never replaces a result
		"baseline disk grows": junitread.Passed, // a real result replaces an error
		"baseline slow one":   junitread.Passed, // a re-run fills in what was not selected
		"baseline after boot": junitread.NotApplicable,
		"extra new check":     junitread.Passed,
	}
	if len(got) != len(want) {
		t.Errorf("cases: %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	if tg.RunID != second.RunID || strings.Join(tg.Runs, ",") != first.RunID+","+second.RunID {
		t.Errorf("runs: %s %v", tg.RunID, tg.Runs)
	}
	if tg.Catalogue == "" {
		t.Error("the merged target lost its catalogue")
	}
	// Written and read back, the merged catalogue still checks out.
	out := filepath.Join(t.TempDir(), "merged")
	if err := junitread.WriteDir(out, c.Targets); err != nil {
		t.Fatal(err)
	}
	if _, err := junitread.ReadFile(filepath.Join(out, "junit.xml")); err != nil {
		t.Errorf("merged report does not read back: %v", err)
	}
}

func TestCombineDropsEarlierRunError(t *testing.T) {
	root := t.TempDir()
	crashed := jt.Target{Image: "deb", Arch: "x86_64", SHA256: shaA, RunID: "20261120-100000-0001", Cases: []jt.Case{jt.Err("", "run")}}
	rerun := jt.Target{Image: "deb", Arch: "x86_64", SHA256: shaA, RunID: "20261120-110000-0002", Cases: []jt.Case{jt.Boot(), jt.Pass("baseline", "ok")}}
	jt.Write(t, filepath.Join(root, "1"), crashed)
	jt.Write(t, filepath.Join(root, "2"), rerun)
	c := junitread.Combine(read(t, root))
	tg, _ := c.Target("deb/x86_64")
	if n := tg.Counts(); n.Errors != 0 || n.Passed != 2 {
		t.Errorf("the earlier run's error should be superseded: %v", n)
	}
	// Only one run: its error stays.
	c = junitread.Combine(read(t, filepath.Join(root, "1")))
	if tg, _ := c.Target("deb/x86_64"); tg.Counts().Errors != 1 {
		t.Error("the only run's error was dropped")
	}
}

func TestCombineDigestConflict(t *testing.T) {
	root := t.TempDir()
	jt.Write(t, filepath.Join(root, "1"), jt.Target{Image: "deb", Arch: "x86_64", SHA256: shaA, RunID: "1", Cases: []jt.Case{jt.Boot()}},
		jt.Target{Image: "deb", Arch: "aarch64", SHA256: shaB, RunID: "1", Cases: []jt.Case{jt.Boot()}})
	jt.Write(t, filepath.Join(root, "2"), jt.Target{Image: "deb", Arch: "x86_64", SHA256: shaB, RunID: "2", Cases: []jt.Case{jt.Boot()}})
	c := junitread.Combine(read(t, root))
	if len(c.Conflicts) != 1 || c.Conflicts[0].Target != "deb/x86_64" {
		t.Fatalf("conflicts: %+v", c.Conflicts)
	}
	msg := c.Conflicts[0].Error()
	for _, want := range []string{shaA, shaB, filepath.Join(root, "1", "junit.xml"), filepath.Join(root, "2", "junit.xml")} {
		if !strings.Contains(msg, want) {
			t.Errorf("conflict message lacks %q: %s", want, msg)
		}
	}
	if _, ok := c.Target("deb/x86_64"); ok {
		t.Error("a conflicting target kept results")
	}
	if _, ok := c.Target("deb/aarch64"); !ok {
		t.Error("the other arch was lost")
	}
}

func TestWriteDirRoundTripsAndValidates(t *testing.T) {
	root := t.TempDir()
	jt.Write(t, filepath.Join(root, "1"), jt.Target{Image: "deb", Arch: "x86_64", SHA256: shaA, RunID: "20261120-100000-0001", Started: t0,
		Cases: []jt.Case{jt.Boot(), jt.Fail("baseline", "a <b> & ]]> c"), jt.Skip("baseline", "s"), jt.Err("baseline", "e"), jt.NotSel("baseline", "n")}})
	jt.Write(t, filepath.Join(root, "2"), jt.Target{Image: "deb", Arch: "x86_64", SHA256: shaA, RunID: "20261120-110000-0002", Started: t0,
		Cases: []jt.Case{jt.Pass("other", "x")}})
	c := junitread.Combine(read(t, root))
	out := filepath.Join(t.TempDir(), "merged")
	if err := junitread.WriteDir(out, c.Targets); err != nil {
		t.Fatal(err)
	}
	validate(t, filepath.Join(out, "junit.xml"))
	again := junitread.Combine(read(t, out))
	tg, _ := again.Target("deb/x86_64")
	if n := tg.Counts(); n != (junitread.Counts{Passed: 2, Failed: 1, Errors: 1, Skipped: 1, NotSelected: 1}) {
		t.Errorf("round trip counts %v", n)
	}
	if strings.Join(tg.Runs, ",") != "20261120-100000-0001,20261120-110000-0002" {
		t.Errorf("runs after a round trip: %v", tg.Runs)
	}
	for _, f := range []string{"summary.json", "summary.txt"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

func validate(t *testing.T, path string) {
	t.Helper()
	schema, _ := filepath.Abs("../../../shared/schemas/junit-10.xsd")
	if _, err := os.Stat(schema); err != nil {
		t.Skipf("schema not found at %s", schema)
	}
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not installed (apt-get install libxml2-utils)")
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", schema, path).CombinedOutput(); err != nil {
		t.Errorf("xmllint rejects %s: %v\n%s", path, err, out)
	}
}
