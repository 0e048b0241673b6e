// Command imagegate boots candidate cloud images under libvirt/QEMU, checks
// them over SSH with the suites compiled into it, and writes JUnit reports.
// main only wires flags to the runner; the work is in harness/.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/imagegate/imagegate/harness/buildinfo"
	"github.com/imagegate/imagegate/harness/runner"

	// The suites and the VM drivers register themselves.
	_ "github.com/imagegate/imagegate/harness/vm/libvirt"
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
	register("run-target", command{hidden: true, run: cmdRunTarget})
	register("version", command{summary: "print this imagegate's version (reports record it)", run: func(args []string, stdout, stderr io.Writer) int {
		if code, ok := parseFlags(flag.NewFlagSet("imagegate version", flag.ContinueOnError), args, stdout, stderr); !ok {
			return code
		}
		fmt.Fprintln(stdout, buildinfo.Version())
		return 0
	}})
}

// parseFlags parses a subcommand's flags. -h or --help prints its usage
// on stdout and exits 0; a bad flag is one line on stderr (badFlag) and
// exits 2. ok is false when the command should return code at once.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	if wantsHelp(args) {
		fs.SetOutput(stdout)
	}
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		return 0, false
	}
	return badFlag(fs, err, stderr), false
}

// wantsHelp says whether a subcommand's arguments ask for its usage.
func wantsHelp(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "--help" || a == "-help" })
}

// badFlag says in one line what was wrong and where the flags are listed,
// instead of the whole list after the error (the flag package's way), and
// returns the exit code for bad usage.
func badFlag(fs *flag.FlagSet, err error, stderr io.Writer) int {
	fmt.Fprintf(stderr, "%s: %v; '%s -h' lists its flags\n", fs.Name(), err, fs.Name())
	return runner.ExitError
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
	case "--version":
		fmt.Fprintln(stdout, buildinfo.Version())
		return 0
	}
	fmt.Fprintf(stderr, "imagegate: unknown command %q\n%s", args[0], usageText())
	return runner.ExitError
}
