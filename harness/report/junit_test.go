package report

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

const nasty = "ok \x1b[31mred\x1b[0m \x00\x01\x07 bell, bad utf8 \xff\xfe, non-char \uFFFE, cdata end ]]> <tag> & done"

func writeGinkgo(t *testing.T, dir string) string {
	t.Helper()
	fail := types.Failure{Message: "Expected\n    <string>: " + nasty, Location: types.CodeLocation{FileName: "baseline.go", LineNumber: 42}}
	rep := []types.Report{{SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed, RunTime: 41 * time.Second,
			ReportEntries: types.ReportEntries{{Name: "boot-to-ssh-seconds", Value: types.WrapEntryValue("41.0")}}},
		{LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{"baseline", "cloud-init"}, LeafNodeText: "finished", State: types.SpecStatePassed, RunTime: time.Second},
		{LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{"baseline", "ssh"}, LeafNodeText: "refuses passwords", State: types.SpecStateFailed, Failure: fail,
			CapturedGinkgoWriterOutput: "$ sshd -T\n" + nasty},
		{LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{"baseline", "x"}, LeafNodeText: "filtered", State: types.SpecStateSkipped},
		{LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{"baseline", "x"}, LeafNodeText: "skipped on purpose", State: types.SpecStateSkipped, Failure: types.Failure{Message: "not on this arch"}},
		{LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{"baseline", "x"}, LeafNodeText: "interrupted", State: types.SpecStateInterrupted, Failure: types.Failure{Message: "interrupted by user"}},
		{LeafNodeType: types.NodeTypeCleanupAfterSuite, State: types.SpecStatePassed, RunTime: time.Second},
		{LeafNodeType: types.NodeTypeCleanupAfterSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "cleanup \"destroy machine\": boom"}},
		{LeafNodeType: types.NodeTypeCleanupAfterSuite, State: types.SpecStatePassed},
		{LeafNodeType: types.NodeTypeReportAfterSuite, State: types.SpecStatePassed},
	}}}
	b, _ := json.Marshal(rep)
	p := filepath.Join(dir, "ginkgo.json")
	os.WriteFile(p, b, 0o644)
	return p
}

func TestBuildAndValidate(t *testing.T) {
	dir := t.TempDir()
	consolePath := filepath.Join(dir, "console.log")
	os.WriteFile(consolePath, []byte("boot\r\n"+nasty+"\nlast console line\n"), 0o644)
	targets := []Target{
		{ID: "debian-12/x86_64", GinkgoJSON: writeGinkgo(t, dir), Console: consolePath, Duration: 90 * time.Second, Started: time.Now(),
			Attachments: []string{consolePath}, Reproduce: "imagegate run --image debian-12 --arch x86_64 --keep",
			Properties: [][2]string{{"image", "debian-12"}, {"arch", "x86_64"}, {"accel", "tcg"}, {"image.sha256", "abc"}}},
		{ID: "crashed/x86_64", Error: "child exited: signal: killed\n" + nasty, Console: filepath.Join(dir, "missing.log")},
		{ID: "never-started/x86_64"},
	}
	doc, err := Build(targets)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "junit.xml")
	if err := WriteFile(out, doc); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	s := string(data)

	// Structure: counts and names as Jenkins will read them.
	var parsed struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Cases    []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &parsed); err != nil {
		t.Fatalf("output is not well-formed XML: %v\n%s", err, s)
	}
	if len(parsed.Suites) != 3 {
		t.Fatalf("want 3 suites, got %d", len(parsed.Suites))
	}
	s0 := parsed.Suites[0]
	if s0.Name != "debian-12/x86_64" || s0.Tests != 6 || s0.Failures != 2 || s0.Errors != 1 {
		t.Errorf("suite 0 = %+v; want 6 tests (boot, finished, refuses, skipped, interrupted, one cleanup), 2 failures (refuses, cleanup), 1 error", s0)
	}
	if parsed.Suites[1].Errors != 1 || parsed.Suites[2].Errors != 1 {
		t.Errorf("crashed and empty targets must carry an error case: %+v", parsed.Suites[1:])
	}
	for _, want := range []string{`name="image.sha256" value="abc"`, `name="accel" value="tcg"`, "boot-to-ssh-seconds", "last console line", "ssh refuses passwords", "destroy machine",
		"[[ATTACHMENT|" + consolePath + "]]", "reproduce: imagegate run --image debian-12 --arch x86_64 --keep --focus 'ssh refuses passwords'"} {
		if !strings.Contains(s, want) {
			t.Errorf("junit.xml lacks %q", want)
		}
	}
	if strings.Contains(s, "filtered") {
		t.Error("a spec that never ran is reported")
	}
	validate(t, out)
}

// validate runs xmllint against the Jenkins xUnit schema from ../shared.
func validate(t *testing.T, path string) {
	t.Helper()
	schema, _ := filepath.Abs("../../../shared/schemas/junit-10.xsd")
	if _, err := os.Stat(schema); err != nil {
		t.Skipf("schema not found at %s", schema)
	}
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint missing in CI: install libxml2-utils (make host)")
		}
		t.Skip("xmllint not installed (apt-get install libxml2-utils)")
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", schema, path).CombinedOutput()
	if err != nil {
		t.Errorf("xmllint rejects %s: %v\n%s", path, err, out)
	}
}

func TestAtomicWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("old"), 0o644)
	if err := AtomicWrite(p, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("content %q", b)
	}
	if err := AtomicWrite(filepath.Join(dir, "nope", "f"), []byte("x")); err == nil {
		t.Error("write into a missing dir succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left: %v", entries)
	}
}
