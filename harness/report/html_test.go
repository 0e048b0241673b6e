package report

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func pageFixture(t *testing.T) (string, Page) {
	t.Helper()
	return pageFixtureIn(t, t.TempDir())
}

func pageFixtureIn(t *testing.T, dir string) (string, Page) {
	t.Helper()
	tdir := filepath.Join(dir, "debian-12", "x86_64")
	os.MkdirAll(tdir, 0o755)
	consolePath := filepath.Join(tdir, "console.log")
	os.WriteFile(consolePath, []byte("boot\n"), 0o644)
	x86 := fixture(tdir)
	x86.Duration, x86.Attachments = time.Minute, []string{consolePath}
	targets := []Target{
		x86,
		{ID: "debian-12/aarch64", Error: "libvirtd went away", Console: filepath.Join(dir, "debian-12", "aarch64", "console.log")},
	}
	doc := Build(targets)
	return dir, BuildPage("run-1", dir, doc, targets)
}

func TestPageLayout(t *testing.T) {
	_, p := pageFixture(t)
	if strings.Join(p.Arches, ",") != "aarch64,x86_64" || len(p.Rows) != 1 {
		t.Fatalf("layout: arches %v rows %d", p.Arches, len(p.Rows))
	}
	cells := p.Rows[0].Cells
	if cells[0].State != "error" || cells[1].State != "error" {
		t.Errorf("states %q %q: aarch64 not judged, x86_64 has a check not run and a cleanup error: both error", cells[0].State, cells[1].State)
	}
	if cells[1].Link != "debian-12/x86_64" {
		t.Errorf("link %q", cells[1].Link)
	}
	var repro bool
	for _, f := range p.Failures {
		repro = repro || strings.Contains(f.Reproduce, "--focus 'ssh refuses passwords'")
	}
	if !repro || len(p.Failures) < 2 {
		t.Errorf("failures %+v", p.Failures)
	}
}

// TestPageRendersInChromium renders index.html in headless Chromium and
// reads the DOM it built: the page a person opens, not just its source.
func TestPageRendersInChromium(t *testing.T) {
	browser := chromium(t)
	dir, p := pageFixture(t)
	page := filepath.Join(dir, "index.html")
	if err := WritePage(page, p); err != nil {
		t.Fatal(err)
	}
	args := chromiumArgs(t)
	d := dumpDOM(t, browser, page)
	for _, want := range []string{`id="matrix"`, `data-state="error"`, "ssh refuses passwords", "--focus", `href="debian-12/x86_64/console.log"`} {
		if !strings.Contains(d, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	shot := filepath.Join(dir, "page.png")
	if out, err := exec.Command(browser, append(args, "--screenshot="+shot, "--window-size=1000,800", "file://"+page)...).CombinedOutput(); err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, out)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() < 1000 {
		t.Errorf("screenshot %v %v", st, err)
	}
	if dst := os.Getenv("IMAGEGATE_SCREENSHOT"); dst != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(dst, b, 0o644)
	}
}

// chromium is the headless browser's path; CI must have it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, b := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(b); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium missing in CI: make host installs it")
	}
	t.Skip("chromium not installed (apt-get install chromium)")
	return ""
}

func chromiumArgs(t *testing.T) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + t.TempDir()}
}

// dumpDOM is the DOM Chromium built from a file.
func dumpDOM(t *testing.T, browser, file string) string {
	t.Helper()
	dom, err := exec.Command(browser, append(chromiumArgs(t), "--dump-dom", "file://"+file)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v", file, err)
	}
	return string(dom)
}
