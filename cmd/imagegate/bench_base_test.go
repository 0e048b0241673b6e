package main

// BenchmarkAgainstBase measures issue 11's before/after side by side: the
// imagegate of an earlier revision and this one run the same full target
// in turn, on the same machine and fixture, so a slow day slows both.

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// benchBase is the revision compared against: IMAGEGATE_BENCH_BASE, by
// default the code before the speed work (a second boot for the sibling,
// a reboot per suite, evidence item by item, every check asking the guest
// afresh). The commits between it and the speed work only restructure,
// and the last of them cannot run targets (`run` lost its own path).
func benchBase() string {
	if r := os.Getenv("IMAGEGATE_BENCH_BASE"); r != "" {
		return r
	}
	return "19c8aef"
}

// BenchmarkAgainstBase runs one full x86_64 target (every check, slow ones
// included) with the base revision's imagegate and with this one, in turn,
// IMAGEGATE_BENCH_PAIRS times (default 1), and prints each run's target
// time and quick checks (the baseline's checks not labelled slow: no boot,
// no reboot, no second instance), then the ratios of the sums (goals: 0.65
// and 0.5), and this imagegate's peak guest memory (goal 800 MB). It
// fails only on a broken measurement: a base that does not build, a run
// that does not pass, a quick check missing from either run.
func BenchmarkAgainstBase(b *testing.B) {
	bin := e2eBinary(b)
	base, baseMatrix := buildBase(b, benchBase())
	pairs, _ := strconv.Atoi(os.Getenv("IMAGEGATE_BENCH_PAIRS"))
	for i := 0; i < b.N; i++ {
		var sum [2]baseRun
		var rss []float64 // this imagegate's guests
		for p := 0; p < max(pairs, 1); p++ {
			for k, side := range []struct{ name, bin, matrix string }{
				{"base", base, baseMatrix}, {"head", bin, "../../fixtures/matrix.yaml"}} {
				r := fullTarget(b, side.name, side.bin, side.matrix)
				say(b, "pair %d, %s: target %.0fs, %d quick checks %.1fs, peak RSS %.0f MiB", p+1, side.name, r.target, r.n, r.quick, r.rss)
				sum[k].add(r)
				if k == 1 {
					rss = append(rss, r.rss)
				}
			}
		}
		if sum[0].n != sum[1].n {
			b.Fatalf("quick checks: %d in the base's runs, %d in this one's: not the same checks", sum[0].n, sum[1].n)
		}
		say(b, "x86_64, this imagegate against %s's, sums of %d pair(s): full target %.0fs against %.0fs (%.2f×, goal 0.65); quick checks %.1fs against %.1fs (%.2f×, goal 0.5)",
			benchBase(), max(pairs, 1), sum[1].target, sum[0].target, sum[1].target/sum[0].target, sum[1].quick, sum[0].quick, sum[1].quick/sum[0].quick)
		b.ReportMetric(sum[1].target/sum[0].target, "target-ratio")
		b.ReportMetric(sum[1].quick/sum[0].quick, "quick-ratio")
		reportMemory(b, rss)
	}
}

// buildBase extracts rev (git archive) and builds its imagegate; it
// returns the binary and that revision's matrix.
func buildBase(b *testing.B, rev string) (bin, matrix string) {
	dir := b.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	tarball := filepath.Join(dir, "base.tar")
	archive := exec.CommandContext(ctx, "git", "archive", "--format=tar", "--output", tarball, rev)
	archive.Dir = "../.."
	if out, err := archive.CombinedOutput(); err != nil {
		b.Fatalf("git archive %s: %v\n%s", rev, err, out)
	}
	if out, err := exec.CommandContext(ctx, "tar", "-xf", tarball, "-C", dir).CombinedOutput(); err != nil {
		b.Fatalf("unpack %s: %v\n%s", rev, err, out)
	}
	bin = filepath.Join(dir, "imagegate-base")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/imagegate")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build imagegate at %s: %v\n%s", rev, err, out)
	}
	return bin, filepath.Join(dir, "fixtures", "matrix.yaml")
}

// baseRun is one full target's time, its quick checks' total and its
// guest's peak memory (0 when the run did not measure it).
type baseRun struct {
	target, quick, rss float64
	n                  int
}

func (s *baseRun) add(r baseRun) { s.target += r.target; s.quick += r.quick; s.n = r.n }

// fullTarget runs the x86_64 target of matrix with bin into
// reports/bench-base-NAME and reads its times.
func fullTarget(b *testing.B, name, bin, matrix string) baseRun {
	reports, _ := filepath.Abs(filepath.Join("../../reports", "bench-base-"+name))
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	work := b.TempDir()
	// Both sides under TCG, which the goals are about.
	cmd := imagegateCmd(ctx, bin, "run", "--matrix", matrix, "--image", "debian-12", "--arch", "x86_64",
		"--accel", "tcg", "--reports", reports, "--work-dir", work)
	withoutKVM(b, cmd)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: imagegate run: %v (want exit 0)\n%s", name, err, out)
	}
	id := runID(b, reports)
	assertNothingLeft(b, id, work)
	r, err := readBaseRun(filepath.Join(reports, id))
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	dir := filepath.Join(reports, id, "debian-12", "x86_64")
	if _, err := os.Stat(filepath.Join(dir, "resources.json")); err == nil || name == "head" {
		r.rss = peakRSS(b, dir) // the base may predate resources.json
	}
	return r
}

// withoutKVM makes cmd run where /dev/kvm cannot be opened for writing (a
// read-only bind mount of an empty file over it, in a mount namespace of
// its own), so neither side runs a KVM probe. The base's probe hangs where
// QEMU dies under KVM (it writes to an io.Pipe nobody reads any more: seen
// in a goroutine dump on this machine, 2026-12-04), and its --accel tcg
// still probes first. The guests' QEMU is libvirtd's, outside the namespace.
func withoutKVM(b *testing.B, cmd *exec.Cmd) {
	if _, err := os.Stat("/dev/kvm"); err != nil {
		return // nothing to hide
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		b.Fatalf("hiding /dev/kvm from the runs: %v (install util-linux)", err)
	}
	blank := filepath.Join(b.TempDir(), "kvm")
	if err := os.WriteFile(blank, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	script := `mount --bind "$0" /dev/kvm && mount -o remount,bind,ro /dev/kvm && exec "$@"`
	cmd.Args = append([]string{unshare, "--mount", "--propagation", "private", "--", "sh", "-c", script, blank, cmd.Path}, cmd.Args[1:]...)
	cmd.Path = unshare
}

// readBaseRun reads a one-target run: the testsuite's time, and the times
// of the baseline's passed checks without the slow label (labels from
// target.json, times from junit.xml).
func readBaseRun(run string) (baseRun, error) {
	var rec struct {
		Checks []struct {
			Suite, Name, Fate string
			Labels            []string
		} `json:"checks"`
	}
	raw, err := os.ReadFile(filepath.Join(run, "debian-12", "x86_64", "target.json"))
	if err == nil {
		err = json.Unmarshal(raw, &rec)
	}
	if err != nil {
		return baseRun{}, fmt.Errorf("target.json: %w", err)
	}
	var doc struct {
		Suites []struct {
			Time  float64 `xml:"time,attr"`
			Cases []struct {
				Name string  `xml:"name,attr"`
				Time float64 `xml:"time,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if raw, err = os.ReadFile(filepath.Join(run, "junit.xml")); err == nil {
		err = xml.Unmarshal(raw, &doc)
	}
	if err != nil || len(doc.Suites) != 1 {
		return baseRun{}, fmt.Errorf("junit.xml: want one testsuite (%v)", err)
	}
	times := map[string]float64{}
	for _, c := range doc.Suites[0].Cases {
		times[c.Name] = c.Time
	}
	r := baseRun{target: doc.Suites[0].Time}
	for _, c := range rec.Checks {
		if c.Suite != "baseline" || slices.Contains(c.Labels, "slow") || c.Fate == "not-selected" {
			continue
		}
		t, ok := times[c.Name]
		if !ok {
			return r, fmt.Errorf("junit.xml has no case %q", c.Name)
		}
		r.quick += t
		r.n++
	}
	if r.n == 0 || r.target <= 0 {
		return r, fmt.Errorf("%s: no quick checks or no target time", run)
	}
	return r, nil
}
