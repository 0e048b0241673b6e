package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/extsuite"
	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/matrix"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/runner"
)

func init() {
	register("suites", command{summary: "list the suites (compiled in and --suite-dir) and what runs on each image/arch", run: cmdSuites})
	register("check-suite", command{summary: "validate external suite folders without booting: imagegate check-suite DIR...", run: cmdCheckSuite})
}

func cmdSuites(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("imagegate suites", flag.ContinueOnError)
	var images, arches string
	o := runner.Options{KnownSuites: framework.SuiteNames()}
	selectFlags(flags, &o.Matrix, &images, &arches, (*multiFlag)(&o.SuiteDirs))
	verbose := flags.Bool("v", false, "list every check, not only the counts")
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "imagegate: %v\n", err)
		return runner.ExitError
	}
	m, err := matrix.Load(o.Matrix)
	if errors.Is(err, fs.ErrNotExist) && !flagSet(flags, "matrix") {
		own, _, err := runner.SuiteDirs(o, nil)
		if err != nil {
			return fail(err)
		}
		listSuites(stdout, own) // no matrix here: say what there is
		return 0
	}
	if err != nil {
		return fail(err)
	}
	ims, err := m.Select(split(arches), split(images))
	if err != nil {
		return fail(err)
	}
	_, dirs, err := runner.SuiteDirs(o, ims)
	if err != nil {
		return fail(err)
	}
	self, err := os.Executable()
	if err != nil {
		return fail(fmt.Errorf("cannot find own executable: %v", err))
	}
	for i, im := range ims {
		t := run.Target{Image: run.Image{Name: im.Name, Arch: im.Arch, Family: im.Family},
			Options: run.Options{Selection: run.Selection{Suites: im.Suites}, SuiteDirs: dirs[i]}}
		specs, err := runner.Catalogue(context.Background(), self, t)
		if err != nil {
			return fail(err)
		}
		printTarget(stdout, t, specs, *verbose)
	}
	return 0
}

func flagSet(fs *flag.FlagSet, name string) (set bool) {
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// listSuites is every suite this binary knows and where it applies.
func listSuites(w io.Writer, external []*extsuite.Suite) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUITE\tFROM\tFAMILIES\tARCHES")
	for _, s := range framework.Suites() {
		fmt.Fprintf(tw, "%s\tbuilt in\t%s\t%s\n", s.Name, orAny(s.Families), orAny(s.Arches))
	}
	for _, s := range external {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Dir, orAny(s.Families), orAny(s.Arches))
	}
	tw.Flush()
}

func orAny(l []string) string {
	if len(l) == 0 {
		return "any"
	}
	return strings.Join(l, ",")
}

// printTarget is one target's catalogue, suite by suite, in run order.
func printTarget(w io.Writer, t run.Target, specs []catalogue.Spec, verbose bool) {
	from := map[string]string{}
	for _, d := range t.Options.SuiteDirs {
		from[d.Name] = d.Dir
	}
	fmt.Fprintf(w, "%s (family %s)\n", t.ID(), t.Image.Family)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var order []string
	count, selected := map[string]int{}, map[string]int{}
	for _, s := range specs {
		if count[s.Suite] == 0 {
			order = append(order, s.Suite)
		}
		count[s.Suite]++
		if s.Selected {
			selected[s.Suite]++
		}
	}
	for _, name := range order {
		src := from[name]
		if src == "" {
			src = "built in"
		}
		sel := ""
		if selected[name] != count[name] {
			sel = fmt.Sprintf(" (%d selected by the matrix's suites:)", selected[name])
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d checks%s\n", name, src, count[name], sel)
		for _, s := range specs {
			if verbose && s.Suite == name {
				fmt.Fprintf(tw, "    - %s [%s]\n", s.Name, strings.Join(s.Labels, " "))
			}
		}
	}
	tw.Flush()
}

func cmdCheckSuite(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imagegate check-suite", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: imagegate check-suite DIR...\n\nValidates external suite folders (suite.yaml and checks/) without booting anything.\nExit 0 when every folder is valid, 2 with one line per problem (file:line: key: what is wrong).")
	}
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "imagegate check-suite: name at least one suite folder, e.g. imagegate check-suite examples/external-suite")
		return runner.ExitError
	}
	code := 0
	for _, d := range fs.Args() {
		s, err := extsuite.Load(d)
		if err != nil {
			fmt.Fprintln(stderr, err)
			code = runner.ExitError
			continue
		}
		describeSuite(stdout, s)
	}
	return code
}

// describeSuite says what a valid external suite will do.
func describeSuite(w io.Writer, s *extsuite.Suite) {
	after := 0
	for _, c := range s.Checks {
		if c.AfterReboot {
			after++
		}
	}
	fmt.Fprintf(w, "%s: ok (%s, sha256 %.12s)\n", s.Name, s.Dir, s.SHA256)
	fmt.Fprintf(w, "  %d checks (%d after the shared reboot), %d files uploaded, families %s, arches %s, exit %d = not applicable\n",
		len(s.Checks), after, len(s.Files), orAny(s.Families), orAny(s.Arches), s.NotApplicableExit)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range s.Checks {
		when := ""
		if c.AfterReboot {
			when = "after reboot"
		}
		fmt.Fprintf(tw, "  %s\t%s\tas %s\t%s\t%s\n", c.File, c.Name, c.RunAs, c.Timeout, when)
	}
	tw.Flush()
}
