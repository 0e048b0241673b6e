package runner

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/cleanup"
	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/textx"
)

// Verdicts of a target.
const (
	Passed = "passed" // every selected check passed
	Failed = "failed" // a check found the image wrong
	Error  = "error"  // the image was not judged: a host fault, a check that could not run, an interrupt
)

// Result is how one target ended.
type Result struct {
	Target   run.Target
	Verdict  string // Passed, Failed or Error
	Why      string // the case that decided a failure or an error
	Started  time.Time
	Duration time.Duration
	// Retried lists why earlier attempts of the target were not judged.
	Retried []string
}

// Summary is the run's outcome.
type Summary struct {
	RunDir  string
	Results []Result
	// Production are the runs of the production images the candidates
	// were compared with: context, not part of the verdict.
	Production []Result
}

// ExitCode maps the outcome to imagegate's exit codes: 2 when any target
// was not judged, else 1 when any failed, else 0.
func (s Summary) ExitCode() int {
	code := ExitPassed
	for _, r := range s.Results {
		switch r.Verdict {
		case Error:
			return ExitError
		case Failed:
			code = ExitFailed
		}
	}
	return code
}

// Executor runs a plan. Self is the imagegate binary that runs one target
// (`imagegate run-target`); Out receives progress lines.
type Executor struct {
	Self string
	Out  io.Writer
	// Grace is how long interrupted children get to clean up.
	Grace time.Duration
	// Retries is how often a target that was not judged (an error: the
	// host failed, a check could not run) is run again. A failure of the
	// image is never retried.
	Retries int
	// RerunFailed is how often the failed checks of a target are run
	// again, each time on a fresh guest, to tell flaky checks (a rerun
	// passes) from broken ones (every rerun fails). The verdict of the
	// image stays the policy's.
	RerunFailed int

	pool    *hostPool
	mu      sync.Mutex
	results []Result
	reports []report.Built // each target's report as built so far
	board   *board
}

// Execute runs every target, at most Opts.Parallel at once. When ctx is
// cancelled (Ctrl-C, SIGTERM) the children are told to stop and clean up;
// whatever they leave is swept. The JUnit file is valid at every moment.
func (e *Executor) Execute(ctx context.Context, p *Plan) (Summary, error) {
	if e.Grace == 0 {
		e.Grace = 4 * time.Minute
	}
	if e.Self == "" {
		e.Self = p.Opts.Self // the binary that took the catalogues runs the targets
	}
	sum := Summary{RunDir: p.Layout.Reports}
	if err := p.prepareDirs(); err != nil {
		return sum, err
	}
	ids := make([]string, len(p.Targets))
	for i, t := range p.Targets {
		ids[i] = t.Label()
	}
	e.board = newBoard(e.Out, ids)
	defer e.board.Close()
	e.results = make([]Result, len(p.Targets))
	e.reports = make([]report.Built, len(p.Targets))
	for i, t := range p.Targets {
		e.results[i] = Result{Target: t, Verdict: Error, Why: "not started (the run was stopped first)"}
		e.reports[i] = report.BuildTarget(p.reportTarget(i, e.results[i]))
	}
	if err := e.writeReports(p); err != nil {
		return sum, err
	}
	e.logf("run %s: %d target(s), %d at a time (%s), reports in %s", p.RunID, len(p.Targets), p.Opts.Parallel, p.ParallelWhy, p.Layout.Reports)
	for i, w := range p.AccelWhy {
		e.logf("accelerator %s; %d of %d checks selected", w, catalogue.Selected(p.Catalogues[i]), len(p.Catalogues[i]))
	}
	for _, n := range append(p.HostNotes, p.CompareNotes...) {
		e.logf("%s", n)
	}
	e.pool = newHostPool(p.capacity)
	sem := make(chan struct{}, p.Opts.Parallel)
	var wg sync.WaitGroup
	for i := range p.Targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			e.runTarget(ctx, p, i)
			if err := e.writeReports(p); err != nil {
				e.logf("%s: writing reports: %v", p.Targets[i].Label(), err)
			}
		}()
	}
	wg.Wait()
	e.compared(ctx, p)
	for i, r := range e.results {
		if p.Targets[i].Role == "" {
			sum.Results = append(sum.Results, r)
		} else {
			sum.Production = append(sum.Production, r)
		}
	}
	return sum, cleanup.Join(e.writeReports(p), e.sweep(p))
}

func (e *Executor) logf(format string, args ...any) { e.board.Printf(format, args...) }

// runTarget runs target i, again when it was not judged (an error: the
// host failed, a check could not run), at most Retries more times. A
// failure of the image is never retried.
//
// A target holds a slot of a host of the pool while it runs. In a pool
// (--hosts), a target not judged on a host that no longer answers goes to
// the next host that can run it, without counting as a retry.
func (e *Executor) runTarget(ctx context.Context, p *Plan, i int) {
	var retried []string
	for attempt := 0; ; attempt++ {
		pl, err := e.pool.acquire(ctx, p.Placements[i])
		if ctx.Err() != nil {
			return // not started: the run was stopped first
		}
		if err != nil {
			r, rt := e.judge(p, i, Result{Target: p.Targets[i], Started: time.Now(), Retried: retried}, err.Error())
			e.keep(i, r, rt)
			writeRecord(p.Targets[i], rt)
			return
		}
		e.place(p, i, pl)
		r, rt := e.runOnce(ctx, p, i, retried)
		e.pool.release(pl.Host)
		e.keep(i, r, rt)
		t := p.Targets[i]
		if r.Verdict == Error && ctx.Err() == nil && len(p.Opts.Hosts) > 0 && e.pool.checkDown(pl) {
			retried = append(retried, fmt.Sprintf("host %s stopped answering: %s", pl.Host, r.Why))
			e.board.Line(t.Label(), fmt.Sprintf("host %s does not answer: moving to another host", pl.Host))
			attempt--
			continue
		}
		if r.Verdict != Error || attempt >= e.Retries || ctx.Err() != nil {
			if r.Verdict == Failed && e.RerunFailed > 0 && t.Role == "" {
				r, rt = e.rerunFailed(ctx, p, i, r, rt)
				e.keep(i, r, rt)
			}
			writeRecord(t, rt)
			return
		}
		retried = append(retried, r.Why)
		e.board.Line(t.Label(), fmt.Sprintf("not judged, retrying (%d of %d): %s", attempt+1, e.Retries, textx.Clip(textx.FirstLine(r.Why), 200)))
	}
}

func (e *Executor) keep(i int, r Result, rt report.Built) {
	e.mu.Lock()
	e.results[i], e.reports[i] = r, rt
	e.mu.Unlock()
}

// place puts target i on the host of pl (its URI, accelerator and boot
// budget there), saying so when the run has a pool.
func (e *Executor) place(p *Plan, i int, pl Placement) {
	placeOn(&p.Targets[i].Machine, pl)
	if len(p.Opts.Hosts) > 0 {
		e.board.Line(p.Targets[i].Label(), fmt.Sprintf("placed on host %s (%s: %s)", pl.Host, pl.Accel, pl.Why))
	}
}

// placeOn gives m the host of pl: its URI, accelerator and boot budget.
func placeOn(m *run.Machine, pl Placement) {
	m.URI, m.Accel, m.BootTimeout = pl.URI, string(pl.Accel), pl.BootTimeout
}

// runOnce runs one target in a child process and judges how it ended from
// the report built from its results.
func (e *Executor) runOnce(ctx context.Context, p *Plan, i int, retried []string) (Result, report.Built) {
	t := p.Targets[i]
	r := Result{Target: t, Started: time.Now(), Retried: retried}
	e.board.Start(t.Label())
	return e.judge(p, i, r, e.runChild(ctx, t))
}

// runChild runs t in a child process (imagegate run-target), its log and
// progress on the board, and says what went wrong with the process itself
// ("" when nothing did): its results and fault are in t's report folder.
func (e *Executor) runChild(ctx context.Context, t run.Target) string {
	in, logFile, err := prepareTarget(t)
	if err != nil {
		return err.Error()
	}
	defer logFile.Close()
	e.board.Line(t.Label(), fmt.Sprintf("started (%s, boot timeout %s)", t.Machine.Accel, t.Machine.BootTimeout))
	c, err := startChild(e.Self, in, logFile)
	if err != nil {
		return err.Error()
	}
	copied := make(chan struct{}, 2)
	go func() { // the human log: to run.log and the screen
		defer func() { copied <- struct{}{} }()
		sc := bufio.NewScanner(c.log)
		for sc.Scan() {
			fmt.Fprintln(logFile, sc.Text())
			e.board.Line(t.Label(), sc.Text())
		}
	}()
	rec := newEventRecorder(t.Layout)
	go func() { // progress as data: the board and timings.json
		defer func() { copied <- struct{}{} }()
		defer c.events.Close() // our end of the pipe, read to its end
		event.Read(c.events, func(ev event.Event) {
			rec.add(ev)
			e.board.Event(t.Label(), ev)
		})
	}()
	cmd := c.cmd
	waited := make(chan error, 1)
	go func() { <-copied; <-copied; waited <- cmd.Wait() }()
	var werr error
	select {
	case werr = <-waited:
	case <-ctx.Done():
		e.board.Line(t.Label(), fmt.Sprintf("interrupted: stopping and cleaning up (up to %s)", e.Grace))
		cmd.Process.Signal(os.Interrupt)
		select {
		case werr = <-waited:
		case <-time.After(e.Grace):
			cmd.Process.Kill()
			werr = <-waited
		}
	}
	rec.close()
	report.WriteTimeline(t.Layout.Out) // a picture of events.jsonl; none when there are no events
	return processError(t, werr, ctx.Err() != nil)
}
