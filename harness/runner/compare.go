package runner

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/compare"
	"github.com/imagegate/imagegate/harness/digest"
	"github.com/imagegate/imagegate/harness/promote"
	"github.com/imagegate/imagegate/harness/run"
)

// Comparison pairs a candidate target with the production image it is
// compared with (--compare-to), run as a target of its own.
type Comparison struct {
	Candidate, Production int // indexes into Plan.Targets
	Item                  compare.Production
}

// planComparisons adds, for each candidate with a promoted image of the
// same name and arch in the production repo (--compare-to), a target that
// boots that image under the same host, accelerator and suites. The
// production file must still have the digest its index records. A
// candidate with nothing promoted is compared with nothing: the policy's
// full rule applies to it, and the plan says so.
func (p *Plan) planComparisons(ctx context.Context) error {
	dir := p.Opts.CompareTo
	if dir == "" {
		return nil
	}
	idx, err := promote.Current(dir)
	if err != nil {
		return usage(fmt.Errorf("--compare-to %s: %w", dir, err))
	}
	n := len(p.Targets)
	for i := 0; i < n; i++ {
		t := p.Targets[i]
		version, it, ok := idx.Latest(t.Image.Name, t.Image.Arch)
		switch {
		case !ok:
			p.CompareNotes = append(p.CompareNotes, fmt.Sprintf("%s: nothing promoted in %s: compared with nothing, the policy's full rule applies", t.ID(), dir))
			continue
		case t.Image.Kernel != "":
			p.CompareNotes = append(p.CompareNotes, fmt.Sprintf("%s: boots a kernel directly, and production keeps only the disk: compared with nothing", t.ID()))
			continue
		}
		prod, err := p.productionTarget(ctx, t, dir, version, it)
		if err != nil {
			return err
		}
		p.Comparisons = append(p.Comparisons, Comparison{Candidate: i, Production: len(p.Targets),
			Item: compare.Production{Image: t.Image.Name, Arch: t.Image.Arch, Version: version, SHA256: it.SHA256, Path: prod.Image.Path}})
		p.Targets = append(p.Targets, prod)
		p.Catalogues = append(p.Catalogues, p.Catalogues[i])
		p.Placements = append(p.Placements, p.Placements[i])
		p.AccelWhy = append(p.AccelWhy, fmt.Sprintf("%s: compared with %s version %s (%s)", t.ID(), dir, version, it.Path))
	}
	return nil
}

// productionTarget is candidate t with the production item's file in
// place of the candidate's: the same machine, suites and selection, its
// own machine name and folders.
func (p *Plan) productionTarget(ctx context.Context, t run.Target, dir, version string, it *promote.Item) (run.Target, error) {
	path := filepath.Join(dir, filepath.FromSlash(it.Path))
	sum, _, err := digest.File(ctx, path)
	if err != nil {
		return t, usage(fmt.Errorf("--compare-to: %s %s: %w", t.ID(), version, err))
	}
	if sum != it.SHA256 {
		return t, usage(fmt.Errorf("--compare-to: %s has sha256 %s, but the production index says %s: the repo is damaged (imagegate promote --verify --to %s)", path, sum, it.SHA256, dir))
	}
	size, err := virtualSize(ctx, path, t.Image.Format)
	if err != nil {
		return t, usage(err)
	}
	t.Role = run.RoleProduction
	t.Image.Path, t.Image.SHA256, t.Image.Bytes = path, it.SHA256, size
	t.Machine.Name += "-prod"
	t.Machine.SSHPort = 0
	t.Options.Keep, t.Options.KeepFailed, t.Options.Reseed = false, false, nil
	t.Layout = p.Layout.Compare(t.Image.Name, t.Image.Arch)
	return t, nil
}

// compared builds each candidate's comparison once both it and its
// production image ran: compare.json in the candidate's folder, and the
// comparison in its report. A pair that did not both produce results is
// left uncompared (the full rule applies).
func (e *Executor) compared(ctx context.Context, p *Plan) {
	for _, c := range p.Comparisons {
		if ctx.Err() != nil {
			return
		}
		cand, prod := e.reports[c.Candidate], e.reports[c.Production]
		if cand.Target.Results == nil || prod.Target.Results == nil {
			e.logf("%s: not compared with production %s: %s", p.Targets[c.Candidate].ID(), c.Item.Version, "a run produced no results")
			continue
		}
		res := compare.Build(c.Item, compare.Side{Dir: p.Targets[c.Candidate].Layout.Out, Results: cand.Target.Results},
			compare.Side{Dir: p.Targets[c.Production].Layout.Out, Results: prod.Target.Results})
		t := p.Targets[c.Candidate]
		if err := res.Write(filepath.Join(t.Layout.Out, run.CompareFile)); err != nil {
			e.logf("%s: %s: %v", t.ID(), run.CompareFile, err)
		}
		rt := cand.Target
		rt.Compare = res.Comparison()
		rt.Attachments = evidenceFiles(t.Layout.Out)
		r, built := verdictOf(e.results[c.Candidate], rt) // the verdict was said; the comparison follows
		e.keep(c.Candidate, r, built)
		writeRecord(t, built)
		e.logf("%s: compared with production %s: %s; %s", t.ID(), c.Item.Version, res.CheckCounts(), run.CompareFile)
	}
}
