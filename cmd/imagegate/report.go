package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/imagegate/imagegate/harness/junitread"
)

func init() {
	register("report", command{summary: "combine runs and shards: report merge --out DIR REPORTDIR...", run: cmdReport})
}

func cmdReport(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "merge" {
		return cmdReportMerge(args[1:], stdout, stderr)
	}
	const usage = "usage: imagegate report merge --out DIR REPORTDIR..."
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprintln(stdout, usage)
		return 0
	}
	fmt.Fprintln(stderr, usage)
	return 2
}

// cmdReportMerge combines report folders into DIR/junit.xml (+ summary).
// Exit 0 merged, 2 bad input or two reports of one target with different
// image digests.
func cmdReportMerge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imagegate report merge", flag.ContinueOnError)
	out := fs.String("out", "", "`DIR` to write junit.xml, summary.json and summary.txt into")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: imagegate report merge --out DIR REPORTDIR...\n\nREPORTDIR is a run folder (with junit.xml) or a folder of runs (reports/).\nA test case reported twice for a target takes the later run's result.")
		fs.PrintDefaults()
	}
	fs.SetOutput(io.Discard)
	if wantsHelp(args) {
		fs.SetOutput(stdout)
		fs.Usage()
		return 0
	}
	dirs, err := parseInterspersed(fs, args)
	if err != nil {
		return badFlag(fs, err, stderr)
	}
	if *out == "" || len(dirs) == 0 {
		fmt.Fprintln(stderr, "imagegate report merge: --out DIR and at least one REPORTDIR are required")
		return 2
	}
	reports, err := junitread.ReadDirs(dirs...)
	if err != nil {
		fmt.Fprintf(stderr, "imagegate report merge: %v\n", err)
		return 2
	}
	c := junitread.Combine(reports)
	if len(c.Conflicts) > 0 {
		for _, k := range c.Conflicts {
			fmt.Fprintf(stderr, "imagegate report merge: refusing: %v\n", k)
		}
		fmt.Fprintln(stderr, "imagegate report merge: results of different image files cannot be merged; merge the runs of each file separately")
		return 2
	}
	if err := junitread.WriteDir(*out, c.Targets); err != nil {
		fmt.Fprintf(stderr, "imagegate report merge: %v\n", err)
		return 2
	}
	fmt.Fprint(stdout, junitread.Summarize(c.Targets).Text())
	fmt.Fprintf(stdout, "merged %d report(s) into %s/junit.xml\n", len(reports), *out)
	return 0
}

// parseInterspersed parses flags given before, between or after the
// positional arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// pathList is a repeatable flag; each value may also be comma-separated.
type pathList []string

func (l *pathList) String() string { return strings.Join(*l, ",") }

func (l *pathList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}
