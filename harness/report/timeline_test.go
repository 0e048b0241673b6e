package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/run"
)

// timelineFixture writes a target folder with the events of a short run,
// cloud-init's status.json and a bench floor.
func timelineFixture(t *testing.T, dir string) {
	t.Helper()
	t0 := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	f, err := os.Create(filepath.Join(dir, "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	sink := event.NewSink(f)
	emit := func(s float64, e event.Event) { e.Time = t0.Add(time.Duration(s * float64(time.Second))); sink.Emit(e) }
	emit(0, event.PhaseOf(event.Pinning, ""))
	emit(1, event.PhaseOf(event.Booting, ""))
	emit(2, event.PhaseOf(event.SSHWait, ""))
	emit(50, event.PhaseOf(event.Settling, ""))
	emit(60, event.PhaseOf(event.Checking, ""))
	emit(63, event.CheckOf("baseline ssh logs in <as> the user", "passed", 3*time.Second))
	emit(70, event.CheckOf("baseline packages has a healthy package database", "failed", 7*time.Second))
	emit(71, event.TimingOf(event.SecondInstanceUp, 65))
	emit(72, event.PhaseOf(event.Evidence, ""))
	emit(74, event.TimingOf("total-until-evidence", 73))
	f.Close()
	start := float64(t0.Unix())
	os.WriteFile(filepath.Join(dir, "cloud-init-status.json"), []byte(`{"v1": {"datasource": "DataSourceNoCloud",
		"init-local": {"start": `+ftoa(start+20)+`, "finished": `+ftoa(start+25)+`, "errors": []},
		"init": {"start": `+ftoa(start+30)+`, "finished": `+ftoa(start+40)+`},
		"modules-config": {"start": null, "finished": null},
		"stage": null}}`), 0o644)
	os.WriteFile(filepath.Join(dir, run.FloorFile), []byte(`{"cloud_init_done_seconds": 55}`), 0o644)
}

func ftoa(f float64) string { return fmt.Sprintf("%.3f", f) }

func TestTimelineFromARun(t *testing.T) {
	dir := t.TempDir()
	timelineFixture(t, dir)
	tl, err := ReadTimeline(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tl.Total != 74 || len(tl.Phases) != 6 || tl.Phases[2].Label != event.SSHWait || tl.Phases[2].Start != 2 || tl.Phases[2].End != 50 {
		t.Fatalf("phases: total %v, %+v", tl.Total, tl.Phases)
	}
	if tl.Phases[5].End != 74 {
		t.Errorf("the last phase ends at %v, want the last event (74)", tl.Phases[5].End)
	}
	if len(tl.Checks) != 2 || tl.Checks[1].Start != 63 || tl.Checks[1].Class != "failed" {
		t.Errorf("checks: %+v", tl.Checks)
	}
	if len(tl.Stages) != 2 || tl.Stages[0].Label != "init-local" || tl.Stages[0].Start != 20 || tl.Stages[1].End != 40 {
		t.Errorf("cloud-init stages (the unfinished one left out): %+v", tl.Stages)
	}
	if len(tl.Guests) != 1 || tl.Guests[0].Start != 6 {
		t.Errorf("second instance: %+v", tl.Guests)
	}
	if tl.Floor != 56 { // booting began at 1 s
		t.Errorf("floor at %v, want 56", tl.Floor)
	}
	svg := tl.SVG()
	for _, want := range []string{`class="span phase-waiting-for-ssh"`, `class="span failed"`, "&lt;as&gt;", `class="floor"`, "cloud-init done at 55 s"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
}

func TestTimelineWithoutEvents(t *testing.T) {
	if err := WriteTimeline(t.TempDir()); err == nil {
		t.Fatal("a timeline without events.jsonl was drawn")
	}
}

// TestTimelineRendersInChromium loads the page with a timeline and the
// picture itself in headless Chromium: the page must show the picture and
// the picture must have its bars.
func TestTimelineRendersInChromium(t *testing.T) {
	browser := chromium(t)
	dir, _ := pageFixture(t)
	tdir := filepath.Join(dir, "debian-12", "x86_64")
	timelineFixture(t, tdir)
	if err := WriteTimeline(tdir); err != nil {
		t.Fatal(err)
	}
	dir, p := pageFixtureIn(t, dir)
	page := filepath.Join(dir, "index.html")
	if err := WritePage(page, p); err != nil {
		t.Fatal(err)
	}
	dom := dumpDOM(t, browser, page)
	if !strings.Contains(dom, `src="debian-12/x86_64/timeline.svg"`) {
		t.Errorf("the page does not show the timeline:\n%s", dom)
	}
	svg := dumpDOM(t, browser, filepath.Join(tdir, run.TimelineFile))
	for _, want := range []string{"phase-checking", `class="floor"`, "init-local"} {
		if !strings.Contains(svg, want) {
			t.Errorf("rendered timeline lacks %q", want)
		}
	}
}
