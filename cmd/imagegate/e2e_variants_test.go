package main

// Each non-conforming variant of the fixture (fixtures/variants.yaml, built
// by `make variants`) breaks exactly one rule of the Debian profile. The
// suite must catch each one, name it, and fail nothing else.

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// variantFailures: per variant, the test cases that must fail (and no
// other). Slow specs (a second instance, reboot) are filtered out to keep
// the run short; the shipped-image checks catch the baked-in identity.
var variantFailures = map[string][]string{
	"debian-12-password-auth/x86_64":      {"ssh refuses password authentication", "profile configures sshd as the profile says"},
	"debian-12-root-password/x86_64":      {"profile locks the profile's accounts"},
	"debian-12-baked-host-key/x86_64":     {"first boot the image as shipped has no SSH host keys"},
	"debian-12-machine-id/x86_64":         {"first boot the image as shipped has an empty machine-id"},
	"debian-12-cloud-init-warning/x86_64": {"cloud-init logged no Traceback and no WARNING"},
	"debian-12-broken-package-db/x86_64":  {"packages has a healthy package database"},
	// found on the host in the image as shipped, confirmed by dpkg --verify in the guest
	"debian-12-modified-package-file/x86_64": {"packages has a healthy package database"},
}

// make faults runs this test; make test does not: its gate test already
// fails the password-auth variant on exactly the password checks and runs
// the reproducer from that failure.
func TestE2EVariantsFailExactlyTheirRule(t *testing.T) {
	if os.Getenv("IMAGEGATE_FAULTS") != "all" {
		t.Skip("every variant (three rounds of two guests): make faults runs it")
	}
	bin := e2eBinary(t)
	fixtureImage(t)
	reports, work := t.TempDir(), t.TempDir()
	expected := map[string][]string{}
	images := []string{}
	for target, fails := range variantFailures {
		expected[target] = fails
		images = append(images, strings.TrimSuffix(target, "/x86_64"))
	}
	sort.Strings(images)
	if _, code := imagegate(t, bin, "run", "--matrix", "../../fixtures/variants.yaml", "--image", strings.Join(images, ","), "--suite", "baseline",
		"--label-filter", "!slow", "--reports", reports, "--work-dir", work); code != 1 {
		t.Fatalf("a run over non-conforming variants: exit %d, want 1", code)
	}
	path := filepath.Join(reports, "latest", "junit.xml")
	xmllint(t, path)
	b, _ := os.ReadFile(path)
	var doc struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				Error *struct{} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range doc.Suites {
		seen[s.Name] = true
		want, ok := expected[s.Name]
		if !ok {
			t.Errorf("unexpected target %s", s.Name)
			continue
		}
		var failed []string
		for _, c := range s.Cases {
			if c.Error != nil {
				t.Errorf("%s: %q was not judged (error)", s.Name, c.Name)
			}
			if c.Failure != nil {
				failed = append(failed, c.Name)
				t.Logf("%s: %s: %s", s.Name, c.Name, c.Failure.Message)
			}
		}
		sort.Strings(failed)
		sort.Strings(want)
		if strings.Join(failed, "|") != strings.Join(want, "|") {
			t.Errorf("%s failed %q, want exactly %q", s.Name, failed, want)
		}
		// A failed target's evidence carries cloud-init's own bundle.
		bundle := filepath.Join(reports, "latest", filepath.FromSlash(s.Name), "cloud-init-logs.tar.gz")
		if st, err := os.Stat(bundle); len(want) > 0 && (err != nil || st.Size() == 0) {
			t.Errorf("%s failed without cloud-init's bundle in its evidence: %v", s.Name, err)
		}
	}
	for name := range expected {
		if !seen[name] {
			t.Errorf("variant %s missing from the report", name)
		}
	}
	assertNothingLeft(t, runID(t, reports), work)
}
