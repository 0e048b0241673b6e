package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/buildinfo"
	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/cleanup"
	"github.com/imagegate/imagegate/harness/digest"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/vm"
)

// reportTarget is what target i's report is built from, before the
// attempt's results and fault are loaded.
func (p *Plan) reportTarget(i int, r Result) report.Target {
	t := p.Targets[i]
	specs := p.Catalogues[i]
	props := [][2]string{{report.PropImage, t.Image.Name}, {report.PropArch, t.Image.Arch}, {report.PropAccel, t.Machine.Accel},
		{report.PropImageSHA256, t.Image.SHA256}, {report.PropImagePath, t.Image.Path}, {report.PropRunID, t.RunID},
		{report.PropHost, vm.HostOf(t.Machine.URI)},
		{report.PropVersion, buildinfo.Version()},
		{report.PropCatalogue, catalogue.Digest(specs)}, {report.PropSpecs, fmt.Sprint(len(specs))},
		{report.PropSelection, t.Options.Selection.Text}, {report.PropRerun, p.rerun(t)},
		{report.PropProfile, t.Options.ProfileSource}, {report.PropProfileSHA256, digest.Bytes([]byte(t.Options.Profile))}}
	if len(t.Options.SuiteDirs) > 0 {
		var lines []string
		for _, d := range t.Options.SuiteDirs {
			lines = append(lines, fmt.Sprintf("%s %s sha256:%s", d.Name, d.Dir, d.SHA256))
		}
		props = append(props, [2]string{report.PropSuiteDirs, strings.Join(lines, "; ")})
	}
	if len(r.Retried) > 0 {
		props = append(props, [2]string{report.PropRetried, fmt.Sprintf("%d: %s", len(r.Retried), strings.Join(r.Retried, " | "))})
	}
	rt := report.Target{ID: t.ID(), Properties: props, Catalogue: specs, Selection: t.Options.Selection.Text,
		Console: t.Layout.Console(), Started: r.Started, Duration: r.Duration,
		Attachments: evidenceFiles(t.Layout.Out), Reproduce: p.reproducer(t)}
	if r.Started.IsZero() {
		rt.Error = r.Why // never started
	}
	return rt
}

// rerun is the command that tests the same image digest on the same arch
// again (the gate adds --suite); reproducer builds on it.
func (p *Plan) rerun(t run.Target) string {
	cmd := fmt.Sprintf("%s run --matrix %s --image %s --arch %s --expect-sha256 %s", report.Invocation(p.Opts.Self),
		report.ShellQuote(p.Opts.Matrix), t.Image.Name, t.Image.Arch, t.Image.SHA256)
	if uri := t.Machine.URI; uri != "" && uri != vm.DefaultURI { // the host it ran on, also in a pool
		cmd += " --libvirt-uri " + report.ShellQuote(uri)
	}
	if p.Opts.Profile != "" {
		cmd += " --profile " + report.ShellQuote(p.Opts.Profile)
	}
	for _, d := range p.Opts.SuiteDirs {
		abs, _ := filepath.Abs(d)
		cmd += " --suite-dir " + report.ShellQuote(abs)
	}
	return cmd
}

// reproducer is rerun on the same accelerator, booting with this run's
// seed (the target's report folder keeps it) and a fresh key, and leaving
// the guest up for `imagegate ssh`; the report adds --suite and --focus for
// a failed check.
func (p *Plan) reproducer(t run.Target) string {
	return fmt.Sprintf("%s --accel %s --seed-from %s --keep", p.rerun(t), t.Machine.Accel, report.ShellQuote(t.Layout.Out))
}

// evidenceFiles lists a target's evidence for JUnit attachments.
func evidenceFiles(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if !e.IsDir() && !run.Internal(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// writeRecord writes the target's target.json: its catalogue with each
// check's fate, as the JUnit report has it, for tools that read JSON.
func writeRecord(t run.Target, built report.Built) {
	b, err := report.Record(built)
	if err == nil {
		err = atomicfile.Write(t.Layout.Record(), b, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "imagegate: %s: target.json: %v\n", t.ID(), err)
	}
}

// sweep destroys any domain of this run still defined and removes the
// run's work folder (overlays, seeds). With --keep it leaves both.
func (e *Executor) sweep(p *Plan) error {
	if p.Opts.Keep {
		e.logf("--keep: leaving domains and %s in place", p.Layout.Work)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	for _, uri := range e.sweepURIs(p) {
		errs = append(errs, e.sweepHost(ctx, p, uri))
	}
	errs = append(errs, os.RemoveAll(p.Layout.Work))
	return cleanup.Join(errs...)
}

// sweepURIs are the hosts the run's targets were placed on (the one host
// of --libvirt-uri without a pool), less those found down.
func (e *Executor) sweepURIs(p *Plan) []string {
	if len(p.Opts.Hosts) == 0 {
		return []string{p.Opts.LibvirtURI}
	}
	var uris []string
	for _, t := range p.Targets {
		if !slices.Contains(uris, t.Machine.URI) && !e.pool.isDown(t.Machine.URI) {
			uris = append(uris, t.Machine.URI)
		}
	}
	return uris
}

func (e *Executor) sweepHost(ctx context.Context, p *Plan, uri string) error {
	d, err := vm.Open(uri)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	defer d.Close()
	names, err := d.List(ctx, run.MachinePrefix(p.RunID))
	errs := []error{err}
	for _, n := range names {
		e.logf("sweep: destroying leftover domain %s on %s", n, vm.HostOf(uri))
		errs = append(errs, d.DestroyByName(ctx, n))
	}
	return cleanup.Join(errs...)
}

// writeReports rewrites junit.xml and index.html from what is known now;
// called after every target so a crash leaves valid XML. The candidates
// are the run's report; the production images they are compared with
// have their own (compare/junit.xml), so no gate mistakes them for the
// candidates.
func (e *Executor) writeReports(p *Plan) error {
	e.mu.Lock()
	var built, prod []report.Built
	for i, b := range e.reports {
		if p.Targets[i].Role == "" {
			built = append(built, b)
		} else {
			prod = append(prod, b)
		}
	}
	e.mu.Unlock()
	doc := report.Assemble(built)
	targets := make([]report.Target, len(built))
	for i, b := range built {
		targets[i] = b.Target
	}
	if err := report.WriteFile(p.Layout.JUnit(), doc); err != nil {
		return err
	}
	if len(prod) > 0 {
		if err := os.MkdirAll(filepath.Dir(p.Layout.CompareJUnit()), 0o755); err != nil {
			return err
		}
		if err := report.WriteFile(p.Layout.CompareJUnit(), report.Assemble(prod)); err != nil {
			return err
		}
	}
	return report.WritePage(p.Layout.Index(), report.BuildPage(p.RunID, p.Layout.Reports, doc, targets))
}
