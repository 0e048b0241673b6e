package guest

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/run"
)

// TestEvidenceStreamRoundTrip runs the stream's script in a local shell
// (as the guest's would) and reads its tar back: every item's bytes, and
// a failed item kept with why.
func TestEvidenceStreamRoundTrip(t *testing.T) {
	dir := t.TempDir()
	logFile := filepath.Join(dir, "var", "log", "x.log")
	os.MkdirAll(filepath.Dir(logFile), 0o755)
	os.WriteFile(logFile, []byte("from the file\n"), 0o644)
	link := filepath.Join(dir, "status.json") // as /run/cloud-init/status.json is
	os.Symlink(logFile, link)
	items := []item{
		{"a.log", "printf 'line one\\nline two\\n'", ""},
		{"bin.gz", "printf '\\037\\213\\000\\377'", ""},
		{"gone.json", "cat /nonexistent/result.json", ""},
		fileItem("x.log", logFile),
		fileItem("missing.json", filepath.Join(dir, "run", "missing.json")),
		fileItem("a-dir.log", dir),
		fileItem("linked.json", link),
	}
	got := runStream(t, items)
	if got["a.log"].body != "line one\nline two\n" || got["a.log"].failed {
		t.Errorf("a.log = %+v", got["a.log"])
	}
	if got["bin.gz"].body != "\x1f\x8b\x00\xff" {
		t.Errorf("binary item changed: %q", got["bin.gz"].body)
	}
	if g := got["gone.json"]; !g.failed || !strings.Contains(g.body, "No such file") || !strings.Contains(g.body, "exit status 1") {
		t.Errorf("failed item = %+v", g)
	}
	if g := got["x.log"]; g.failed || g.body != "from the file\n" {
		t.Errorf("file item = %+v", g)
	}
	if g := got["linked.json"]; g.failed || g.body != "from the file\n" {
		t.Errorf("symlinked file item = %+v; want the content of its target", g)
	}
	if g := got["missing.json"]; !g.failed || !strings.Contains(g.body, "No such file") {
		t.Errorf("missing file item = %+v; want failed with cat's error", g)
	}
	if g := got["a-dir.log"]; !g.failed || !strings.Contains(g.body, "Is a directory") {
		t.Errorf("directory as a file item = %+v; want failed", g)
	}
	if _, err := untarEvidence(strings.NewReader("not a tar"), items); err == nil {
		t.Error("a broken stream is read as evidence")
	}
	// A stream whose file item is said readable but is not in it (here: a
	// link stored as a link) is broken, never an empty file.
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "./x.log.rc", Mode: 0o644, Size: 2, Typeflag: tar.TypeReg})
	tw.Write([]byte("0\n"))
	tw.WriteHeader(&tar.Header{Name: memberName(logFile), Linkname: "/elsewhere", Typeflag: tar.TypeSymlink})
	tw.Close()
	if _, err := untarEvidence(&tb, []item{fileItem("x.log", logFile)}); err == nil || !strings.Contains(err.Error(), "lacks") {
		t.Errorf("a file item stored as a link: err = %v", err)
	}
}

func runStream(t *testing.T, items []item) map[string]fetched {
	t.Helper()
	cmd := exec.Command("sh", "-c", streamScript(items, t.TempDir()))
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("script: %v\n%s", err, stderr.String())
	}
	got, err := untarEvidence(&out, items)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// The kernel item, read by the shell, prints what `uname -r && cat
// /proc/cmdline` prints, byte for byte, in the stream and alone.
func TestEvidenceKernelItem(t *testing.T) {
	want, err := exec.Command("sh", "-c", "uname -r && cat /proc/cmdline").Output()
	if err != nil {
		t.Skipf("no uname or /proc here: %v", err)
	}
	var kernel item
	for _, it := range evidence {
		if it.file == run.KernelFile {
			kernel = it
		}
	}
	if got := runStream(t, []item{kernel})[run.KernelFile]; got.failed || got.body != string(want) {
		t.Errorf("kernel item = %+v; want %q", got, want)
	}
}

// The enabled units, globbed by the shell, are what find lists.
func TestEvidenceEnabledUnits(t *testing.T) {
	if _, err := os.Stat("/etc/systemd/system"); err != nil {
		t.Skip("no /etc/systemd/system here")
	}
	find := `find /etc/systemd/system -mindepth 2 -maxdepth 2 \( -path '*.wants/*' -o -path '*.requires/*' -o -path '*.upholds/*' \) ! -name '.*' | sed 's|.*/||' | sort -u`
	want, err := exec.Command("sh", "-c", find).Output()
	if err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command("sh", "-c", enabledUnits).Output()
	if err != nil || string(got) != string(want) {
		t.Errorf("enabled units = %q, %v; find lists %q", got, err, want)
	}
	if len(want) == 0 {
		t.Log("this host enables no units: the comparison is empty")
	}
}
