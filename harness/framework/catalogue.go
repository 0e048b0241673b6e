package framework

import (
	"fmt"
	"io"

	. "github.com/onsi/ginkgo/v2" //nolint:revive
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/run"
)

// TakeCatalogue writes t's catalogue to w as JSON: every check of every
// suite that applies to t (by family and arch), each marked selected or
// not by t's --suite, --label-filter and --focus. It is a Ginkgo dry run
// of the very tree RunTarget runs, so the catalogue cannot drift from what
// runs; and, like RunTarget, it must be the only Ginkgo run of its
// process. Nothing boots.
func TakeCatalogue(t run.Target, w io.Writer) error {
	if err := registerExternal(t); err != nil {
		return err
	}
	suites, err := applicable(t)
	if err != nil {
		return err
	}
	filter, err := Filter(t.Options.Selection)
	if err != nil {
		return err
	}
	var specs []catalogue.Spec
	gomega.RegisterFailHandler(Fail)
	ReportAfterSuite("imagegate catalogue", func(r Report) {
		for _, sr := range r.SpecReports {
			if sr.LeafNodeType != types.NodeTypeIt {
				continue
			}
			suite, name := specName(sr)
			specs = append(specs, catalogue.Spec{Suite: suite, Name: name, Labels: sr.Labels(),
				Selected: sr.State.Is(types.SpecStatePassed)})
		}
	})
	declareSuites(suites, func(string, ...any) {})
	sc, rc := GinkgoConfiguration()
	sc.LabelFilter, sc.FocusStrings, sc.DryRun = filter, t.Options.Selection.Focus, true
	rc.NoColor, rc.Succinct = true, true
	RunSpecs(&testingT{}, "imagegate catalogue "+t.ID(), Label("arch:"+t.Image.Arch, "distro:"+t.Image.Family), sc, rc)
	if len(specs) == 0 {
		return fmt.Errorf("%s: no suite has checks for family %s on %s", t.ID(), t.Image.Family, t.Image.Arch)
	}
	if err := catalogue.Check(specs); err != nil {
		return fmt.Errorf("%s: %w", t.ID(), err)
	}
	return catalogue.Write(w, specs)
}
