package junitread_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/junitread"
	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
)

func TestReadRealReport(t *testing.T) {
	r, err := junitread.ReadFile("testdata/real-junit.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Targets) != 1 {
		t.Fatalf("targets: %d", len(r.Targets))
	}
	tg := r.Targets[0]
	if tg.ID() != "debian-12/x86_64" || tg.RunID != "20261122-204358-fab7" || !strings.HasPrefix(tg.SHA256, "2536a916") {
		t.Errorf("identity: %s %s %s", tg.ID(), tg.RunID, tg.SHA256)
	}
	if tg.Started.IsZero() {
		t.Error("timestamp not parsed")
	}
	n := tg.Counts()
	if n.Passed != 13 || n.Failed+n.Errors+n.Skipped != 0 {
		t.Errorf("counts: %v", n)
	}
	harness, baseline := 0, 0
	for _, c := range tg.Cases {
		switch c.Suite {
		case "":
			harness++
		case "baseline":
			baseline++
		default:
			t.Errorf("unexpected suite %q", c.Suite)
		}
	}
	if harness != 2 || baseline != 11 {
		t.Errorf("harness %d, baseline %d", harness, baseline)
	}
	if got := tg.Cases[6].FullName(); got != "baseline ssh refuses password authentication" {
		t.Errorf("full name %q", got)
	}
}

// Every prefix of a report is an error naming the file: a crash while
// writing, or a copy cut short, never reads as fewer results.
func TestReadTruncated(t *testing.T) {
	data, err := os.ReadFile("testdata/real-junit.xml")
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimSpace(data)
	dir := t.TempDir()
	for cut := 0; cut < len(data); cut += 37 {
		checkBad(t, dir, "cut", data[:cut])
	}
	checkBad(t, dir, "cut-last", data[:len(data)-1])
}

func checkBad(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, name+".xml")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := junitread.ReadFile(p); err == nil {
		t.Errorf("%s (%d bytes): read without error", name, len(data))
	} else if !strings.Contains(err.Error(), p) {
		t.Errorf("%s: error does not name the file: %v", name, err)
	}
}

func TestReadMalformed(t *testing.T) {
	real, _ := os.ReadFile("testdata/real-junit.xml")
	s := string(real)
	sha := `value="2536a9168492a9e12b2196f0594c5b9e66feab21bb1e3f1784686d39c08195d1"`
	cases := map[string]struct{ data, want string }{
		"empty":        {"", "empty file"},
		"not xml":      {"hello", "EOF"},
		"no suites":    {`<testsuites name="x"></testsuites>`, "no <testsuite>"},
		"other root":   {`<testsuite name="a" tests="0" failures="0" errors="0"></testsuite>`, "expected element type <testsuites>"},
		"trailing":     {s + "<more/>", "content after"},
		"no digest":    {strings.Replace(s, `name="image.sha256"`, `name="image.sha"`, 1), "image.sha256"},
		"bad digest":   {strings.Replace(s, sha, `value="abc"`, 1), "not a sha256"},
		"no image":     {strings.Replace(s, `name="image" value="debian-12"`, `name="imag" value="debian-12"`, 1), "missing the image"},
		"name differs": {strings.Replace(s, `testsuite name="debian-12/x86_64"`, `testsuite name="debian-13/x86_64"`, 1), "properties say"},
		"classname":    {strings.Replace(s, `classname="debian-12/x86_64.baseline"`, `classname="other/x86_64.baseline"`, 1), "not debian-12/x86_64.<suite>"},
		"counts":       {strings.Replace(s, `tests="13" failures="0"`, `tests="12" failures="0"`, 1), "tests=12 but it holds 13"},
		"failures":     {strings.Replace(s, `failures="0" errors="0" id`, `failures="1" errors="0" id`, 1), "failures=1"},
		"dup digest":   {strings.Replace(s, `<property name="accel" value="tcg">`, `<property name="image.sha256" value="`+strings.Repeat("0", 64)+`">`, 1), "given twice"},
		"dup target":   {strings.Replace(s, "</testsuites>", s[strings.Index(s, "<testsuite "):strings.Index(s, "</testsuites>")]+"</testsuites>", 1), "appears twice"},
	}
	dir := t.TempDir()
	for name, c := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".xml")
		os.WriteFile(p, []byte(c.data), 0o644)
		_, err := junitread.ReadFile(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v; want one naming %s and saying %q", name, err, p, c.want)
		}
	}
}

func TestFiles(t *testing.T) {
	root := t.TempDir()
	real, _ := os.ReadFile("testdata/real-junit.xml")
	for _, run := range []string{"20261122-100000-aaaa", "20261121-100000-bbbb"} {
		os.MkdirAll(filepath.Join(root, run), 0o755)
		os.WriteFile(filepath.Join(root, run, "junit.xml"), real, 0o644)
	}
	os.Symlink("20261122-100000-aaaa", filepath.Join(root, "latest"))
	os.WriteFile(filepath.Join(root, "README.md"), []byte("x"), 0o644)
	files, err := junitread.Files(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || !strings.Contains(files[0], "20261121") {
		t.Errorf("files: %v (want the two runs, sorted, latest skipped)", files)
	}
	if files, _ := junitread.Files(filepath.Join(root, "latest")); len(files) != 1 {
		t.Errorf("a run folder given directly: %v", files)
	}
	os.MkdirAll(filepath.Join(root, "20261123-crashed"), 0o755)
	if _, err := junitread.Files(root); err == nil || !strings.Contains(err.Error(), "20261123-crashed/junit.xml") {
		t.Errorf("run folder without junit.xml: %v", err)
	}
	empty := t.TempDir()
	if _, err := junitread.ReadDirs(empty); err == nil || !strings.Contains(err.Error(), filepath.Join(empty, "junit.xml")) {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := junitread.ReadDirs(filepath.Join(root, "nope")); err == nil {
		t.Error("missing folder read")
	}
}

// A report that names its catalogue must list exactly its checks: one
// removed (counts fixed up to match) or one added is refused, naming the
// file.
func TestReadRejectsACutCatalogue(t *testing.T) {
	dir := t.TempDir()
	full := jt.Target{Image: "deb", Arch: "x86_64", SHA256: strings.Repeat("a", 64), RunID: "r1",
		Cases: []jt.Case{jt.Boot(), jt.Pass("baseline", "a"), jt.Fail("baseline", "b"), jt.NotSel("baseline", "c")}}
	path := jt.Write(t, dir, full)
	if _, err := junitread.ReadFile(path); err != nil {
		t.Fatalf("intact report: %v", err)
	}
	data, _ := os.ReadFile(path)
	// Cut the failed check and fix the counts, as someone hiding it would.
	cut := regexp.MustCompile(`(?s)<testcase name="b".*?</testcase>`).ReplaceAllString(string(data), "")
	cut = strings.ReplaceAll(strings.ReplaceAll(cut, `tests="4"`, `tests="3"`), `failures="1"`, `failures="0"`)
	os.WriteFile(path, []byte(cut), 0o644)
	if _, err := junitread.ReadFile(path); err == nil || !strings.Contains(err.Error(), "cut or edited") || !strings.Contains(err.Error(), path) {
		t.Errorf("cut report: %v", err)
	}
	// Without a catalogue the same report reads (and the gate says so).
	full.NoCatalogue = true
	jt.Write(t, dir, full)
	r, err := junitread.ReadFile(path)
	if err != nil || r.Targets[0].Catalogue != "" {
		t.Errorf("report without a catalogue: %+v, %v", r, err)
	}
}

func TestSkipKindsRead(t *testing.T) {
	dir := t.TempDir()
	path := jt.Write(t, dir, jt.Target{Image: "deb", Arch: "x86_64", SHA256: strings.Repeat("a", 64), RunID: "r1",
		Cases: []jt.Case{jt.NotSel("s", "a"), jt.NotApp("s", "b"), jt.NotRun("s", "c"), jt.Skip("s", "d")}})
	r, err := junitread.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := r.Targets[0].Counts()
	if n != (junitread.Counts{NotSelected: 1, NotApplicable: 1, NotRun: 1, Skipped: 1}) {
		t.Errorf("counts %+v", n)
	}
	if n.String() != "0 passed, 0 failed, 0 errors, 1 not applicable, 1 not selected, 1 not run, 1 skipped" {
		t.Errorf("String() = %q", n.String())
	}
}
