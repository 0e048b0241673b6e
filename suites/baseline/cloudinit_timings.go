package baseline

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// ciLogLine is a line of cloud-init.log in cloud-init's default format:
// "2026-12-03 18:35:31,817 - handlers.py[DEBUG]: start: init-local/check-cache: ...".
var ciLogLine = regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - [^ ]+\[[A-Z]+\]: (.*)$`)

// ciStageStart is the line that starts a stage: "Cloud-init v. 22.4.2
// running 'modules:config' at ...". Stages log no "start:" event of their
// own; their "finish:" events use the names on the right.
var (
	ciStageStart = regexp.MustCompile(`^Cloud-init v\. \S+ running '([a-z:-]+)'`)
	ciStageNames = map[string]string{"init-local": "init-local", "init": "init-network", "modules:config": "modules-config", "modules:final": "modules-final"}
	ciStages     = []string{"init-local", "init-network", "modules-config", "modules-final"}
)

// ciEvent is one timed step: a stage, or an event inside one.
type ciEvent struct {
	name, desc string // "modules-config/config-ssh", "config-ssh ran successfully"
	secs       float64
}

// ciTimings is the last boot's record in cloud-init.log, read the way
// `cloud-init analyze show` reads it, without starting cloud-init's
// Python (~5 s of emulated CPU under TCG): each stage from its "running"
// line to its "finish:" event, each event inside from "start:" to
// "finish:". lines is how many log lines were in the default format.
type ciTimings struct {
	stages map[string]float64
	events []ciEvent
	lines  int
}

// parseCloudInitLog reads the last boot (the log keeps every boot; each
// begins with init-local's "running" line).
func parseCloudInitLog(log string) (ciTimings, error) {
	var t ciTimings
	var started map[string]time.Time
	for _, l := range strings.Split(log, "\n") {
		m := ciLogLine.FindStringSubmatch(strings.TrimRight(l, "\r"))
		if m == nil {
			continue
		}
		t.lines++
		at, err := time.Parse("2006-01-02 15:04:05,000", m[1])
		if err != nil {
			return t, fmt.Errorf("cloud-init.log time %q: %w", m[1], err)
		}
		msg := m[2]
		if s := ciStageStart.FindStringSubmatch(msg); s != nil && ciStageNames[s[1]] != "" {
			if s[1] == "init-local" {
				t.stages, t.events, started = map[string]float64{}, nil, map[string]time.Time{}
			}
			if started != nil {
				started[ciStageNames[s[1]]] = at
			}
			continue
		}
		if started == nil {
			continue // before the first boot's init-local
		}
		kind, rest, _ := strings.Cut(msg, ": ")
		name, desc, _ := strings.Cut(rest, ": ")
		switch kind {
		case "start":
			started[name] = at
		case "finish":
			begin, ok := started[name]
			if !ok {
				continue
			}
			secs := at.Sub(begin).Seconds()
			if strings.Contains(name, "/") {
				if _, d, ok := strings.Cut(desc, ": "); ok {
					desc = d // "SUCCESS: config-ssh ran successfully"
				}
				t.events = append(t.events, ciEvent{name, desc, secs})
			} else {
				t.stages[name] = secs
			}
		}
	}
	return t, nil
}

// missing names the stages of the last boot with no recorded finish.
func (t ciTimings) missing() []string {
	var out []string
	for _, s := range ciStages {
		if _, ok := t.stages[s]; !ok {
			out = append(out, s)
		}
	}
	return out
}

// total is analyze show's "Total Time": the stages' durations added up.
func (t ciTimings) total() float64 {
	var sum float64
	for _, s := range t.stages {
		sum += s
	}
	return sum
}

// blame is what `cloud-init analyze blame` prints for the boot: the n
// slowest events, slowest first.
func (t ciTimings) blame(n int) string {
	evs := append([]ciEvent(nil), t.events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].secs > evs[j].secs })
	var b strings.Builder
	for i, e := range evs {
		if i == n {
			break
		}
		fmt.Fprintf(&b, "%9.5fs (%s)\n", e.secs, e.desc)
	}
	return b.String()
}
