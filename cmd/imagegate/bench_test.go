package main

// Benchmarks hold the timing goals, measured on real guests; `make bench`
// runs them (IMAGEGATE_E2E=1, one iteration each). They stop by themselves:
// every run has the matrix's boot timeouts and a context deadline.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchMatrix is the matrix a benchmark runs: IMAGEGATE_BENCH_ARCHES
// (default x86_64,aarch64) and IMAGEGATE_BENCH_FILTER, a label filter
// (default "!slow"; "" runs every spec).
func benchMatrix() (arches, filter string) {
	arches = os.Getenv("IMAGEGATE_BENCH_ARCHES")
	if arches == "" {
		arches = "x86_64,aarch64"
	}
	filter, ok := os.LookupEnv("IMAGEGATE_BENCH_FILTER")
	if !ok {
		filter = "!slow"
	}
	return arches, filter
}

// benchRun runs the matrix once with --parallel parallel into reports/bench-NAME
// (kept for a person to read) and returns its wall time, its report folder
// and what it printed. Every target must pass.
func benchRun(b *testing.B, bin, name, parallel string) (time.Duration, string, string) {
	b.Helper()
	arches, filter := benchMatrix()
	reports, _ := filepath.Abs(filepath.Join("../../reports", "bench-"+name))
	work := b.TempDir()
	args := []string{"run", "--matrix", "../../fixtures/matrix.yaml", "--arch", arches,
		"--parallel", parallel, "--reports", reports, "--work-dir", work}
	if filter != "" {
		args = append(args, "--label-filter", filter)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Hour)
	defer cancel()
	cmd := imagegateCmd(ctx, bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.MultiWriter(os.Stdout, &out), io.MultiWriter(os.Stderr, &out)
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("imagegate %s: %v (want exit 0)", strings.Join(args, " "), err)
	}
	id := runID(b, reports)
	assertNothingLeft(b, id, work)
	d := readJUnit(b, filepath.Join(reports, id, "junit.xml"))
	if want := len(strings.Split(arches, ",")); len(d.Suites) != want {
		b.Fatalf("--parallel %s: %d testsuites, want %d", parallel, len(d.Suites), want)
	}
	say(b, "--parallel %s: %s wall (%s, label filter %q), reports %s", parallel, wall.Round(time.Second), arches, filter, filepath.Join(reports, id))
	return wall, filepath.Join(reports, id), out.String()
}

// BenchmarkMatrixParallel is issue 3's goal: the matrix run with --parallel
// auto must be faster than with --parallel 1, on the same targets.
func BenchmarkMatrixParallel(b *testing.B) {
	bin := e2eBinary(b)
	if arches, _ := benchMatrix(); !strings.Contains(arches, ",") {
		b.Skipf("one arch (%s): nothing to run in parallel; set ARCHES to two or more", arches)
	}
	for i := 0; i < b.N; i++ {
		serial, _, _ := benchRun(b, bin, "serial", "1")
		auto, dir, out := benchRun(b, bin, "auto", "auto")
		table, rss := phaseTable(b, dir)
		say(b, "--parallel auto, wall time by phase:\n%s", table)
		reportMemory(b, rss)
		b.ReportMetric(matrixEfficiency(b, dir, out, auto.Seconds()), "matrix-efficiency")
		speedup := serial.Seconds() / auto.Seconds()
		b.ReportMetric(serial.Seconds(), "serial-s")
		b.ReportMetric(auto.Seconds(), "auto-s")
		b.ReportMetric(speedup, "speedup")
		if speedup <= 1.05 {
			b.Errorf("--parallel auto took %s, --parallel 1 %s: not measurably faster", auto.Round(time.Second), serial.Round(time.Second))
		}
	}
}

// BenchmarkBootToSSH reports each arch's boot-to-SSH time (from launch to the
// first verified SSH login) from one target at a time, so that the figures
// are not slowed by a neighbour.
func BenchmarkBootToSSH(b *testing.B) {
	bin := e2eBinary(b)
	arches, _ := benchMatrix()
	for _, a := range strings.Split(arches, ",") {
		b.Run(a, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				reports, _ := filepath.Abs(filepath.Join("../../reports", "bench-boot-"+a))
				ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
				cmd := imagegateCmd(ctx, bin, "run", "--matrix", "../../fixtures/matrix.yaml", "--arch", a,
					"--reports", reports, "--work-dir", b.TempDir(), "--focus", "cloud-init finished")
				out, err := cmd.CombinedOutput()
				cancel()
				if err != nil {
					b.Fatalf("imagegate run --arch %s: %v\n%s", a, err, out)
				}
				sec, err := bootToSSH(filepath.Join(reports, "latest", "debian-12", a, "timings.json"))
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(sec, "boot-to-ssh-s")
			}
		})
	}
}

// say prints a line of the bench's table at once and whole, to standard
// output (go test streams it while benchmarking). b.Logf will not do: the
// testing package cuts a benchmark's log to its first 10 lines, which cut
// the phase tables and the overhead's summary from the output (seen in a
// four-pair run, 2026-12-04).
func say(b *testing.B, format string, args ...any) {
	text := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", "\n        ")
	fmt.Printf("    %s: %s\n", b.Name(), text)
}

// imagegateCmd runs imagegate until ctx ends, then interrupts it (so it
// destroys its guests) and waits up to 5 minutes for it to finish.
func imagegateCmd(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Minute
	return cmd
}

func bootToSSH(timings string) (float64, error) {
	raw, err := os.ReadFile(timings)
	if err != nil {
		return 0, err
	}
	var m map[string]float64
	if err := json.Unmarshal(raw, &m); err != nil {
		return 0, fmt.Errorf("%s: %w", timings, err)
	}
	s, ok := m["boot-to-ssh"]
	if !ok || s <= 0 {
		return 0, fmt.Errorf("%s has no boot-to-ssh time", timings)
	}
	return s, nil
}
