package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/imagegate/imagegate/harness/cleanup"
	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/vm/libvirt"
)

// Result is how one target ended.
type Result struct {
	Target   framework.Target
	Passed   bool
	Infra    string // non-empty: the image was not judged
	Started  time.Time
	Duration time.Duration
}

// Summary is the run's outcome.
type Summary struct {
	RunDir  string
	Results []Result
}

// ExitCode maps the outcome to imagegate's exit codes.
func (s Summary) ExitCode() int {
	code := ExitPassed
	for _, r := range s.Results {
		switch {
		case r.Infra != "":
			return ExitError
		case !r.Passed:
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
	// Retries is how often a target that hit an infrastructure error is
	// run again.
	Retries int

	mu      sync.Mutex
	results []Result
	board   *board
}

// Execute runs every target, at most Opts.Parallel at once. When ctx is
// cancelled (Ctrl-C, SIGTERM) the children are told to stop and clean up;
// whatever they leave is swept. The JUnit file is valid at every moment.
func (e *Executor) Execute(ctx context.Context, p *Plan) (Summary, error) {
	if e.Grace == 0 {
		e.Grace = 4 * time.Minute
	}
	sum := Summary{RunDir: p.RunDir}
	if err := p.prepareDirs(); err != nil {
		return sum, err
	}
	ids := make([]string, len(p.Targets))
	for i, t := range p.Targets {
		ids[i] = t.ID()
	}
	e.board = newBoard(e.Out, ids)
	defer e.board.Close()
	e.results = make([]Result, len(p.Targets))
	for i, t := range p.Targets {
		e.results[i] = Result{Target: t, Infra: "not started (the run was stopped first)"}
	}
	if err := e.writeReports(p); err != nil {
		return sum, err
	}
	e.logf("run %s: %d target(s), %d at a time (%s), reports in %s", p.RunID, len(p.Targets), p.Opts.Parallel, p.ParallelWhy, p.RunDir)
	for _, w := range p.AccelWhy {
		e.logf("accelerator %s", w)
	}
	sem := make(chan struct{}, p.Opts.Parallel)
	var wg sync.WaitGroup
	for i, t := range p.Targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			r := e.runTarget(ctx, t)
			e.mu.Lock()
			e.results[i] = r
			e.mu.Unlock()
			if err := e.writeReports(p); err != nil {
				e.logf("%s: writing reports: %v", t.ID(), err)
			}
		}()
	}
	wg.Wait()
	sum.Results = e.results
	return sum, cleanup.Join(e.writeReports(p), e.sweep(p))
}

func (e *Executor) logf(format string, args ...any) { e.board.Printf(format, args...) }

// runTarget runs a target, again when the host failed (an infrastructure
// error: libvirtd gone, a port clash, no memory), at most Retries more
// times. A failure of the image is never retried.
func (e *Executor) runTarget(ctx context.Context, t framework.Target) Result {
	r := e.runOnce(ctx, t)
	for attempt := 1; attempt <= e.Retries && r.Infra != "" && ctx.Err() == nil; attempt++ {
		e.board.Line(t.ID(), fmt.Sprintf("infrastructure error, retrying (%d of %d): %s", attempt, e.Retries, firstLine(r.Infra)))
		for _, f := range []string{framework.InfraErrorFile, "ginkgo.json"} {
			os.Remove(filepath.Join(t.OutDir, f))
		}
		r = e.runOnce(ctx, t)
	}
	return r
}

// runOnce runs one target in a child process and judges how it ended.
func (e *Executor) runOnce(ctx context.Context, t framework.Target) Result {
	r := Result{Target: t, Started: time.Now()}
	if err := os.MkdirAll(t.OutDir, 0o755); err != nil {
		r.Infra = err.Error()
		return r
	}
	tfile := filepath.Join(t.OutDir, "target.json")
	if err := framework.WriteTarget(tfile, t); err != nil {
		r.Infra = err.Error()
		return r
	}
	logFile, err := os.Create(filepath.Join(t.OutDir, "run.log"))
	if err != nil {
		r.Infra = err.Error()
		return r
	}
	defer logFile.Close()
	e.board.Start(t.ID())
	e.board.Line(t.ID(), fmt.Sprintf("started (%s, boot timeout %s)", t.Accel, t.BootTimeout))
	cmd := exec.Command(e.Self, "run-target", "--target", tfile)
	cmd.Stdout = logFile
	progress, _ := cmd.StderrPipe()
	// Own process group: a terminal's Ctrl-C reaches only us, and we pass
	// exactly one interrupt on, so Ginkgo runs its cleanup once. If we die,
	// the child is told to stop.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		r.Infra = fmt.Sprintf("start %s run-target: %v", e.Self, err)
		return r
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(progress)
		for sc.Scan() {
			fmt.Fprintln(logFile, sc.Text())
			e.board.Line(t.ID(), sc.Text())
		}
	}()
	waited := make(chan error, 1)
	go func() { <-copied; waited <- cmd.Wait() }()
	var werr error
	select {
	case werr = <-waited:
	case <-ctx.Done():
		e.board.Line(t.ID(), fmt.Sprintf("interrupted: stopping and cleaning up (up to %s)", e.Grace))
		cmd.Process.Signal(os.Interrupt)
		select {
		case werr = <-waited:
		case <-time.After(e.Grace):
			cmd.Process.Kill()
			werr = <-waited
		}
	}
	return e.judge(r, werr)
}

func (e *Executor) judge(r Result, werr error) Result {
	t := r.Target
	code := 0
	var exit *exec.ExitError
	switch {
	case werr == nil:
	case errors.As(werr, &exit) && exit.ExitCode() >= 0:
		code = exit.ExitCode()
	default:
		r.Infra = fmt.Sprintf("run-target for %s ended abnormally: %v", t.ID(), werr)
	}
	if b, err := os.ReadFile(filepath.Join(t.OutDir, framework.InfraErrorFile)); err == nil {
		r.Infra = strings.TrimSpace(string(b))
	}
	if _, err := os.Stat(filepath.Join(t.OutDir, "ginkgo.json")); err != nil && r.Infra == "" {
		r.Infra = fmt.Sprintf("run-target for %s exited %d without a report; see %s", t.ID(), code, filepath.Join(t.OutDir, "run.log"))
	}
	if code == ExitError && r.Infra == "" {
		r.Infra = fmt.Sprintf("run-target for %s could not run; see %s", t.ID(), filepath.Join(t.OutDir, "run.log"))
	}
	r.Duration = time.Since(r.Started)
	r.Passed = code == 0 && r.Infra == ""
	verdict := map[bool]string{true: "passed", false: "FAILED"}[r.Passed]
	if r.Infra != "" {
		verdict = "ERROR (not judged)"
	}
	e.board.Finish(t.ID(), verdict)
	e.board.Line(t.ID(), fmt.Sprintf("%s in %s %s", strings.ToUpper(verdict), r.Duration.Round(time.Second), firstLine(r.Infra)))
	return r
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// writeReports rewrites junit.xml and the merged Ginkgo JSON from what is
// known now; called after every target so a crash leaves valid XML.
func (e *Executor) writeReports(p *Plan) error {
	e.mu.Lock()
	results := append([]Result(nil), e.results...)
	e.mu.Unlock()
	var targets []report.Target
	var merged []types.Report
	for _, r := range results {
		t := r.Target
		gj := filepath.Join(t.OutDir, "ginkgo.json")
		targets = append(targets, report.Target{
			ID: t.ID(), GinkgoJSON: gj, Console: filepath.Join(t.OutDir, "console.log"),
			Started: r.Started, Duration: r.Duration, Error: r.Infra,
			Properties: [][2]string{{"image", t.Image}, {"arch", t.Arch}, {"accel", t.Accel},
				{"image.sha256", t.SHA256}, {"image.path", t.ImagePath}, {"run-id", t.RunID}},
			Attachments: evidenceFiles(t.OutDir), Reproduce: reproducer(p, t),
		})
		if b, err := os.ReadFile(gj); err == nil {
			var rs []types.Report
			if json.Unmarshal(b, &rs) == nil {
				merged = append(merged, rs...)
			}
		}
	}
	doc, err := report.Build(targets)
	if err != nil {
		return err
	}
	if err := report.WriteFile(filepath.Join(p.RunDir, "junit.xml"), doc); err != nil {
		return err
	}
	if err := report.WritePage(filepath.Join(p.RunDir, "index.html"), report.BuildPage(p.RunID, p.RunDir, doc, targets)); err != nil {
		return err
	}
	b, err := json.MarshalIndent(merged, "", "  ")
	if err != nil {
		return err
	}
	return report.AtomicWrite(filepath.Join(p.RunDir, "ginkgo.json"), b)
}

// evidenceFiles lists a target's evidence for JUnit attachments.
func evidenceFiles(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "target.json" && e.Name() != "ginkgo.json" {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// reproducer is the command that boots the same digest on the same arch
// and leaves the guest up; report adds --focus per failed spec.
func reproducer(p *Plan, t framework.Target) string {
	cmd := fmt.Sprintf("imagegate run --matrix %s --image %s --arch %s --expect-sha256 %s --keep",
		p.Opts.Matrix, t.Image, t.Arch, t.SHA256)
	if p.Opts.LibvirtURI != "" && p.Opts.LibvirtURI != libvirt.DefaultURI {
		cmd += " --libvirt-uri '" + p.Opts.LibvirtURI + "'"
	}
	return cmd
}

// sweep destroys any domain of this run still defined and removes the
// run's work folder (overlays, seeds). With --keep it leaves both.
func (e *Executor) sweep(p *Plan) error {
	if p.Opts.Keep {
		e.logf("--keep: leaving domains and %s in place", p.WorkDir)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	d, err := libvirt.Connect(ctx, p.Opts.LibvirtURI)
	if err == nil {
		names, err := d.ListDomains(ctx, "imagegate-"+p.RunID+"-")
		errs = append(errs, err)
		for _, n := range names {
			e.logf("sweep: destroying leftover domain %s", n)
			errs = append(errs, d.DestroyByName(ctx, n))
		}
		errs = append(errs, d.Close())
	} else {
		errs = append(errs, fmt.Errorf("sweep: %w", err))
	}
	errs = append(errs, os.RemoveAll(p.WorkDir))
	return cleanup.Join(errs...)
}
