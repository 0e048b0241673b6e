package promote_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/gate"
	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
	"github.com/imagegate/imagegate/harness/promote"
)

const policy = `version: 1
images:
  - name: deb
    arches: [x86_64, aarch64]
    suites: [baseline]
`

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// fixture is a testing repo with one file per arch, reports that tested
// them, a policy and an empty production repo.
type fixture struct {
	dir, testing, prod, reports, policy string
	sums                                map[string]string
}

func newFixture(t *testing.T, size int) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{dir: dir, testing: filepath.Join(dir, "testing"), prod: filepath.Join(dir, "prod"),
		reports: filepath.Join(dir, "reports"), policy: filepath.Join(dir, "policy.yaml"), sums: map[string]string{}}
	os.MkdirAll(f.testing, 0o755)
	os.MkdirAll(f.prod, 0o755)
	os.WriteFile(f.policy, []byte(policy), 0o644)
	f.newImages(t, size, "20261122-100000-0001", jt.Pass("baseline", "ok"))
	return f
}

// newImages writes fresh random files and a report run that tested them.
func (f *fixture) newImages(t *testing.T, size int, runID string, c jt.Case) {
	t.Helper()
	var targets []jt.Target
	for _, arch := range []string{"x86_64", "aarch64"} {
		p := filepath.Join(f.testing, "deb-"+arch+".qcow2")
		data := make([]byte, size)
		rand.Read(data)
		os.WriteFile(p, data, 0o644)
		s := sha256.Sum256(data)
		f.sums[arch] = hex.EncodeToString(s[:])
		targets = append(targets, jt.Target{Image: "deb", Arch: arch, SHA256: f.sums[arch], RunID: runID, Path: p,
			Cases: []jt.Case{jt.Boot(), c}})
	}
	os.RemoveAll(f.reports)
	jt.Write(t, filepath.Join(f.reports, runID), targets...)
}

func (f *fixture) opts(version string) promote.Options {
	return promote.Options{From: f.testing, To: f.prod, Image: "deb", Version: version,
		Gate: gate.Options{Policy: f.policy, Reports: []string{f.reports}}, Now: func() time.Time { return now }}
}

func mustVerify(t *testing.T, root string) promote.Report {
	t.Helper()
	r, err := promote.Verify(context.Background(), root, "")
	if err != nil {
		t.Fatalf("repo inconsistent: %v", err)
	}
	return r
}

func TestPromoteCopiesIndexesAndChecksums(t *testing.T) {
	f := newFixture(t, 1<<20)
	var log bytes.Buffer
	o := f.opts("v1")
	o.Log = &log
	res, err := promote.Promote(context.Background(), o)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if res.Already || res.Version != "v1" || res.Generation != 1 || len(res.Items) != 2 {
		t.Fatalf("result %+v", res)
	}
	if r := mustVerify(t, f.prod); r.Generation != 1 || r.Items != 2 {
		t.Errorf("verify: %+v", r)
	}
	for _, arch := range []string{"x86_64", "aarch64"} {
		src, _ := os.ReadFile(filepath.Join(f.testing, "deb-"+arch+".qcow2"))
		dst, err := os.ReadFile(filepath.Join(f.prod, "images/deb/v1", arch, "deb-"+arch+".qcow2"))
		if err != nil || !bytes.Equal(src, dst) {
			t.Errorf("%s: copy differs: %v", arch, err)
		}
	}
	var idx promote.Index
	b, _ := os.ReadFile(filepath.Join(f.prod, "index.json"))
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	it := idx.Products["deb"].Versions["v1"].Items["aarch64"]
	if it.SHA256 != f.sums["aarch64"] || it.Size != 1<<20 || it.PromotedAt != "2026-11-22T12:00:00Z" ||
		it.Gate.Decision != "promote" || it.Gate.Counts.Passed != 2 || it.Gate.Runs[0] != "20261122-100000-0001" {
		t.Errorf("item %+v", it)
	}
	if g := idx.Products["deb"].Versions["v1"].Gate; g.PolicySHA256 == "" || !strings.Contains(g.Policy, "policy.yaml:3") {
		t.Errorf("version gate %+v", g)
	}
	for _, want := range []string{"gate: deb promote", "verify:", "lock:", "copy: x86_64", "commit: generation 1", "done:"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "--strict", "-c", "SHA256SUMS")
		cmd.Dir = f.prod
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, out)
		}
	}
}

func TestPromoteTwiceIsHarmless(t *testing.T) {
	f := newFixture(t, 4096)
	first, err := promote.Promote(context.Background(), f.opts(""))
	if err != nil {
		t.Fatal(err)
	}
	if first.Version != "20261122" {
		t.Errorf("default version %q", first.Version)
	}
	before, _ := os.ReadFile(filepath.Join(f.prod, "index.json"))
	for _, v := range []string{"", "20261122", "other"} {
		again, err := promote.Promote(context.Background(), f.opts(v))
		if err != nil || !again.Already || again.Version != "20261122" || again.Generation != 1 {
			t.Errorf("--version %q again: %+v, %v", v, again, err)
		}
	}
	after, _ := os.ReadFile(filepath.Join(f.prod, "index.json"))
	if !bytes.Equal(before, after) {
		t.Error("the index changed on a repeated promotion")
	}
	// New files on the same day get the next version.
	f.newImages(t, 4096, "20261122-110000-0002", jt.Pass("baseline", "ok"))
	next, err := promote.Promote(context.Background(), f.opts(""))
	if err != nil || next.Version != "20261122.1" || next.Generation != 2 {
		t.Errorf("next: %+v %v", next, err)
	}
	if r := mustVerify(t, f.prod); r.Items != 4 {
		t.Errorf("items %d", r.Items)
	}
}

func TestPromoteRefusesChangedFile(t *testing.T) {
	f := newFixture(t, 4096)
	p := filepath.Join(f.testing, "deb-aarch64.qcow2")
	os.WriteFile(p, []byte("rebuilt after testing"), 0o644)
	_, err := promote.Promote(context.Background(), f.opts("v1"))
	var ch promote.ChangedError
	if !errors.As(err, &ch) || ch.Arch != "aarch64" || !strings.Contains(err.Error(), "changed after testing") {
		t.Fatalf("error %v", err)
	}
	assertEmpty(t, f.prod)
}

func TestPromoteRefusesWithoutGreenGate(t *testing.T) {
	f := newFixture(t, 4096)
	f.newImages(t, 4096, "20261122-110000-0002", jt.Fail("baseline", "ok"))
	_, err := promote.Promote(context.Background(), f.opts("v1"))
	var ge promote.GateError
	if !errors.As(err, &ge) || ge.Decision.Verdict != gate.Reject {
		t.Fatalf("error %v", err)
	}
	os.RemoveAll(f.reports)
	os.MkdirAll(f.reports, 0o755)
	if _, err := promote.Promote(context.Background(), f.opts("v1")); err == nil || !strings.Contains(err.Error(), "junit.xml") {
		t.Fatalf("no reports: %v", err)
	}
	assertEmpty(t, f.prod)
}

func TestPromoteVersionsAreImmutable(t *testing.T) {
	f := newFixture(t, 4096)
	if _, err := promote.Promote(context.Background(), f.opts("v1")); err != nil {
		t.Fatal(err)
	}
	f.newImages(t, 4096, "20261122-110000-0002", jt.Pass("baseline", "ok"))
	_, err := promote.Promote(context.Background(), f.opts("v1"))
	var ce promote.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v", err)
	}
	mustVerify(t, f.prod)
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != promote.LockFile {
			t.Errorf("production repo touched: %s", e.Name())
		}
	}
}
