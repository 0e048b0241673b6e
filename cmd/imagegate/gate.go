package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/imagegate/imagegate/harness/gate"
)

func init() {
	register("gate", command{summary: "decide per image from reports and a policy: promote, reject or inconclusive", run: cmdGate})
}

// cmdGate prints the decisions. Exit 0 every image promote, 1 one is
// rejected, 2 one is inconclusive or the input is bad.
func cmdGate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imagegate gate", flag.ContinueOnError)
	var o gate.Options
	var reports, history, images pathList
	fs.StringVar(&o.Policy, "policy", "", "policy `FILE` (YAML; see docs/gate.md)")
	fs.Var(&reports, "reports", "report `DIR`: a run folder or a folder of runs (repeatable)")
	fs.Var(&history, "history", "older report `DIR`, only to date new checks for grace_days (repeatable)")
	fs.Var(&images, "image", "decide only image `NAME` (repeatable; default: every image in the reports or named by the policy)")
	asJSON := fs.Bool("json", false, "print the decisions as JSON")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 || o.Policy == "" || len(reports) == 0 {
		fmt.Fprintln(stderr, "imagegate gate: --policy FILE and --reports DIR are required (flags only; see -h)")
		return gate.ExitInconclusive
	}
	o.Reports, o.History, o.Images = reports, history, images
	res, err := gate.Run(o)
	if err != nil {
		fmt.Fprintf(stderr, "imagegate gate: %v\n", err)
		return gate.ExitInconclusive
	}
	if *asJSON {
		err = res.WriteJSON(stdout)
	} else {
		err = res.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "imagegate gate: %v\n", err)
		return gate.ExitInconclusive
	}
	return res.ExitCode
}
