package main

// What `make bench` prints besides its ratios: each target's wall time by
// phase (from its events), the matrix's efficiency, and each guest's peak
// memory.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/report"
)

// benchPhases are the columns of the phase table, in order.
var benchPhases = []string{event.Pinning, event.Booting, event.SSHWait, event.Settling, event.Checking, event.Rebooting, event.Evidence}

// targetDirs are a run's target folders (<image>/<arch>), sorted.
func targetDirs(b *testing.B, runDir string) []string {
	dirs, _ := filepath.Glob(filepath.Join(runDir, "*", "*", "events.jsonl"))
	if len(dirs) == 0 {
		b.Fatalf("%s: no target has events.jsonl", runDir)
	}
	for i, d := range dirs {
		dirs[i] = filepath.Dir(d)
	}
	return dirs
}

// phaseTable is a run's wall time per target and phase, in seconds (a
// phase entered twice, like checking around the reboot, is summed), with
// each guest's peak memory. It fails the bench when a target's events or
// memory cannot be read: a broken measurement.
func phaseTable(b *testing.B, runDir string) (string, []float64) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-22s", "target")
	for _, p := range benchPhases {
		fmt.Fprintf(&sb, " %10.10s", p)
	}
	fmt.Fprintf(&sb, " %8s %10s\n", "total", "peak RSS")
	var rss []float64
	for _, dir := range targetDirs(b, runDir) {
		tl, err := report.ReadTimeline(dir)
		if err != nil {
			b.Fatalf("%s: %v", dir, err)
		}
		sum := map[string]float64{}
		for _, s := range tl.Phases {
			sum[s.Label] += s.End - s.Start
		}
		rel, _ := filepath.Rel(runDir, dir)
		fmt.Fprintf(&sb, "%-22s", rel)
		for _, p := range benchPhases {
			fmt.Fprintf(&sb, " %9.1fs", sum[p])
		}
		mib := peakRSS(b, dir)
		rss = append(rss, mib)
		fmt.Fprintf(&sb, " %7.0fs %6.0f MiB\n", tl.Total, mib)
	}
	return sb.String(), rss
}

// peakRSS is a target's QEMU peak resident memory from resources.json.
func peakRSS(b *testing.B, dir string) float64 {
	raw, err := os.ReadFile(filepath.Join(dir, "resources.json"))
	if err != nil {
		b.Fatalf("peak memory not measured: %v", err)
	}
	var m map[string]float64
	if err := json.Unmarshal(raw, &m); err != nil || m["qemu-peak-rss-mib"] <= 0 {
		b.Fatalf("%s: no qemu-peak-rss-mib (%v): %s", dir, err, raw)
	}
	return m["qemu-peak-rss-mib"]
}

// memoryGoalMiB is the 800 MB per guest, in the MiB QEMU's
// resources.json counts in.
const memoryGoalMiB = 800e6 / (1 << 20)

// reportMemory logs the peak memory against the goal and reports the
// largest; it fails only when nothing was measured.
func reportMemory(b *testing.B, rss []float64) {
	top := 0.0
	for _, r := range rss {
		top = max(top, r)
	}
	b.ReportMetric(top, "peak-rss-MiB")
	verdict := "within"
	if top > memoryGoalMiB {
		verdict = "ABOVE"
	}
	say(b, "peak RSS per TCG guest: largest %.0f MiB, %s the 800 MB (%.0f MiB) goal", top, verdict, memoryGoalMiB)
}

var atATime = regexp.MustCompile(`(\d+) at a time`)

// matrixEfficiency is wall / (sum of target times / parallelism): 1.0 is a
// perfectly packed matrix; the goal is 1.15 or less.
func matrixEfficiency(b *testing.B, runDir, output string, wallSeconds float64) float64 {
	m := atATime.FindStringSubmatch(output)
	if m == nil {
		b.Fatalf("the run did not say how many targets it ran at a time")
	}
	parallel, _ := strconv.Atoi(m[1])
	d := readJUnit(b, filepath.Join(runDir, "junit.xml"))
	sum := 0.0
	for _, s := range d.Suites {
		sec, err := strconv.ParseFloat(s.Time, 64)
		if err != nil || sec <= 0 {
			b.Fatalf("%s: testsuite time %q", s.Name, s.Time)
		}
		sum += sec
	}
	eff := wallSeconds / (sum / float64(min(parallel, len(d.Suites))))
	say(b, "matrix: %d targets, %d at a time, sum of target times %.0fs, wall %.0fs: %.2f× the ideal (goal 1.15)", len(d.Suites), parallel, sum, wallSeconds, eff)
	return eff
}
