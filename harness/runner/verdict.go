package runner

import (
	"fmt"
	"strings"
	"time"

	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/textx"
)

// judge reads what the child left (results, fault) and decides the
// target's verdict from the report built of it.
func (e *Executor) judge(p *Plan, i int, r Result, procErr string) (Result, report.Built) {
	t := p.Targets[i]
	r.Duration = time.Since(r.Started)
	rt := p.reportTarget(i, r)
	rt.Error = procErr
	if rt.Results, rt.Fault, r.Why = loadRun(t.Layout); r.Why != "" && rt.Error == "" {
		rt.Error = r.Why
	}
	return e.conclude(t, r, rt)
}

// conclude builds a target's report, takes its verdict from it and says
// so on the board.
func (e *Executor) conclude(t run.Target, r Result, rt report.Target) (Result, report.Built) {
	r, built := verdictOf(r, rt)
	label := map[string]string{Passed: "passed", Failed: "FAILED", Error: "ERROR (not judged)"}[r.Verdict]
	e.board.Finish(t.Label(), label)
	e.board.Line(t.Label(), fmt.Sprintf("%s in %s %s", strings.ToUpper(label), r.Duration.Round(time.Second), textx.Clip(textx.FirstLine(r.Why), 200)))
	return r, built
}

// verdictOf builds a target's report and takes its verdict from it.
func verdictOf(r Result, rt report.Target) (Result, report.Built) {
	built := report.BuildTarget(rt)
	r.Verdict, r.Why = report.Verdict(built.Suite)
	if n := flakyCount(rt.Results); n > 0 && r.Verdict == Passed {
		r.Why = fmt.Sprintf("%d flaky check(s): failed, then passed on a rerun (the policy decides)", n)
	}
	return r, built
}
