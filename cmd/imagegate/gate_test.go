package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
	"github.com/imagegate/imagegate/harness/promote"
)

// CLI tests of report merge, gate and promote: fake reports, no VMs.

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := realMain(args, &out, &errb)
	return code, out.String(), errb.String()
}

var (
	digestA = strings.Repeat("a", 64)
	digestB = strings.Repeat("b", 64)
)

func debTarget(arch, sha, runID string, cases ...jt.Case) jt.Target {
	return jt.Target{Image: "deb", Arch: arch, SHA256: sha, RunID: runID, Cases: append([]jt.Case{jt.Boot()}, cases...)}
}

func TestReportMergeCLI(t *testing.T) {
	root := t.TempDir()
	// An error (not judged) and a check not selected, then a re-run that
	// judges both: the merge takes the real results.
	jt.Write(t, filepath.Join(root, "runs", "20261122-100000-0001"), debTarget("x86_64", digestA, "20261122-100000-0001", jt.Err("baseline", "a"), jt.NotSel("baseline", "b")))
	jt.Write(t, filepath.Join(root, "runs", "20261122-110000-0002"), debTarget("x86_64", digestA, "20261122-110000-0002", jt.Pass("baseline", "a"), jt.Pass("baseline", "b")))
	jt.Write(t, filepath.Join(root, "shard2"), debTarget("aarch64", digestB, "20261122-100000-0003", jt.Pass("baseline", "a")))
	out := filepath.Join(root, "merged")
	code, stdout, stderr := runCLI("report", "merge", filepath.Join(root, "runs"), "--out", out, filepath.Join(root, "shard2"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "deb/x86_64") || !strings.Contains(stdout, "total: 2 target(s), 5 passed, 0 failed") {
		t.Errorf("summary:\n%s", stdout)
	}
	validateJUnit(t, filepath.Join(out, "junit.xml"))
	code, _, stderr = runCLI("gate", "--policy", writePolicy(t, "[x86_64, aarch64]"), "--reports", out)
	if code != 0 {
		t.Errorf("gate on the merged report: exit %d %s", code, stderr)
	}

	jt.Write(t, filepath.Join(root, "rebuilt"), debTarget("x86_64", digestB, "20261122-120000-0004"))
	conflict := filepath.Join(root, "conflict")
	code, _, stderr = runCLI("report", "merge", "--out", conflict, filepath.Join(root, "runs"), filepath.Join(root, "rebuilt"))
	if code != 2 || !strings.Contains(stderr, "refusing") || !strings.Contains(stderr, digestA) || !strings.Contains(stderr, digestB) {
		t.Errorf("digest conflict: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(conflict); !os.IsNotExist(err) {
		t.Error("a refused merge wrote output")
	}
	if code, _, _ := runCLI("report", "merge", "--out", conflict); code != 2 {
		t.Error("no input accepted")
	}
	if code, _, stderr := runCLI("report", "merge", "--out", conflict, filepath.Join(root, "nope")); code != 2 || !strings.Contains(stderr, "nope") {
		t.Errorf("missing input: %d %s", code, stderr)
	}
}

func writePolicy(t *testing.T, arches string) string {
	p := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(p, []byte("version: 1\nimages:\n  - name: deb\n    arches: "+arches+"\n    suites: [baseline]\n"), 0o644)
	return p
}

func TestGateCLIExitCodes(t *testing.T) {
	root := t.TempDir()
	green := jt.Write(t, filepath.Join(root, "green"), debTarget("x86_64", digestA, "r1", jt.Pass("baseline", "a")))
	red := jt.Write(t, filepath.Join(root, "red"), debTarget("x86_64", digestA, "r1", jt.Fail("baseline", "a")))
	errd := jt.Write(t, filepath.Join(root, "err"), debTarget("x86_64", digestA, "r1", jt.Err("baseline", "a")))
	pol := writePolicy(t, "[x86_64]")
	for _, c := range []struct {
		report string
		code   int
		want   string
	}{{green, 0, "deb: PROMOTE"}, {red, 1, "deb: REJECT"}, {errd, 2, "deb: INCONCLUSIVE"}} {
		code, stdout, _ := runCLI("gate", "--policy", pol, "--reports", filepath.Dir(c.report))
		if code != c.code || !strings.Contains(stdout, c.want) {
			t.Errorf("%s: exit %d\n%s", c.report, code, stdout)
		}
	}
	code, stdout, _ := runCLI("gate", "--policy", pol, "--reports", filepath.Join(root, "red"), "--json")
	var res struct {
		Decisions []struct {
			Decision string
			Blocking []struct{ Kind, Test, File string }
		}
		ExitCode int `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 1 || res.ExitCode != 1 ||
		res.Decisions[0].Decision != "reject" || res.Decisions[0].Blocking[0].Kind != "failed" || res.Decisions[0].Blocking[0].File != red {
		t.Errorf("json: %v %+v\n%s", err, res, stdout)
	}
	code, _, stderr := runCLI("gate", "--policy", writePolicy(t, "[x86_64]\n    colour: red"), "--reports", filepath.Join(root, "green"))
	if code != 2 || !strings.Contains(stderr, "policy.yaml:5:5: images[0].colour: unknown key") {
		t.Errorf("bad policy: %d %s", code, stderr)
	}
	os.MkdirAll(filepath.Join(root, "trunc"), 0o755)
	b, _ := os.ReadFile(green)
	os.WriteFile(filepath.Join(root, "trunc", "junit.xml"), b[:len(b)/2], 0o644)
	code, _, stderr = runCLI("gate", "--policy", pol, "--reports", filepath.Join(root, "trunc"))
	if code != 2 || !strings.Contains(stderr, filepath.Join(root, "trunc", "junit.xml")) {
		t.Errorf("truncated report: %d %s", code, stderr)
	}
	if code, _, _ := runCLI("gate", "--reports", root); code != 2 {
		t.Error("no policy accepted")
	}
}

func TestPromoteCLI(t *testing.T) {
	root := t.TempDir()
	testing, prod := filepath.Join(root, "testing"), filepath.Join(root, "prod")
	os.MkdirAll(testing, 0o755)
	os.MkdirAll(prod, 0o755)
	img := filepath.Join(testing, "deb-x86_64.qcow2")
	os.WriteFile(img, []byte("the tested image"), 0o644)
	sum := sha256.Sum256([]byte("the tested image"))
	tg := debTarget("x86_64", hex.EncodeToString(sum[:]), "r1", jt.Pass("baseline", "a"))
	tg.Path = img
	jt.Write(t, filepath.Join(root, "reports"), tg)
	args := []string{"promote", "--from", testing, "--to", prod, "--image", "deb", "--policy", writePolicy(t, "[x86_64]"),
		"--reports", filepath.Join(root, "reports"), "--version", "1.0"}
	code, stdout, stderr := runCLI(args...)
	if code != 0 || !strings.Contains(stdout, "promoted deb version 1.0") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(args...)
	if code != 0 || !strings.Contains(stdout, "already promoted: deb version 1.0") {
		t.Errorf("second run: %d\n%s", code, stdout)
	}
	if code, stdout, _ := runCLI("promote", "--verify", "--to", prod); code != 0 || !strings.Contains(stdout, "consistent: generation 1") {
		t.Errorf("verify: %d %s", code, stdout)
	}
	lock, err := promote.Acquire(t.Context(), prod, false)
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(append(args[:len(args)-1], "2.0")...)
	lock.Release()
	if code != 2 || !strings.Contains(stderr, "another promotion is running") {
		t.Errorf("locked: %d %s", code, stderr)
	}
	os.WriteFile(img, []byte("rebuilt"), 0o644)
	code, _, stderr = runCLI(append(args[:len(args)-1], "2.0")...)
	if code != 2 || !strings.Contains(stderr, "changed after testing") {
		t.Errorf("changed file: %d %s", code, stderr)
	}
	jt.Write(t, filepath.Join(root, "reports"), debTarget("x86_64", digestA, "r2", jt.Fail("baseline", "a")))
	code, _, stderr = runCLI(append(args[:len(args)-1], "2.0")...)
	if code != 1 || !strings.Contains(stderr, "deb: REJECT") {
		t.Errorf("rejected: %d %s", code, stderr)
	}
}

// validateJUnit checks a report against the Jenkins xUnit schema when
// xmllint and ../shared are there.
func validateJUnit(t *testing.T, path string) {
	t.Helper()
	schema, _ := filepath.Abs("../../../shared/schemas/junit-10.xsd")
	if _, err := os.Stat(schema); err != nil {
		t.Logf("schema %s not found; not validated", schema)
		return
	}
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Log("xmllint not installed; not validated")
		return
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", schema, path).CombinedOutput(); err != nil {
		t.Errorf("xmllint: %s does not validate: %v\n%s", path, err, out)
	}
}
