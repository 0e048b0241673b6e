package main

// Judged against what users run today: the fixture is promoted, then a
// regressed release (fixtures/debian/variant.sh regression: one rule
// broken, one package changed) and a release identical to production are
// each run with --compare-to, production's image booted beside them.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type compareDoc struct {
	Production struct{ Version, SHA256 string }
	Checks     struct {
		NewFailures  []string `json:"new_failures"`
		StillFailing []string `json:"still_failing"`
		Fixed        []string
		Unchanged    int
	}
	Packages *struct {
		Added, Removed []struct{ Name string }
		Changed        []struct{ Name, Production, Candidate string }
	}
	Kernel    *struct{ Changed bool }
	CloudInit *struct{ Changed bool } `json:"cloud_init"`
	Timings   []struct{ Name string }
	Problems  []string
}

func TestE2ECompareWithProduction(t *testing.T) {
	if os.Getenv("IMAGEGATE_E2E_COMPARE") == "" {
		t.Skip("five boots: make compare runs it")
	}
	bin := e2eBinary(t)
	base := fixtureImage(t)
	regressed := filepath.Join(filepath.Dir(base), "debian-12-x86_64-regression.qcow2")
	if _, err := os.Stat(regressed); err != nil {
		t.Fatalf("the regression variant is missing (make variants builds it): %v", err)
	}
	dir := t.TempDir()
	testing_, production, reports, work := filepath.Join(dir, "testing"), filepath.Join(dir, "production"), filepath.Join(dir, "reports"), filepath.Join(dir, "work")
	os.MkdirAll(testing_, 0o755)
	os.MkdirAll(production, 0o755)
	policy := filepath.Join(dir, "policy.yaml")
	os.WriteFile(policy, []byte("version: 1\nimages:\n  - name: debian-12\n    arches: [x86_64]\n    tests: [\"baseline *\"]\n    judge: regressions\n"), 0o644)
	// candidate puts file in the testing repo as debian-12's image and
	// runs the quick baseline on it, compared with production.
	candidate := func(file string) (string, string, int) {
		t.Helper()
		dst := filepath.Join(testing_, "debian-12-x86_64.qcow2")
		copyFile(t, file, dst)
		os.WriteFile(dst+".SHA256SUMS", []byte(fileSHA(t, dst)+"  debian-12-x86_64.qcow2\n"), 0o644)
		matrix := filepath.Join(dir, "matrix.yaml")
		os.WriteFile(matrix, []byte("images:\n"+matrixEntry("debian-12", dst, dst+".SHA256SUMS")), 0o644)
		out, code := imagegate(t, bin, "run", "--matrix", matrix, "--suite", "baseline", "--label-filter", "!slow",
			"--compare-to", production, "--reports", reports, "--work-dir", work)
		id := runID(t, reports)
		assertNothingLeft(t, id, work)
		return out, filepath.Join(reports, id), code
	}

	// Nothing promoted yet: compared with nothing, the full rule; promoted.
	out, first, code := candidate(base)
	if code != 0 || !strings.Contains(out, "nothing promoted in "+production) {
		t.Fatalf("first run: exit %d, want 0 and 'nothing promoted'", code)
	}
	if _, code := imagegate(t, bin, "promote", "--from", testing_, "--to", production, "--image", "debian-12", "--policy", policy, "--reports", first); code != 0 {
		t.Fatalf("promote the fixture: exit %d", code)
	}

	// The regressed release: exactly its new failure blocks, and
	// compare.json names the package change.
	_, run, code := candidate(regressed)
	if code != 1 {
		t.Fatalf("regressed candidate: exit %d, want 1", code)
	}
	// The one breaking change (sshd accepts passwords) trips the two
	// checks that look at it (as the password-auth variant does).
	newFailures := []string{"baseline profile configures sshd as the profile says", "baseline ssh refuses password authentication"}
	c := readCompare(t, run)
	if strings.Join(c.Checks.NewFailures, "|") != strings.Join(newFailures, "|") || len(c.Checks.StillFailing)+len(c.Checks.Fixed) != 0 {
		t.Errorf("checks: %+v; want exactly the password checks as new failures", c.Checks)
	}
	if c.Packages == nil || c.Kernel == nil || c.CloudInit == nil || len(c.Problems) != 0 {
		t.Fatalf("compare.json: packages %+v kernel %+v cloud-init %+v; evidence missing: %v", c.Packages, c.Kernel, c.CloudInit, c.Problems)
	}
	if len(c.Packages.Changed) != 1 || c.Packages.Changed[0].Name != "netbase" || c.Packages.Changed[0].Candidate != c.Packages.Changed[0].Production+"+imagegate1" ||
		len(c.Packages.Added)+len(c.Packages.Removed) != 0 || c.Kernel.Changed || c.CloudInit.Changed {
		t.Errorf("compare.json: packages %+v kernel %+v cloud-init %+v; want netbase's version change only", c.Packages, c.Kernel, c.CloudInit)
	}
	out, code = imagegate(t, bin, "gate", "--policy", policy, "--reports", run, "--json")
	var res struct {
		Decisions []struct {
			Decision string
			Blocking []struct{ Kind, Test, Message string }
		}
	}
	json.Unmarshal([]byte(out), &res)
	var blocked []string
	for _, b := range res.Decisions[0].Blocking {
		if b.Kind == "failed" && strings.Contains(b.Message, "new failure against production") {
			blocked = append(blocked, "baseline "+b.Test)
		}
	}
	sort.Strings(blocked)
	if code != 1 || len(res.Decisions[0].Blocking) != 2 || strings.Join(blocked, "|") != strings.Join(newFailures, "|") {
		t.Errorf("gate under judge: regressions: exit %d, blocking %+v; want exactly the new failures", code, res.Decisions[0].Blocking)
	}
	if fates := caseFates(t, filepath.Join(run, "compare", "junit.xml"), "baseline"); fates["ssh refuses password authentication"] != "passed" {
		t.Errorf("production's own run (compare/junit.xml): %v", fates)
	}

	// A release identical to production: unchanged everywhere, promoted
	// (the same files: already there).
	_, same, code := candidate(base)
	c = readCompare(t, same)
	if code != 0 || len(c.Checks.NewFailures)+len(c.Checks.StillFailing)+len(c.Checks.Fixed) != 0 || c.Checks.Unchanged < 30 || c.Packages == nil ||
		len(c.Packages.Changed)+len(c.Packages.Added)+len(c.Packages.Removed) != 0 {
		t.Errorf("identical candidate: exit %d, compare %+v", code, c)
	}
	for _, cs := range readJUnit(t, filepath.Join(same, "junit.xml")).Suites[0].Cases {
		if strings.HasPrefix(cs.Classname, "debian-12/x86_64.baseline") && cs.Skipped == nil && !strings.Contains(cs.SystemOut, "imagegate: compare: unchanged") {
			t.Errorf("%q is not marked unchanged:\n%s", cs.Name, cs.SystemOut)
		}
	}
	if out, code := imagegate(t, bin, "promote", "--from", testing_, "--to", production, "--image", "debian-12", "--policy", policy, "--reports", same); code != 0 || !strings.Contains(out, "already promoted") {
		t.Errorf("promote of the identical candidate: exit %d, want 0 (already promoted)", code)
	}
}

func readCompare(t *testing.T, run string) compareDoc {
	t.Helper()
	var c compareDoc
	b, err := os.ReadFile(filepath.Join(run, "debian-12", "x86_64", "compare.json"))
	if err != nil || json.Unmarshal(b, &c) != nil {
		t.Fatalf("compare.json: %v\n%s", err, b)
	}
	return c
}
