package baseline

import (
	"os"
	"strings"
	"testing"
)

// TestCloudInitLogTimings reads a cloud-init.log recorded from the
// fixture (cloud-init 22.4.2; the lines analyze reads, kept), and checks
// the total and the blame against what `cloud-init analyze show` printed
// for that same log in the same run (testdata/*.blame; total 36.50 s).
func TestCloudInitLogTimings(t *testing.T) {
	log := read(t, "testdata/cloud-init-22.4.2.log")
	got, err := parseCloudInitLog(log)
	if err != nil || len(got.missing()) != 0 {
		t.Fatalf("recorded log: %v, missing %v", err, got.missing())
	}
	if total := got.total(); total < 36.495 || total > 36.505 {
		t.Errorf("total %.3f s, analyze show said 36.50", total)
	}
	if want := read(t, "testdata/cloud-init-22.4.2.blame"); strings.TrimSpace(got.blame(12)) != strings.TrimSpace(want) {
		t.Errorf("blame:\n%s\nanalyze show:\n%s", got.blame(12), want)
	}

	// A second boot (the reboot check's) replaces the first; one that has
	// not finished its stages is missing them.
	second := strings.Replace(log[strings.Index(log, "2026-12-03 18:35:31,565"):], "2026-12-03 18:3", "2026-12-03 19:3", -1)
	cut := second[:strings.Index(second, "finish: modules-config:")]
	got, err = parseCloudInitLog(log + second + cut)
	if m := got.missing(); err != nil || strings.Join(m, ",") != "modules-config,modules-final" {
		t.Errorf("a last boot cut short: missing %v, %v", m, err)
	}
	if got, _ := parseCloudInitLog("Dec  3 18:35:31 host [CLOUDINIT] util.py[DEBUG]: Cloud-init v. 22.4.2 running 'init-local'\n"); got.lines != 0 {
		t.Errorf("a syslog-format line read as the default format")
	}
	if _, err := parseCloudInitLog("2026-13-45 18:35:31,565 - util.py[DEBUG]: x\n"); err == nil {
		t.Error("a bad date: want an error")
	}
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
