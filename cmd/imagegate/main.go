// Command imagegate boots candidate cloud images under libvirt/QEMU, checks
// them over SSH with the suites compiled into it, and writes JUnit reports.
// main only wires flags to the runner; the work is in harness/.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/runner"

	_ "github.com/imagegate/imagegate/suites/baseline"
	_ "github.com/imagegate/imagegate/suites/layered"
)

// command is one subcommand: it parses its own flags and returns the exit
// code. Each lives in its own file and registers itself in init.
type command struct {
	summary string
	hidden  bool
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func register(name string, c command) { commands[name] = c }

func init() {
	register("run", command{summary: "boot the images of a matrix and run the suites against them", run: cmdRun})
	register("run-target", command{hidden: true, run: func(args []string, _, stderr io.Writer) int { return cmdRunTarget(args, stderr) }})
	register("suites", command{summary: "list the suites compiled into this binary", run: func(_ []string, stdout, _ io.Writer) int {
		fmt.Fprintln(stdout, strings.Join(framework.SuiteNames(), "\n"))
		return 0
	}})
}

func usageText() string {
	var b strings.Builder
	b.WriteString("usage: imagegate <command> [flags]\n\ncommands:\n")
	var names []string
	for n, c := range commands {
		if !c.hidden {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-10s %s\n", n, commands[n].summary)
	}
	b.WriteString("\nRun 'imagegate <command> -h' for its flags. Exit codes: 0 all passed,\n1 a check failed, 2 bad usage or an infrastructure error.\n")
	return b.String()
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText())
		return runner.ExitError
	}
	if c, ok := commands[args[0]]; ok {
		return c.run(args[1:], stdout, stderr)
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usageText())
		return 0
	}
	fmt.Fprintf(stderr, "imagegate: unknown command %q\n%s", args[0], usageText())
	return runner.ExitError
}
