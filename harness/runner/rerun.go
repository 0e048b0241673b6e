package runner

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
)

// rerunFailed runs the failed checks of target i again, each time on a
// fresh guest booted from the same seed inputs (instance-id, hostname,
// user-data; a fresh key), at most e.RerunFailed times. A check that
// passes on a rerun is flaky; one that fails every time stays failed. A
// rerun that could not judge a check (its guest did not come up, the host
// failed) leaves the failure standing: only a pass changes anything.
//
// Each rerun runs only the checks still failing, in its own folder
// (rerun-N) with its own console and evidence, and holds a host slot
// like any target.
func (e *Executor) rerunFailed(ctx context.Context, p *Plan, i int, r Result, built report.Built) (Result, report.Built) {
	t := p.Targets[i]
	results := built.Target.Results
	for n := 1; n <= e.RerunFailed && ctx.Err() == nil; n++ {
		failed := catalogue.ToRerun(results)
		if len(failed) == 0 {
			break
		}
		e.board.Line(t.Label(), fmt.Sprintf("rerunning %d failed check(s) on a fresh guest (%d of %d) in %s/: %s",
			len(failed), n, e.RerunFailed, run.RerunDir(n), checkList(failed)))
		got, notRun := e.rerunOnce(ctx, p, i, n, failed)
		results = catalogue.MergeRerun(results, n, run.RerunDir(n), got, notRun)
	}
	rt := built.Target
	rt.Results = results
	r.Duration = time.Since(r.Started)
	rt.Duration = r.Duration
	return e.conclude(t, r, rt)
}

// rerunOnce runs the n-th rerun of target i's failed checks and returns
// its results, or why it has none.
func (e *Executor) rerunOnce(ctx context.Context, p *Plan, i, n int, failed []catalogue.Result) ([]catalogue.Result, string) {
	t, err := rerunTarget(p.Targets[i], p.Catalogues[i], n, failed)
	if err != nil {
		return nil, fmt.Sprintf("rerun %d could not start: %v", n, err)
	}
	pl, err := e.pool.acquire(ctx, p.Placements[i])
	if err != nil {
		return nil, fmt.Sprintf("rerun %d could not start: %v", n, err)
	}
	defer e.pool.release(pl.Host)
	placeOn(&t.Machine, pl)
	procErr := e.runChild(ctx, t)
	res, f, why := loadRun(t.Layout)
	switch {
	case f != nil:
		why = fmt.Sprintf("rerun %d: its guest did not come up or died: %s (%s fault)", n, f.Error(), f.Party)
	case procErr != "":
		why = fmt.Sprintf("rerun %d: %s", n, procErr)
	case why != "":
		why = fmt.Sprintf("rerun %d: %s", n, why)
	}
	return res, why
}

// rerunTarget is target t set up to run its failed checks again on a
// fresh guest: its own machine name and folders (rerun-N), the seed of
// t's first guest, never kept, and a selection of exactly those checks.
func rerunTarget(t run.Target, specs []catalogue.Spec, n int, failed []catalogue.Result) (run.Target, error) {
	from := t.Layout.Out
	t.Machine.Name = fmt.Sprintf("%s-r%d", t.Machine.Name, n)
	t.Machine.SSHPort = 0 // a kept first guest may still hold --ssh-port
	t.Layout = t.Layout.Rerun(n)
	t.Options.Keep, t.Options.KeepFailed, t.Options.Sibling = false, false, ""
	sel := run.Selection{LabelFilter: t.Options.Selection.LabelFilter,
		Text: fmt.Sprintf("rerun %d of the failed checks: %s", n, checkList(failed))}
	for _, r := range failed {
		if !slices.Contains(sel.Suites, r.Suite) {
			sel.Suites = append(sel.Suites, r.Suite)
		}
		sel.Focus = append(sel.Focus, regexp.QuoteMeta(r.Name)+"$")
		if needsSibling(specs, r) {
			t.Options.Sibling = run.SiblingLazy // booted only when the check asks
		}
	}
	t.Options.Selection = sel
	return t, reseedFrom(&t.Options, from)
}

func needsSibling(specs []catalogue.Spec, r catalogue.Result) bool {
	for _, s := range specs {
		if s.Key() == r.Key() {
			return slices.Contains(s.Labels, run.SiblingLabel)
		}
	}
	return false
}

// checkList lists checks for people, quoted.
func checkList(rs []catalogue.Result) string {
	var q []string
	for _, r := range rs {
		q = append(q, fmt.Sprintf("%q", r.Suite+" "+r.Name))
	}
	return strings.Join(q, ", ")
}

// flakyCount is how many checks of results were flaky.
func flakyCount(results []catalogue.Result) int {
	n := 0
	for _, r := range results {
		if r.Flaky() {
			n++
		}
	}
	return n
}
