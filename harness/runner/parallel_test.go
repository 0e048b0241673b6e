package runner

import (
	"testing"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/run"
)

func TestParseParallel(t *testing.T) {
	for in, want := range map[string]int{"": 0, "auto": 0, "3": 3} {
		if got, err := ParseParallel(in); err != nil || got != want {
			t.Errorf("ParseParallel(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"0", "-1", "many"} {
		if _, err := ParseParallel(bad); err == nil || !IsUsage(err) {
			t.Errorf("ParseParallel(%q) = %v; want a usage error", bad, err)
		}
	}
}

func TestAutoParallelBounds(t *testing.T) {
	one := []run.Target{{Machine: run.Machine{MemoryMiB: 1024}}}
	if n, _ := AutoParallel(one); n != 1 {
		t.Errorf("one target: %d workers", n)
	}
	huge := make([]run.Target, 64)
	for i := range huge {
		huge[i].Machine.MemoryMiB = 1 << 30 // 1 PiB each: memory allows none, still one runs
	}
	if n, why := AutoParallel(huge); n != 1 {
		t.Errorf("targets larger than memory: %d workers (%s)", n, why)
	}
}

func TestAutoParallelByCPUsAndMemory(t *testing.T) {
	targets := make([]run.Target, 8)
	for i := range targets {
		targets[i].Machine.MemoryMiB = 1024 // (1024+512) MiB a guest, two guests a target
	}
	for _, c := range []struct {
		cpus, availMiB, want int
	}{
		{2, 23000, 2},    // this machine: CPUs decide
		{16, 8192, 2},    // memory decides: 8192 / 3072
		{16, 2000, 1},    // less than one target's worth: still one
		{16, 0, 8},       // memory unknown: CPUs and targets decide
		{64, 1 << 20, 8}, // never more workers than targets
	} {
		n, why := autoParallel(c.cpus, c.availMiB, targets)
		if n != c.want {
			t.Errorf("autoParallel(%d CPUs, %d MiB) = %d (%s), want %d", c.cpus, c.availMiB, n, why, c.want)
		}
	}
	if _, why := autoParallel(2, 23000, targets); why != "2 CPUs, 23000 MiB available, 3072 MiB per target (up to 2 guests)" {
		t.Errorf("why = %q", why)
	}
}

func TestSiblingsBootEarlyOnlyWithRoom(t *testing.T) {
	cat := func(selected bool) []catalogue.Spec {
		return []catalogue.Spec{{Suite: "b", Name: "x"}, {Suite: "b", Name: "two boots", Labels: []string{"slow", run.SiblingLabel}, Selected: selected}}
	}
	for _, c := range []struct {
		parallel, cpus int
		selected       bool
		want           string
	}{
		{1, 2, true, run.SiblingEarly}, // a lone target on two cores: both guests at once
		{2, 2, true, run.SiblingLazy},  // two targets on two cores: one guest each
		{1, 1, true, run.SiblingLazy},
		{1, 8, false, ""}, // no check asks for one
	} {
		p := &Plan{Opts: Options{Parallel: c.parallel}, Targets: make([]run.Target, 1), Catalogues: [][]catalogue.Spec{cat(c.selected)}}
		p.planSiblings(c.cpus)
		if got := p.Targets[0].Options.Sibling; got != c.want {
			t.Errorf("parallel %d on %d CPUs, selected %v: sibling %q, want %q", c.parallel, c.cpus, c.selected, got, c.want)
		}
	}
}
