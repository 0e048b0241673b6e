package main

// End-to-end tests: they boot the fixture image for real under libvirt/QEMU
// with the imagegate binary. `make e2e` (part of `make test`) sets up the
// host, builds the fixture and the binary, and sets IMAGEGATE_E2E=1.

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/digest"
)

// e2eBinary skips the test unless e2e tests were asked for, and returns
// the binary under test.
//
// The e2e tests that boot one guest at a time (the external suite,
// rootless, the swapped candidate) and the default matrix (one target; its
// second instance boots beside it only for the first minutes) call
// t.Parallel() after it, so that go test runs two of them at once, after
// the others, on a 2-core host where one guest leaves a core idle. The
// tests that boot two guests throughout (the gate, the pool, the variants)
// or restart libvirtd (the faults) run alone.
func e2eBinary(t testing.TB) string {
	t.Helper()
	if os.Getenv("IMAGEGATE_E2E") != "1" {
		t.Skip("e2e: set IMAGEGATE_E2E=1 (make e2e does) to boot real guests")
	}
	bin := os.Getenv("IMAGEGATE_BIN")
	if bin == "" {
		t.Fatal("IMAGEGATE_BIN must name the built imagegate binary")
	}
	return bin
}

type junitDoc struct {
	Suites []suiteDoc `xml:"testsuite"`
}

type suiteDoc struct {
	Name       string `xml:"name,attr"`
	Tests      int    `xml:"tests,attr"`
	Failures   int    `xml:"failures,attr"`
	Time       string `xml:"time,attr"`
	Errors     int    `xml:"errors,attr"`
	Properties []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []struct {
		Name      string `xml:"name,attr"`
		Classname string `xml:"classname,attr"`
		Failure   *struct {
			Message string `xml:"message,attr"`
			Text    string `xml:",chardata"`
		} `xml:"failure"`
		Error   *struct{} `xml:"error"`
		Skipped *struct {
			Type    string `xml:"type,attr"`
			Message string `xml:"message,attr"`
		} `xml:"skipped"`
		SystemOut string `xml:"system-out"`
	} `xml:"testcase"`
}

// prop is the suite's property of that name, or "".
func (s suiteDoc) prop(name string) string {
	for _, p := range s.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func readJUnit(t testing.TB, path string) junitDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d junitDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s is not well-formed: %v", path, err)
	}
	xmllint(t, path)
	return d
}

func xmllint(t testing.TB, path string) {
	t.Helper()
	schema, _ := filepath.Abs("../../../shared/schemas/junit-10.xsd")
	if _, err := os.Stat(schema); err != nil {
		t.Logf("schema %s not found; skipping schema validation", schema)
		return
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", schema, path).CombinedOutput(); err != nil {
		t.Errorf("xmllint: %s does not validate: %v\n%s", path, err, out)
	}
}

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	sum, _, err := digest.File(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// matrixEntry is one Debian x86_64 qcow2 image of a matrix, verified
// against its checksums file.
func matrixEntry(name, path, checksums string) string {
	return "  - name: " + name + "\n    path: " + path + "\n    format: qcow2\n    arch: x86_64\n    family: debian\n    checksums: " + checksums + "\n"
}

func fixtureImage(t testing.TB) string {
	dir := os.Getenv("IMAGEGATE_FIXTURES")
	if dir == "" {
		h, _ := os.UserHomeDir()
		dir = filepath.Join(h, ".cache", "imagegate", "fixtures")
	}
	p := filepath.Join(dir, "debian-12-x86_64.qcow2")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("fixture missing (make fixtures): %v", err)
	}
	return p
}

// assertNothingLeft checks that no domain, qemu process or work file of the
// run remains.
func assertNothingLeft(t testing.TB, runID, workRoot string) {
	t.Helper()
	out, err := exec.Command("virsh", "-c", "qemu:///system", "list", "--all", "--name").CombinedOutput()
	if err != nil {
		t.Errorf("virsh list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), runID) {
		t.Errorf("domains of run %s remain:\n%s", runID, out)
	}
	ps, _ := exec.Command("pgrep", "-af", "qemu-system").CombinedOutput()
	if strings.Contains(string(ps), runID) {
		t.Errorf("qemu processes of run %s remain:\n%s", runID, ps)
	}
	if _, err := os.Stat(filepath.Join(workRoot, runID)); !os.IsNotExist(err) {
		t.Errorf("work dir %s remains (err=%v)", filepath.Join(workRoot, runID), err)
	}
}

func runID(t testing.TB, reports string) string {
	t.Helper()
	target, err := os.Readlink(filepath.Join(reports, "latest"))
	if err != nil {
		t.Fatalf("reports/latest: %v", err)
	}
	return target
}

func TestE2ERunDefaultMatrix(t *testing.T) {
	bin := e2eBinary(t)
	arches := os.Getenv("IMAGEGATE_E2E_ARCHES")
	if arches == "" {
		arches = "x86_64"
	}
	if !strings.Contains(arches, ",") {
		t.Parallel() // one target: see e2eBinary
	}
	image := fixtureImage(t)
	before := fileSHA(t, image)
	reports, work := t.TempDir(), t.TempDir()
	cmd := exec.Command(bin, "run", "--matrix", "../../fixtures/matrix.yaml", "--arch", arches,
		"--reports", reports, "--work-dir", work)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&out, os.Stdout), io.MultiWriter(&out, os.Stderr)
	start := time.Now()
	err := cmd.Run()
	t.Logf("imagegate run took %s", time.Since(start).Round(time.Second))
	if err != nil {
		t.Fatalf("imagegate run: %v (want exit 0)", err)
	}
	id := runID(t, reports)
	dir := filepath.Join(reports, id)
	d := readJUnit(t, filepath.Join(reports, "latest", "junit.xml"))
	want := strings.Split(arches, ",")
	if len(d.Suites) != len(want) {
		t.Fatalf("want one testsuite per arch %v, got %d", want, len(d.Suites))
	}
	for _, s := range d.Suites {
		passed := 0
		for _, c := range s.Cases {
			switch {
			case c.Failure == nil && c.Error == nil && c.Skipped == nil:
				passed++
			case c.Skipped != nil && c.Skipped.Type != "not-applicable":
				t.Errorf("%s: %q %s (%s): a full run runs every check", s.Name, c.Name, c.Skipped.Type, c.Skipped.Message)
			}
		}
		if passed < 30 || s.Failures != 0 || s.Errors != 0 {
			t.Errorf("%s: want >= 30 passing cases and none failed: passed=%d failures=%d errors=%d", s.Name, passed, s.Failures, s.Errors)
		}
		props := map[string]string{}
		for _, p := range s.Properties {
			props[p.Name] = p.Value
		}
		if len(props["catalogue.sha256"]) != 64 || props["catalogue.specs"] != fmt.Sprint(len(s.Cases)-3) || props["imagegate.version"] == "" {
			t.Errorf("%s: catalogue %q of %q checks (want one per case but the 3 harness steps), version %q",
				s.Name, props["catalogue.sha256"], props["catalogue.specs"], props["imagegate.version"])
		}
		// The run says which accelerator it chose and why; without
		// /dev/kvm, or for a foreign arch, it must be TCG.
		m := regexp.MustCompile(`accelerator ` + regexp.QuoteMeta(s.Name) + `: (kvm|tcg) \(`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("run did not say which accelerator %s got", s.Name)
		}
		if _, err := os.Stat("/dev/kvm"); (err != nil || !strings.HasSuffix(s.Name, "/x86_64")) && m[1] != "tcg" {
			t.Errorf("%s: accelerator %s without a usable KVM", s.Name, m[1])
		}
		if props["image"] != "debian-12" || props["accel"] != m[1] || props["arch"] != strings.TrimPrefix(s.Name, "debian-12/") || len(props["image.sha256"]) != 64 {
			t.Errorf("%s properties = %v", s.Name, props)
		}
		if s.Name == "debian-12/x86_64" && props["image.sha256"] != before {
			t.Errorf("image.sha256 %s, want %s", props["image.sha256"], before)
		}
	}
	target := filepath.Join(dir, "debian-12", "x86_64")
	for _, f := range []string{"console.log", "cloud-init.log", "cloud-init-output.log", "cloud-init-status.json", "cloud-init-result.json", "journal.txt",
		"kernel.txt", "enabled-services.txt", "packages.manifest",
		"user-data", "meta-data", "domain.xml", "timings.json", "events.jsonl", "results.json", "target.json", "../../index.html"} {
		st, err := os.Stat(filepath.Join(target, f))
		if err != nil || st.Size() == 0 {
			t.Errorf("evidence %s missing or empty: %v", f, err)
		}
	}
	// A passing target's evidence is the quick stream; cloud-init's own
	// bundle is for failed targets only.
	if _, err := os.Stat(filepath.Join(target, "cloud-init-logs.tar.gz")); err == nil {
		t.Error("a passing target fetched cloud-init's bundle")
	}
	// Enabled units are read from /etc/systemd/system's links: the
	// fixture's sshd and cloud-init are among them.
	units, _ := os.ReadFile(filepath.Join(target, "enabled-services.txt"))
	for _, u := range []string{"ssh.service", "cloud-init.service"} {
		if !slices.Contains(strings.Fields(string(units)), u) {
			t.Errorf("enabled-services.txt lacks %s:\n%s", u, units)
		}
	}
	con, _ := os.ReadFile(filepath.Join(target, "console.log"))
	if !bytes.Contains(con, []byte("BEGIN SSH HOST KEY FINGERPRINTS")) {
		t.Error("console.log lacks cloud-init's host key fingerprints")
	}
	ud, _ := os.ReadFile(filepath.Join(target, "user-data"))
	if bytes.Contains(ud, []byte("PRIVATE KEY")) {
		t.Error("user-data evidence contains a private key")
	}
	// A full run of every required suite on every required arch promotes.
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(policy, []byte("version: 1\nimages:\n  - name: debian-12\n    arches: ["+arches+"]\n    suites: [baseline, layered-hello]\n"), 0o644)
	if out, err := exec.Command(bin, "gate", "--policy", policy, "--reports", dir).CombinedOutput(); err != nil {
		t.Errorf("gate on the full run: %v (want exit 0, promote)\n%s", err, out)
	} else {
		t.Logf("gate on the full run:\n%s", out)
	}
	if after := fileSHA(t, image); after != before {
		t.Errorf("the candidate image was written: sha256 %s -> %s", before, after)
	}
	assertNothingLeft(t, id, work)
}

func TestE2EBrokenInputs(t *testing.T) {
	bin := e2eBinary(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "matrix.yaml")
	os.WriteFile(missing, []byte("images:\n  - name: gone\n    path: "+dir+"/nope.qcow2\n    format: qcow2\n    arch: x86_64\n    family: debian\n"), 0o644)
	noProfile := filepath.Join(dir, "gentoo.yaml") // outside the repo, a family imagegate has no profile for
	os.WriteFile(noProfile, []byte("images:\n  - name: gentoo\n    path: "+fixtureImage(t)+"\n    format: qcow2\n    arch: x86_64\n    family: gentoo\n"), 0o644)
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"missing image", []string{"run", "--matrix", missing, "--reports", dir}, []string{"nope.qcow2 does not exist", "make fixtures"}},
		{"libvirtd unreachable", []string{"run", "--matrix", "../../fixtures/matrix.yaml", "--arch", "x86_64", "--reports", dir,
			"--libvirt-uri", "qemu:///system?socket=" + dir + "/no-libvirt-sock"}, []string{"libvirtd not reachable", "libvirtd -d"}},
		{"unknown arch", []string{"run", "--matrix", "../../fixtures/matrix.yaml", "--arch", "sparc"}, []string{"--arch", "sparc"}},
		{"unknown flag", []string{"run", "--colour"}, []string{"colour"}},
		{"family without a profile", []string{"run", "--matrix", noProfile, "--reports", dir}, []string{"no profile for family gentoo", "--profile"}},
		{"label filter selects nothing", []string{"run", "--matrix", "../../fixtures/matrix.yaml", "--arch", "x86_64", "--label-filter", "nosuchlabel", "--reports", dir},
			[]string{"selects none of its", "checks"}},
		{"label filter syntax", []string{"run", "--matrix", "../../fixtures/matrix.yaml", "--arch", "x86_64", "--label-filter", "slow &&", "--reports", dir},
			[]string{"--label-filter", "slow &&"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, c.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("exit = %v; want 2\n%s", err, stderr.String())
			}
			msg := strings.TrimSpace(stderr.String())
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr %q lacks %q", msg, w)
				}
			}
			if strings.Count(msg, "\n") > 0 {
				t.Errorf("error should be one line, got:\n%s", msg)
			}
		})
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("refused runs left something in the reports folder: %v", ents)
	}
}
