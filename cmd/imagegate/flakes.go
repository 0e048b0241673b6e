package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/imagegate/imagegate/harness/promote"
)

func init() {
	register("flakes", command{summary: "pass, fail and flaky rates per check and arch, from a production repo's promotions", run: cmdFlakes})
}

// cmdFlakes prints the flake history a production repo keeps (each
// promotion appends the per-check results it was promoted on): exit 0, or
// 2 when the repo cannot be read.
func cmdFlakes(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imagegate flakes", flag.ContinueOnError)
	repo := fs.String("repo", "", "production repo `DIR` (as promote --to)")
	image := fs.String("image", "", "only this image `NAME` (default: every image)")
	last := fs.Int("last", 20, "the last `N` promoted runs of each arch (0: all)")
	asJSON := fs.Bool("json", false, "print the rates as JSON")
	all := fs.Bool("all", false, "also list checks that passed every time")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 || *repo == "" || *last < 0 {
		fmt.Fprintln(stderr, "imagegate flakes: --repo DIR is required, --last N must be 0 or more (flags only; see -h)")
		return 2
	}
	runs, err := promote.History(*repo)
	if err != nil {
		fmt.Fprintf(stderr, "imagegate flakes: %v\n", err)
		return 2
	}
	rates := promote.FlakeRates(runs, *image, *last)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rates)
		return 0
	}
	printFlakes(stdout, *repo, len(runs), *last, rates, *all)
	return 0
}

func printFlakes(w io.Writer, repo string, runs, last int, rates []promote.FlakeRate, all bool) {
	scope := fmt.Sprintf("the last %d per arch", last)
	if last == 0 {
		scope = "all of them"
	}
	fmt.Fprintf(w, "flake history of %s: %d promoted run(s) recorded; %s\n", repo, runs, scope)
	fmt.Fprintf(w, "%-60s %-8s %5s %7s %7s %7s %7s\n", "CHECK", "ARCH", "RUNS", "PASSED", "FAILED", "FLAKY", "OTHER")
	clean := 0
	for _, f := range rates {
		if !all && f.Passed == f.Runs {
			clean++
			continue
		}
		fmt.Fprintf(w, "%-60s %-8s %5d %6.0f%% %6.0f%% %6.0f%% %6.0f%%\n", f.Check, f.Arch, f.Runs,
			100*f.Rate(f.Passed), 100*f.Rate(f.Failed), 100*f.Rate(f.Flaky), 100*f.Rate(f.Other))
	}
	if clean > 0 {
		fmt.Fprintf(w, "%d other check/arch pair(s) passed every time (--all lists them)\n", clean)
	}
}
