package main

// The promotion scenario end to end: a good candidate and a non-conforming
// variant are tested for real, the gate decides, promote copies only the
// good one, and refuses a file that changed after testing.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/promote/promotetest"
)

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatalf("%v (make variants builds the variants)", err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// tree hashes every file under dir: the production repo's whole state.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if info.Mode()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			lines = append(lines, rel+" -> "+target)
			return nil
		}
		b, _ := os.ReadFile(p)
		sum := sha256.Sum256(b)
		lines = append(lines, rel+" "+hex.EncodeToString(sum[:]))
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	t.Fatalf("command did not run: %v", err)
	return -1
}

func imagegate(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	t.Logf("imagegate %s\n%s", strings.Join(args, " "), out)
	return string(out), exitCode(t, err)
}

func TestE2EGateAndPromote(t *testing.T) {
	bin := e2eBinary(t)
	good := fixtureImage(t)
	fixtures := filepath.Dir(good)
	testing_, production, reports, work := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	for _, f := range []string{"debian-12-x86_64.qcow2", "debian-12-x86_64-password-auth.qcow2"} {
		copyFile(t, filepath.Join(fixtures, f), filepath.Join(testing_, f))
		copyFile(t, filepath.Join(fixtures, f+".SHA256SUMS"), filepath.Join(testing_, f+".SHA256SUMS"))
	}
	// The pipeline's own matrix, outside the repo and without profile:
	// the built-in Debian profile applies, every profile check runs.
	matrix := filepath.Join(t.TempDir(), "matrix.yaml")
	entry := func(name, file string) string {
		return matrixEntry(name, filepath.Join(testing_, file), filepath.Join(testing_, file+".SHA256SUMS"))
	}
	os.WriteFile(matrix, []byte("images:\n"+entry("debian-12", "debian-12-x86_64.qcow2")+entry("debian-12-password-auth", "debian-12-x86_64-password-auth.qcow2")), 0o644)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(policy, []byte("version: 1\nimages:\n  - name: \"debian-12*\"\n    arches: [x86_64]\n    suites: [baseline]\n"), 0o644)

	// Test both candidates without the slow checks; the variant fails, so
	// the run exits 1.
	if _, code := imagegate(t, bin, "run", "--matrix", matrix, "--suite", "baseline", "--label-filter", "!slow",
		"--reports", reports, "--work-dir", work); code != 1 {
		t.Fatalf("run over a good and a bad candidate: exit %d, want 1", code)
	}
	quick, _ := os.Readlink(filepath.Join(reports, "latest"))
	quick = filepath.Join(reports, quick)
	d := readJUnit(t, filepath.Join(quick, "junit.xml"))
	profileChecks := 0
	for _, c := range d.Suites[0].Cases {
		if strings.HasPrefix(c.Name, "profile ") {
			if c.Failure != nil || c.Error != nil || c.Skipped != nil {
				t.Errorf("%s: profile check %q did not pass", d.Suites[0].Name, c.Name)
			}
			profileChecks++
		}
	}
	if profileChecks != 9 {
		t.Errorf("%d profile checks ran with the matrix outside the repo; want all 9", profileChecks)
	}

	// Without the slow checks the good image is not promoted: the gate is
	// inconclusive and names what did not run.
	out, code := imagegate(t, bin, "gate", "--policy", policy, "--reports", quick, "--image", "debian-12")
	if code != 2 || !strings.Contains(out, "not selected") || !strings.Contains(out, "first boot gives two instances") ||
		!strings.Contains(out, "reboot comes back") || !strings.Contains(out, "--label-filter '!slow'") {
		t.Fatalf("gate on a '!slow' run: exit %d, want 2 (inconclusive) naming the checks not selected", code)
	}
	// The failing candidate is rejected even so: a failure is an answer.
	out, code = imagegate(t, bin, "gate", "--policy", policy, "--reports", quick, "--image", "debian-12-password-auth")
	if code != 1 || !strings.Contains(out, "password") {
		t.Fatalf("gate of the password-auth variant: exit %d, want 1 (reject) naming the password check", code)
	}
	// The failed case's reproduce: line, run as written, fails it again.
	t.Run("reproducer", func(t *testing.T) { reproduceFailure(t, bin, quick) })
	promote := func(image string, runs ...string) (string, int) {
		args := []string{"promote", "--from", testing_, "--to", production, "--image", image, "--policy", policy}
		for i, r := range runs {
			if strings.HasPrefix(r, "--") { // flags after the runs
				args = append(args, runs[i:]...)
				break
			}
			args = append(args, "--reports", r)
		}
		return imagegate(t, bin, args...)
	}
	before := tree(t, production)
	if _, code := promote("debian-12", quick); code != 2 || tree(t, production) != before {
		t.Fatalf("promote on a '!slow' run: exit %d, want 2 and production unchanged", code)
	}

	// Run the slow checks too: with both runs every check of the suite has
	// run, and the gate promotes.
	if _, code := imagegate(t, bin, "run", "--matrix", matrix, "--image", "debian-12", "--suite", "baseline", "--label-filter", "slow",
		"--reports", reports, "--work-dir", work); code != 0 {
		t.Fatalf("run of the slow checks: exit %d, want 0", code)
	}
	slow, _ := os.Readlink(filepath.Join(reports, "latest"))
	slow = filepath.Join(reports, slow)
	if out, code := imagegate(t, bin, "gate", "--policy", policy, "--reports", quick, "--reports", slow, "--image", "debian-12"); code != 0 {
		t.Fatalf("gate on the '!slow' and 'slow' runs together: exit %d, want 0 (promote)\n%s", code, out)
	}
	run := quick
	promoteBoth := func(image string) (string, int) { return promote(image, quick, slow) }
	// A candidate whose file changed after testing is refused.
	cand := filepath.Join(testing_, "debian-12-x86_64.qcow2")
	st, _ := os.Stat(cand)
	f, _ := os.OpenFile(cand, os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte("tampered"))
	f.Close()
	before = tree(t, production)
	if out, code := promoteBoth("debian-12"); code != 2 || !strings.Contains(strings.ToLower(out), "sha256") {
		t.Errorf("promote of a changed file: exit %d, want 2 naming the digest", code)
	}
	if tree(t, production) != before {
		t.Error("a refused promotion changed the production repo")
	}
	os.Truncate(cand, st.Size())

	// The good candidate is promoted, signed; the repo verifies as a
	// reader would, signature and package manifest included.
	uid, keyring := promotetest.SigningKey(t)
	if _, code := promote("debian-12", quick, slow, "--sign-key", uid); code != 0 {
		t.Fatalf("promote debian-12: exit %d", code)
	}
	checkSignedRepo(t, bin, production, keyring)
	idx, err := os.ReadFile(filepath.Join(production, "index.json"))
	sum := fileSHA(t, cand)
	if err != nil || !strings.Contains(string(idx), sum) || !strings.Contains(string(idx), "x86_64") {
		t.Errorf("index.json lacks the promoted image (sha256 %s): %v\n%s", sum, err, idx)
	}
	sums, _ := os.ReadFile(filepath.Join(production, "SHA256SUMS"))
	if !strings.Contains(string(sums), sum) {
		t.Errorf("SHA256SUMS lacks %s:\n%s", sum, sums)
	}

	// The failing candidate is rejected and production stays as it was.
	before = tree(t, production)
	if _, code := promote("debian-12-password-auth", run, "--sign-key", uid); code != 1 {
		t.Errorf("promote of the rejected variant: exit %d, want 1", code)
	}
	if tree(t, production) != before {
		t.Error("a rejected promotion changed the production repo")
	}
	assertNothingLeft(t, runID(t, reports), work)
}

// checkSignedRepo: promote --verify checks the signature of SHA256SUMS
// and every file, the package manifest is beside the image with the
// guest's packages; a tampered manifest or signature exits 1 and changes
// nothing.
func checkSignedRepo(t *testing.T, bin, production, keyring string) {
	t.Helper()
	if out, code := imagegate(t, bin, "promote", "--verify", "--to", production, "--keyring", keyring); code != 0 || !strings.Contains(out, "signature good") {
		t.Fatalf("promote --verify --keyring: exit %d", code)
	}
	if _, code := imagegate(t, bin, "promote", "--verify", "--to", production); code != 2 {
		t.Errorf("promote --verify of a signed repo without --keyring: exit %d, want 2", code)
	}
	var idx struct {
		Products map[string]struct {
			Versions map[string]struct {
				Items map[string]struct {
					Manifest   struct{ Path string }
					Provenance struct {
						ImagegateVersion string `json:"imagegate_version"`
						Reports          []struct{ SHA256 string }
					}
				}
			}
		}
	}
	b, _ := os.ReadFile(filepath.Join(production, "index.json"))
	json.Unmarshal(b, &idx)
	for _, v := range idx.Products["debian-12"].Versions {
		it := v.Items["x86_64"]
		manifest := filepath.Join(production, it.Manifest.Path)
		m, err := os.ReadFile(manifest)
		if err != nil || !regexp.MustCompile(`(?m)^openssh-server\t1:9\.2p1-\S+\tamd64$`).Match(m) ||
			it.Provenance.ImagegateVersion == "" || len(it.Provenance.Reports) != 2 {
			t.Errorf("item: manifest %s (%v) lacks openssh-server, or provenance %+v", manifest, err, it.Provenance)
		}
		for _, bad := range []string{manifest, filepath.Join(production, "SHA256SUMS.gpg")} {
			orig, _ := os.ReadFile(bad)
			os.WriteFile(bad, append(append([]byte(nil), orig[:len(orig)-1]...), orig[len(orig)-1]^0x01), 0o644)
			before := tree(t, production)
			if _, code := imagegate(t, bin, "promote", "--verify", "--to", production, "--keyring", keyring); code != 1 || tree(t, production) != before {
				t.Errorf("promote --verify with %s tampered: exit %d, want 1 and nothing changed", filepath.Base(bad), code)
			}
			os.WriteFile(bad, orig, 0o644)
		}
	}
}
