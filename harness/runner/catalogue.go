package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/textx"
)

// takeCatalogues asks the binary for each target's catalogue (a Ginkgo
// dry run in a process of its own: `imagegate run-target --catalogue`).
// Targets of the same family, arch and selection share one. A filter that
// selects no check of a target is refused: booting it would judge nothing.
func (p *Plan) takeCatalogues(ctx context.Context) error {
	if p.Opts.Self == "" {
		return errors.New("internal: no imagegate binary to take the catalogue with (Options.Self)")
	}
	tmp, err := os.MkdirTemp("", "imagegate-catalogue-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cache := map[string][]catalogue.Spec{}
	for i, t := range p.Targets {
		key := strings.Join([]string{t.Image.Family, t.Image.Arch, strings.Join(t.Options.Selection.Suites, ","), t.Options.Selection.LabelFilter, strings.Join(t.Options.Selection.Focus, "\x00"), fmt.Sprint(t.Options.SuiteDirs)}, "\x01")
		specs, ok := cache[key]
		if !ok {
			if specs, err = catalogueOf(ctx, p.Opts.Self, t, filepath.Join(tmp, fmt.Sprint(i))); err != nil {
				return err
			}
			cache[key] = specs
		}
		if catalogue.Selected(specs) == 0 {
			return usage(fmt.Errorf("%s: %s selects none of its %d checks; widen the filter, or narrow --image/--arch to targets it selects", t.ID(), orAll(t.Options.Selection.Text), len(specs)))
		}
		p.Catalogues = append(p.Catalogues, specs)
	}
	return nil
}

func orAll(sel string) string {
	if sel == "" {
		return "the run"
	}
	return sel
}

// catalogueOf runs `self run-target --catalogue OUT --target IN` for t.
// Its one-line error (a bad --label-filter, an unknown suite) is a usage
// error.
func catalogueOf(ctx context.Context, self string, t run.Target, base string) ([]catalogue.Spec, error) {
	in, out := base+"-target.json", base+"-catalogue.json"
	if err := run.Write(in, t); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "run-target", "--catalogue", out, "--target", in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := textx.LastLine(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, usage(fmt.Errorf("%s: %s", t.ID(), strings.TrimPrefix(msg, "imagegate run-target: ")))
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return catalogue.Read(f)
}

// Catalogue is t's catalogue taken by self in a process of its own, as
// the plan takes it, for listings that boot nothing (imagegate suites).
func Catalogue(ctx context.Context, self string, t run.Target) ([]catalogue.Spec, error) {
	tmp, err := os.MkdirTemp("", "imagegate-catalogue-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	return catalogueOf(ctx, self, t, filepath.Join(tmp, "t"))
}
