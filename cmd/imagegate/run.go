package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/runner"
	"github.com/imagegate/imagegate/harness/textx"
)

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imagegate run", flag.ContinueOnError)
	var o runner.Options
	var arches, images, suites string
	var focus multiFlag
	targetFlags(fs, &o, &images, &arches)
	fs.StringVar(&suites, "suite", "", "comma-separated suites to run (default: the image's, else all)")
	fs.StringVar(&o.LabelFilter, "label-filter", "", "Ginkgo label filter `EXPR`, e.g. 'suite:baseline && !slow'")
	fs.Var(&focus, "focus", "run only specs whose text matches `REGEX` (repeatable)")
	fs.BoolVar(&o.Keep, "keep", false, "leave guests running and their disks in place (for debugging)")
	fs.BoolVar(&o.KeepFailed, "keep-failed", false, "keep the disk (overlay) of a target with a failed check in its report folder")
	fs.StringVar(&o.Shard, "shard", "", "run only part `i/n` of the matrix (deterministic), to share it between agents")
	retries := fs.Int("retries", 1, "times to re-run a target that hit an infrastructure error (never a failed check)")
	fs.StringVar(&o.CompareTo, "compare-to", "", "production repo `DIR`: also boot the image promoted there last for each candidate (same host, accelerator, suites) and mark each check new failure, still failing, fixed or unchanged; compare.json says what changed")
	rerunFailed := fs.Int("rerun-failed", 0, "run each failed check again up to `K` times, each on a fresh guest from the same seed: one that then passes is reported flaky, and the policy's flaky: rule decides")
	parallel := fs.String("parallel", "auto", "targets to run at once: `N` or auto (by CPUs and free memory)")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "imagegate run: unexpected argument %q (flags only; see -h)\n", fs.Arg(0))
		return runner.ExitError
	}
	o.Arches, o.Images, o.Suites, o.Focus = split(arches), split(images), split(suites), focus
	if *retries < 0 || *rerunFailed < 0 {
		fmt.Fprintf(stderr, "imagegate run: --retries %d, --rerun-failed %d: want 0 or more\n", *retries, *rerunFailed)
		return runner.ExitError
	}
	var err error
	if o.Parallel, err = runner.ParseParallel(*parallel); err != nil {
		fmt.Fprintf(stderr, "imagegate: %v\n", err)
		return runner.ExitError
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	plan, err := newPlan(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "imagegate: %v\n", err)
		return runner.ExitError
	}
	sum, err := (&runner.Executor{Self: plan.Opts.Self, Out: stdout, Retries: *retries, RerunFailed: *rerunFailed}).Execute(ctx, plan)
	printSummary(stdout, sum)
	if err != nil {
		fmt.Fprintf(stderr, "imagegate: %v\n", err)
		return runner.ExitError
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "imagegate: interrupted; partial reports written")
		return runner.ExitError
	}
	return sum.ExitCode()
}

func printSummary(w io.Writer, s runner.Summary) {
	if s.RunDir == "" {
		return
	}
	fmt.Fprintf(w, "\nreports: %s/junit.xml\n", s.RunDir)
	for _, r := range append(s.Results, s.Production...) {
		state := map[string]string{runner.Passed: "passed", runner.Failed: "FAILED", runner.Error: "error (not judged)"}[r.Verdict]
		fmt.Fprintf(w, "  %-28s %-20s %-8s %s\n", r.Target.Label(), state, r.Duration.Round(1e9), textx.Clip(textx.FirstLine(r.Why), 160))
	}
}

func cmdRunTarget(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imagegate run-target", flag.ContinueOnError)
	path := fs.String("target", "", "target JSON written by imagegate run")
	cat := fs.String("catalogue", "", "write the target's catalogue to `FILE` (a dry run: nothing boots)")
	eventsFD := fs.Int("events", 0, "write progress events as JSON lines to file descriptor `FD` (the parent's pipe)")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if *path == "" {
		fmt.Fprintln(stderr, "imagegate run-target: --target FILE is required (this command is run by 'imagegate run')")
		return runner.ExitError
	}
	t, err := run.Read(*path)
	if err != nil {
		fmt.Fprintf(stderr, "imagegate run-target: %v\n", err)
		return runner.ExitError
	}
	if *cat != "" {
		return takeCatalogue(t, *cat, stderr)
	}
	var events *event.Sink
	if *eventsFD > 2 {
		syscall.CloseOnExec(*eventsFD) // the pipe ends with us, not with a tool we run
		f := os.NewFile(uintptr(*eventsFD), "events")
		defer f.Close()
		events = event.NewSink(f)
	}
	ok, err := framework.RunTarget(t, stderr, events)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "imagegate run-target: %v\n", err)
		return runner.ExitError
	case !ok:
		return runner.ExitFailed
	}
	return runner.ExitPassed
}

// takeCatalogue writes t's catalogue to path (Ginkgo prints its dry run on
// stdout, so the catalogue goes to a file).
func takeCatalogue(t run.Target, path string, stderr io.Writer) int {
	var b bytes.Buffer
	err := framework.TakeCatalogue(t, &b)
	if err == nil {
		err = os.WriteFile(path, b.Bytes(), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "imagegate run-target: %v\n", err)
		return runner.ExitError
	}
	return runner.ExitPassed
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
