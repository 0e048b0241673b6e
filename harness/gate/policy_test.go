package gate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodPolicy = `# a policy
version: 1
images:
  - name: debian-12
    arches: [x86_64, amd64x]
    suites: [baseline]
  - name: "debian-*"
    arches: [amd64, aarch64]
    suites: [baseline]
    tests: ["boot: *", "baseline ssh *"]
    grace_days: 7
    waivers:
      - test: "ssh refuses password*"
        arches: [aarch64]
        tracker: https://bugs.example.org/IMG-42
        expires: 2026-12-31
        reason: sshd config differs on aarch64
`

func TestParseGood(t *testing.T) {
	p, err := Parse("p.yaml", []byte(goodPolicy))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Images) != 2 {
		t.Fatalf("images: %d", len(p.Images))
	}
	e := p.Images[1]
	if strings.Join(e.Arches, ",") != "x86_64,aarch64" {
		t.Errorf("arches not canonical: %v", e.Arches)
	}
	if e.GraceDays != 7 || len(e.Tests) != 2 || e.Line != 7 {
		t.Errorf("entry: %+v", e)
	}
	w := e.Waivers[0]
	if !w.Valid(time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)) || w.Valid(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("waiver must hold through the end of its expiry day (UTC): until %s", w.Until)
	}
	if m, _ := p.Match("debian-12"); m.Line != 4 {
		t.Error("the first matching entry must apply")
	}
	if m, _ := p.Match("debian-13"); m.Line != 7 {
		t.Error("glob did not match")
	}
	if _, ok := p.Match("fedora-40"); ok {
		t.Error("fedora matched")
	}
}

func TestParseBad(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"empty", "", "empty"},
		{"syntax", "version: 1\nimages: [\n", "yaml:"},
		{"two docs", "version: 1\n---\nversion: 1\n", "more than one YAML document"},
		{"no version", "images: []\n", "p.yaml:1:1: version: required key \"version\" is missing"},
		{"bad version", "version: 2\nimages: []\n", "p.yaml:1:10: version: unsupported version 2"},
		{"version text", "version: one\nimages: []\n", "p.yaml:1:10: version: \"one\" is not a whole number"},
		{"unknown top", "version: 1\nimage: []\n", "p.yaml:2:1: image: unknown key \"image\" (known: images, version)"},
		{"no images", "version: 1\nimages: []\n", "p.yaml:2:9: images: must list at least one image"},
		{"images map", "version: 1\nimages: {a: 1}\n", "images: must be a list"},
		{"unknown key", "version: 1\nimages:\n  - name: a\n    arches: [x86_64]\n    suites: [b]\n    suite: [c]\n", "p.yaml:6:5: images[0].suite: unknown key \"suite\""},
		{"dup key", "version: 1\nimages:\n  - name: a\n    name: b\n", "p.yaml:4:5: images[0].name: key given twice"},
		{"no name", "version: 1\nimages:\n  - arches: [x86_64]\n    suites: [b]\n", "p.yaml:3:5: images[0].name: required key \"name\" is missing"},
		{"bad name", "version: 1\nimages:\n  - name: Debian 12\n    arches: [x86_64]\n    suites: [b]\n", "p.yaml:3:11: images[0].name: \"Debian 12\" is not an image name"},
		{"no arches", "version: 1\nimages:\n  - name: a\n    arches: []\n    suites: [b]\n", "p.yaml:4:13: images[0].arches: must list at least one arch"},
		{"bad arch", "version: 1\nimages:\n  - name: a\n    arches: [x86_64, X-86]\n    suites: [b]\n", "p.yaml:4:22: images[0].arches[1]: \"X-86\" is not an arch name"},
		{"dup arch", "version: 1\nimages:\n  - name: a\n    arches: [x86_64, amd64]\n    suites: [b]\n", "images[0].arches[1]: \"amd64\" is listed twice (as x86_64)"},
		{"arches scalar", "version: 1\nimages:\n  - name: a\n    arches: x86_64\n    suites: [b]\n", "p.yaml:4:13: images[0].arches: must be a list"},
		{"nothing required", "version: 1\nimages:\n  - name: a\n    arches: [x86_64]\n", "p.yaml:3:5: images[0]: needs suites: or tests:"},
		{"bad suite", "version: 1\nimages:\n  - name: a\n    arches: [x86_64]\n    suites: [Base Line]\n", "images[0].suites[0]: \"Base Line\" is not a suite name"},
		{"grace text", "version: 1\nimages:\n  - name: a\n    arches: [x86_64]\n    suites: [b]\n    grace_days: soon\n", "p.yaml:6:17: images[0].grace_days: \"soon\" is not a whole number"},
		{"grace negative", "version: 1\nimages:\n  - name: a\n    arches: [x86_64]\n    suites: [b]\n    grace_days: -1\n", "images[0].grace_days: \"-1\""},
		{"dup entry", "version: 1\nimages:\n  - name: a\n    arches: [x86_64]\n    suites: [b]\n  - name: a\n    arches: [x86_64]\n    suites: [b]\n", "p.yaml:6: images: \"a\" is listed twice (first at line 3)"},
		{"waiver no tracker", waiverYAML("    test: x\n    expires: 2026-01-01\n"), "p.yaml:7:7: images[0].waivers[0].tracker: required key \"tracker\" is missing"},
		{"waiver no expiry", waiverYAML("    test: x\n    tracker: BUG-1\n"), "images[0].waivers[0].expires: required key"},
		{"waiver bad date", waiverYAML("    test: x\n    tracker: BUG-1\n    expires: 2026-13-01\n"), "p.yaml:9:16: images[0].waivers[0].expires: \"2026-13-01\" is not a date (YYYY-MM-DD)"},
		{"waiver unknown", waiverYAML("    test: x\n    tracker: BUG-1\n    expires: 2026-01-01\n    owner: me\n"), "p.yaml:10:7: images[0].waivers[0].owner: unknown key \"owner\" (known: arches, expires, reason, test, tracker)"},
		{"waiver arch", waiverYAML("    test: x\n    tracker: BUG-1\n    expires: 2026-01-01\n    arches: [aarch64]\n"), "images[0].waivers[0].arches: \"aarch64\" is not one of this entry's arches (x86_64)"},
		{"tracker spaces", waiverYAML("    test: x\n    tracker: see the bug\n    expires: 2026-01-01\n"), "must be a link or an issue id"},
		{"empty test", waiverYAML("    test: \"\"\n    tracker: B-1\n    expires: 2026-01-01\n"), "images[0].waivers[0].test: must not be empty"},
		{"null test", waiverYAML("    test:\n    tracker: B-1\n    expires: 2026-01-01\n"), "images[0].waivers[0].test: must be a single value"},
	}
	for _, c := range cases {
		_, err := Parse("p.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v\n  want it to contain %q", c.name, err, c.want)
		}
	}
}

func waiverYAML(body string) string {
	body = strings.ReplaceAll(strings.TrimPrefix(body, "    "), "\n    ", "\n      ")
	return "version: 1\nimages:\n  - name: a\n    arches: [x86_64]\n    suites: [b]\n    waivers:\n    - " + body
}

func TestLoadMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.yaml")
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("missing policy: %v", err)
	}
	ok := filepath.Join(t.TempDir(), "ok.yaml")
	os.WriteFile(ok, []byte(goodPolicy), 0o644)
	if _, err := Load(ok); err != nil {
		t.Error(err)
	}
}

func TestPattern(t *testing.T) {
	for _, c := range []struct {
		glob, s string
		want    bool
	}{
		{"ssh *", "ssh refuses password authentication", true},
		{"ssh *", "sshd", false},
		{"a?c", "abc", true},
		{"a.c", "abc", false},
		{"boot: *", "boot: the guest starts", true},
		{"*", "", true},
		{"(x)+", "(x)+", true},
	} {
		if got := NewPattern(c.glob).Match(c.s); got != c.want {
			t.Errorf("%q ~ %q = %v", c.glob, c.s, got)
		}
	}
}
