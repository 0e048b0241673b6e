package main

// Flaky or broken: a check that fails once and passes when run again
// alone on a fresh guest (testdata/order-flaky: a check polluted by the
// one before it) is reported flaky with --rerun-failed 1, and the policy
// decides what that means for promotion.

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestE2EFlakyRerun(t *testing.T) {
	if os.Getenv("IMAGEGATE_E2E_COMPARE") == "" {
		t.Skip("make compare runs it (with --compare-to's e2e)")
	}
	bin := e2eBinary(t)
	image := fixtureImage(t)
	dir := t.TempDir()
	matrix := filepath.Join(dir, "matrix.yaml")
	os.WriteFile(matrix, []byte("images:\n"+matrixEntry("debian-12", image, image+".SHA256SUMS")), 0o644)
	reports, work := filepath.Join(dir, "reports"), filepath.Join(dir, "work")
	out, code := imagegate(t, bin, "run", "--matrix", matrix, "--suite-dir", "testdata/order-flaky", "--suite", "order-flaky",
		"--rerun-failed", "1", "--reports", reports, "--work-dir", work)
	if code != 0 || !strings.Contains(out, "rerunning 1 failed check(s) on a fresh guest (1 of 1)") || !strings.Contains(out, "1 flaky check(s)") {
		t.Fatalf("run --rerun-failed 1: exit %d, want 0 with the rerun and the flaky check said", code)
	}
	id := runID(t, reports)
	assertNothingLeft(t, id, work)
	tdir := filepath.Join(reports, id, "debian-12", "x86_64")
	checkFlakyReport(t, filepath.Join(reports, id, "junit.xml"), tdir)

	policy := func(extra string) string {
		p := filepath.Join(dir, "policy.yaml")
		os.WriteFile(p, []byte("version: 1\nimages:\n  - name: debian-12\n    arches: [x86_64]\n    suites: [order-flaky]\n"+extra), 0o644)
		return p
	}
	quarantine := func(expires string) string {
		return "    quarantine:\n      - test: \"order-flaky trips over the mark\"\n        tracker: https://bugs.example.org/42\n        expires: " + expires + "\n"
	}
	for _, c := range []struct {
		name, extra string
		exit        int
		want        string
	}{
		{"flaky: block (the default) rejects", "", 1, `flaky: "order-flaky trips over the mark" was flaky`},
		{"flaky: allow promotes", "    flaky: allow\n", 0, "flaky-allowed"},
		{"a valid quarantine promotes", quarantine("2099-12-31"), 0, "quarantined until 2099-12-31 (https://bugs.example.org/42)"},
		{"an expired quarantine blocks, even with flaky: allow", "    flaky: allow\n" + quarantine("2026-01-01"), 1, "quarantine-expired"},
	} {
		out, code := imagegate(t, bin, "gate", "--policy", policy(c.extra), "--reports", filepath.Join(reports, id))
		if code != c.exit || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want %d and %q", c.name, code, c.exit, c.want)
		}
	}

	// Promoted under flaky: allow, the run enters the flake history.
	prod := filepath.Join(dir, "production")
	os.MkdirAll(prod, 0o755)
	if _, code := imagegate(t, bin, "promote", "--from", filepath.Dir(image), "--to", prod, "--image", "debian-12",
		"--policy", policy("    flaky: allow\n"), "--reports", filepath.Join(reports, id)); code != 0 {
		t.Fatalf("promote under flaky: allow: exit %d", code)
	}
	out, code = imagegate(t, bin, "flakes", "--repo", prod)
	if code != 0 || !regexp.MustCompile(`order-flaky trips over the mark +x86_64 +1 +0% +0% +100% +0%`).MatchString(out) ||
		!strings.Contains(out, "1 other check/arch pair(s) passed every time") {
		t.Errorf("flakes: exit %d, want the flaky check at 100%% flaky and the other one clean", code)
	}
}

// checkFlakyReport: the polluted check is a pass marked flaky (junit.xml
// system-out and property, target.json); the rerun booted its own guest
// from the first guest's seed and ran that check alone.
func checkFlakyReport(t *testing.T, junitPath, tdir string) {
	t.Helper()
	fates := caseFates(t, junitPath, "order-flaky")
	if fates["leaves a mark"] != "passed" || fates["trips over the mark"] != "passed" {
		t.Errorf("fates %v: want both passed (the second after a rerun)", fates)
	}
	s := readJUnit(t, junitPath).Suites[0]
	if got := s.prop("flaky"); got != "1: order-flaky trips over the mark" {
		t.Errorf("flaky property %q", got)
	}
	for _, c := range s.Cases {
		if c.Name == "trips over the mark" && (!strings.HasPrefix(c.SystemOut, "imagegate: flaky: failed, then passed on rerun 1") ||
			!strings.Contains(c.SystemOut, "first failure: ") || !strings.Contains(c.SystemOut, "left by 10-leaves-a-mark")) {
			t.Errorf("the flaky case's system-out must say so and carry the first failure:\n%s", c.SystemOut)
		}
	}
	var rec struct {
		Checks []struct {
			Name  string
			Fate  string
			Flaky bool
		}
	}
	b, _ := os.ReadFile(filepath.Join(tdir, "target.json"))
	json.Unmarshal(b, &rec)
	flaky := 0
	for _, c := range rec.Checks {
		if c.Flaky {
			flaky++
		}
	}
	if flaky != 1 {
		t.Errorf("target.json: %d flaky checks, want 1\n%s", flaky, b)
	}
	first, _ := os.ReadFile(filepath.Join(tdir, "meta-data"))
	again, _ := os.ReadFile(filepath.Join(tdir, "rerun-1", "meta-data"))
	if len(first) == 0 || !bytes.Equal(first, again) {
		t.Errorf("the rerun's meta-data must be the first guest's:\n%s\n---\n%s", first, again)
	}
	var res []struct{ Suite, Name, Fate string }
	b, _ = os.ReadFile(filepath.Join(tdir, "rerun-1", "results.json"))
	json.Unmarshal(b, &res)
	fate := map[string]string{}
	for _, r := range res {
		fate[r.Suite+" "+r.Name] = r.Fate
	}
	if fate["order-flaky trips over the mark"] != "passed" || fate["order-flaky leaves a mark"] == "passed" {
		t.Errorf("the rerun must run the failed check alone: %v", fate)
	}
	if st, err := os.Stat(filepath.Join(tdir, "rerun-1", "console.log")); err != nil || st.Size() == 0 {
		t.Errorf("the rerun's console: %v", err)
	}
}
