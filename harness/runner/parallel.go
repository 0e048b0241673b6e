package runner

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/imagegate/imagegate/harness/run"
)

// guestOverheadMiB is what a guest costs beyond its RAM: QEMU itself and
// the capped TCG translation cache (vm.TBCacheMiB, which a guest fills).
// A 1 GiB guest peaked at 630-700 MiB with a 192 MiB cache: much of its
// RAM stays untouched, so this bound is generous.
const guestOverheadMiB = 512

// ParseParallel reads --parallel: a positive number or "auto" (0).
func ParseParallel(s string) (int, error) {
	if s == "" || s == "auto" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, usage(fmt.Errorf("--parallel %q: want a positive number or auto", s))
	}
	return n, nil
}

// guestsPerTarget is how many guests one target may run at once: the
// first-boot uniqueness spec boots a second instance beside the first.
const guestsPerTarget = 2

// AutoParallel sizes the worker pool by host CPUs and available memory:
// each emulated guest keeps about one core busy, and every target must fit
// in memory with its guests' overhead. Never more than the targets, never
// less than one.
func AutoParallel(targets []run.Target) (int, string) {
	return autoParallel(runtime.NumCPU(), memAvailableMiB(), targets)
}

func autoParallel(cpus, availMiB int, targets []run.Target) (int, string) {
	per := guestOverheadMiB
	for _, t := range targets {
		per = max(per, t.Machine.MemoryMiB+guestOverheadMiB)
	}
	per *= guestsPerTarget
	byMem := len(targets)
	if availMiB > 0 {
		byMem = availMiB / per
	}
	n := max(1, min(cpus, byMem, len(targets)))
	return n, fmt.Sprintf("%d CPUs, %d MiB available, %d MiB per target (up to %d guests)", cpus, availMiB, per, guestsPerTarget)
}

func memAvailableMiB() int {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb / 1024
		}
	}
	return 0
}

// planSiblings tells each target whose selected checks boot a second
// instance when to boot it: beside the first guest when every target's two
// guests have a core each (a lone target on a small host), else when the
// check asks, so that parallel targets do not starve each other.
func (p *Plan) planSiblings(cpus int) {
	mode := run.SiblingLazy
	if p.Opts.Parallel*guestsPerTarget <= cpus {
		mode = run.SiblingEarly
	}
	for i := range p.Targets {
		for _, s := range p.Catalogues[i] {
			if s.Selected && slices.Contains(s.Labels, run.SiblingLabel) {
				p.Targets[i].Options.Sibling = mode
				break
			}
		}
	}
}
