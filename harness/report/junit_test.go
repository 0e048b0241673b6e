package report

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/fault"
)

const nasty = "ok \x1b[31mred\x1b[0m \x00\x01\x07 bell, bad utf8 \xff\xfe, non-char \uFFFE, cdata end ]]> <tag> & done"

// fixture is a target as the orchestrator hands it over: a catalogue of
// five checks (one not selected) and the child's results, which ran three
// of the four selected ones before the suite was interrupted.
func fixture(dir string) Target {
	consolePath := filepath.Join(dir, "console.log")
	os.WriteFile(consolePath, []byte("boot\r\n"+nasty+"\nlast console line\n"), 0o644)
	specs := []catalogue.Spec{
		{Suite: "baseline", Name: "cloud-init finished", Selected: true},
		{Suite: "baseline", Name: "ssh refuses passwords", Selected: true},
		{Suite: "baseline", Name: "security mode", Selected: true},
		{Suite: "baseline", Name: "interrupted one", Selected: true},
		{Suite: "baseline", Name: "reboot", Selected: false, Labels: []string{"slow"}},
	}
	results := []catalogue.Result{
		{Name: catalogue.BootCase, Fate: catalogue.Passed, Seconds: 41, Entries: [][2]string{{"boot-to-ssh-seconds", "41.0"}}},
		{Suite: "baseline", Name: "cloud-init finished", Fate: catalogue.Passed, Seconds: 1},
		{Suite: "baseline", Name: "ssh refuses passwords", Fate: catalogue.Failed, Type: "failed",
			Message: "Expected\n    <string>: " + nasty, Detail: "Expected ... baseline.go:42", Output: "$ sshd -T\n" + nasty},
		{Suite: "baseline", Name: "security mode", Fate: catalogue.NotApplicable, Message: "the profile asks for no security mode"},
		{Name: catalogue.EvidenceCase, Fate: catalogue.Passed},
		{Name: catalogue.CleanupCase, Fate: catalogue.Error, Message: "cleanup \"destroy machine\": boom"},
	}
	return Target{ID: "debian-12/x86_64", Catalogue: specs, Results: results, Selection: "--label-filter '!slow'",
		Console: consolePath, Duration: 90 * time.Second, Started: time.Now(),
		Attachments: []string{consolePath}, Reproduce: "imagegate run --image debian-12 --arch x86_64 --keep",
		Properties: [][2]string{{"image", "debian-12"}, {"arch", "x86_64"}, {"accel", "tcg"}, {"image.sha256", "abc"}}}
}

type parsedCase struct {
	Name    string `xml:"name,attr"`
	Failure *struct {
		Message string `xml:"message,attr"`
	} `xml:"failure"`
	Error *struct {
		Message string `xml:"message,attr"`
	} `xml:"error"`
	Skipped *struct {
		Type    string `xml:"type,attr"`
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
}

func TestBuildAndValidate(t *testing.T) {
	dir := t.TempDir()
	specs := []catalogue.Spec{{Suite: "baseline", Name: "a", Selected: true}}
	crashed := Target{ID: "crashed/x86_64", Catalogue: specs, Error: "child exited: signal: killed\n" + nasty, Console: filepath.Join(dir, "missing.log")}
	died := Target{ID: "died/x86_64", Catalogue: specs, Results: []catalogue.Result{{Name: catalogue.BootCase, Fate: catalogue.Passed}},
		Fault: fault.New(fault.Host, fault.QEMUExited, "QEMU exited without the guest shutting down")}
	doc := Build([]Target{fixture(dir), crashed, {ID: "never-started/x86_64", Catalogue: specs}, died})
	out := filepath.Join(dir, "junit.xml")
	if err := WriteFile(out, doc); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	s := string(data)
	var parsed struct {
		Suites []struct {
			Name     string       `xml:"name,attr"`
			Tests    int          `xml:"tests,attr"`
			Failures int          `xml:"failures,attr"`
			Errors   int          `xml:"errors,attr"`
			Cases    []parsedCase `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &parsed); err != nil {
		t.Fatalf("output is not well-formed XML: %v\n%s", err, s)
	}
	if len(parsed.Suites) != 4 {
		t.Fatalf("want 4 suites, got %d", len(parsed.Suites))
	}
	s0 := parsed.Suites[0]
	if s0.Name != "debian-12/x86_64" || s0.Tests != 8 || s0.Failures != 1 || s0.Errors != 1 {
		t.Errorf("suite 0 = %d tests %d failures %d errors; want 8 (boot, evidence, cleanup, 5 checks), 1 failure, 1 error (cleanup)", s0.Tests, s0.Failures, s0.Errors)
	}
	kinds := map[string]string{}
	for _, c := range s0.Cases {
		if c.Skipped != nil {
			kinds[c.Name] = c.Skipped.Type + ": " + c.Skipped.Message
		}
	}
	for name, want := range map[string]string{
		"reboot":          "not-selected: not selected: --label-filter '!slow'",
		"security mode":   "not-applicable: not applicable: the profile asks for no security mode",
		"interrupted one": "not-run: not run: the run ended before this check",
	} {
		if kinds[name] != want {
			t.Errorf("%s: %q, want %q", name, kinds[name], want)
		}
	}
	if parsed.Suites[1].Errors != 1 || parsed.Suites[2].Errors != 1 {
		t.Errorf("crashed and never-started targets must carry an error case: %+v", parsed.Suites[1:3])
	}
	if c := parsed.Suites[3].Cases[1]; c.Skipped == nil || !strings.Contains(c.Skipped.Message, "QEMU exited") || !strings.Contains(c.Skipped.Message, "host fault") {
		t.Errorf("a check after the guest died should say why it did not run: %+v", c)
	}
	for _, want := range []string{`name="image.sha256" value="abc"`, `name="accel" value="tcg"`, "boot-to-ssh-seconds", "last console line", "ssh refuses passwords", "destroy machine",
		"[[ATTACHMENT|" + filepath.Join(dir, "console.log") + "]]", "reproduce: imagegate run --image debian-12 --arch x86_64 --keep --suite 'baseline' --focus 'ssh refuses passwords'"} {
		if !strings.Contains(s, want) {
			t.Errorf("junit.xml lacks %q", want)
		}
	}
	validate(t, out)
}

func TestVerdict(t *testing.T) {
	dir := t.TempDir()
	ft := fixture(dir)
	if v, why := Verdict(Suite(ft)); v != "failed" || !strings.Contains(why, "ssh refuses passwords") {
		t.Errorf("a failed check: %s (%s)", v, why)
	}
	ft.Results[2].Fate = catalogue.Passed
	if v, _ := Verdict(Suite(ft)); v != "error" {
		t.Errorf("cleanup error and a check not run: %s", v)
	}
	ft.Results[5].Fate = catalogue.Passed
	ft.Catalogue[3].Selected = false
	if v, why := Verdict(Suite(ft)); v != "passed" {
		t.Errorf("all selected checks ran and passed: %s (%s)", v, why)
	}
	b, err := Record(BuildTarget(ft))
	if err != nil || !strings.Contains(string(b), `"verdict": "passed"`) || !strings.Contains(string(b), `"fate": "not-selected"`) || !strings.Contains(string(b), `"slow"`) {
		t.Errorf("record: %v\n%s", err, b)
	}
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
