package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/run"
)

// A target's timeline, drawn as a picture (timeline.svg beside its
// evidence, shown on index.html): where its wall time went, phase by
// phase, cloud-init stage by stage, check by check, with the second
// instance beside the first and, when `make bench` measured it, the plain
// QEMU floor (the same image, the same devices, no harness) marked on it.

// Timeline is what the picture shows, in seconds from the target's start.
type Timeline struct {
	Total  float64
	Phases []Span // pinning, booting, ..., collecting-evidence
	Stages []Span // cloud-init's stages, by the guest's clock
	Checks []Span // each check that ran; Class is its fate
	Guests []Span // the second instance, when one booted
	// Floor is when plain QEMU had cloud-init done, counted from this
	// target's boot (0: not measured).
	Floor float64
}

// Span is one bar.
type Span struct {
	Label      string
	Start, End float64
	Class      string
}

// ReadTimeline builds a target's timeline from its folder: events.jsonl,
// cloud-init-status.json and floor.json (the last two may be missing; the
// bench writes floor.json, {"cloud_init_done_seconds": N}, beside a run).
func ReadTimeline(dir string) (Timeline, error) {
	f, err := os.Open(filepath.Join(dir, run.EventsFile))
	if err != nil {
		return Timeline{}, err
	}
	defer f.Close()
	var evs []event.Event
	if err := event.Read(f, func(e event.Event) { evs = append(evs, e) }); err != nil {
		return Timeline{}, err
	}
	tl := timelineOf(evs)
	if len(evs) > 0 {
		tl.Stages = cloudInitStages(filepath.Join(dir, "cloud-init-status.json"), evs[0].Time)
	}
	var floor struct {
		Seconds float64 `json:"cloud_init_done_seconds"`
	}
	if raw, err := os.ReadFile(filepath.Join(dir, run.FloorFile)); err == nil && json.Unmarshal(raw, &floor) == nil && floor.Seconds > 0 {
		tl.Floor = tl.bootStart() + floor.Seconds
		tl.Total = max(tl.Total, tl.Floor)
	}
	return tl, nil
}

// timelineOf lays the events out: a phase lasts until the next begins,
// and the last until the last event.
func timelineOf(evs []event.Event) Timeline {
	var tl Timeline
	if len(evs) == 0 {
		return tl
	}
	t0 := evs[0].Time
	at := func(t time.Time) float64 { return t.Sub(t0).Seconds() }
	for _, e := range evs {
		end := at(e.Time)
		tl.Total = max(tl.Total, end)
		switch {
		case e.Kind == event.Phase:
			if n := len(tl.Phases); n > 0 {
				tl.Phases[n-1].End = end
			}
			tl.Phases = append(tl.Phases, Span{Label: e.Phase, Start: end, End: end, Class: "phase-" + e.Phase})
		case e.Kind == event.Check && e.Seconds > 0:
			tl.Checks = append(tl.Checks, Span{Label: e.Check, Start: max(0, end-e.Seconds), End: end, Class: e.Fate})
		case e.Kind == event.Timing && e.Name == event.SecondInstanceUp:
			tl.Guests = append(tl.Guests, Span{Label: "second instance: boot and cloud-init", Start: max(0, end-e.Seconds), End: end, Class: "guest"})
		}
	}
	if n := len(tl.Phases); n > 0 {
		tl.Phases[n-1].End = tl.Total
	}
	return tl
}

// bootStart is when the booting phase began (0 when it never did).
func (tl Timeline) bootStart() float64 {
	for _, p := range tl.Phases {
		if p.Label == event.Booting {
			return p.Start
		}
	}
	return 0
}

// cloudInitStages reads status.json's v1 stages ("init-local", "init",
// "modules-config", "modules-final", each with start and finished as Unix
// times by the guest's clock), relative to t0.
func cloudInitStages(path string, t0 time.Time) []Span {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var st struct {
		V1 map[string]json.RawMessage `json:"v1"`
	}
	if json.Unmarshal(raw, &st) != nil {
		return nil
	}
	var spans []Span
	for name, msg := range st.V1 {
		var s struct {
			Start    *float64 `json:"start"`
			Finished *float64 `json:"finished"`
		}
		if json.Unmarshal(msg, &s) != nil || s.Start == nil || s.Finished == nil {
			continue
		}
		rel := func(unix float64) float64 {
			return time.Unix(0, int64(unix*1e9)).Sub(t0).Seconds()
		}
		spans = append(spans, Span{Label: name, Start: rel(*s.Start), End: rel(*s.Finished), Class: "stage"})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	return spans
}
