package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

// A bad flag is one line on stderr naming it and where the flags are
// listed, exit 2; --help lists them on stdout, exit 0.
func TestParseFlags(t *testing.T) {
	newFS := func() *flag.FlagSet {
		fs := flag.NewFlagSet("imagegate ssh", flag.ContinueOnError)
		fs.String("work-dir", "", "where guests live")
		return fs
	}
	var out, errOut bytes.Buffer
	code, ok := parseFlags(newFS(), []string{"--reports", "x"}, &out, &errOut)
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if ok || code != 2 || out.Len() != 0 || len(lines) != 1 ||
		!strings.Contains(lines[0], "-reports") || !strings.Contains(lines[0], "'imagegate ssh -h'") {
		t.Errorf("bad flag: code %d ok %v, stdout %q, stderr %q; want exit 2 and one line naming -reports and 'imagegate ssh -h'", code, ok, out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	code, ok = parseFlags(newFS(), []string{"--help"}, &out, &errOut)
	if ok || code != 0 || !strings.Contains(out.String(), "-work-dir") || errOut.Len() != 0 {
		t.Errorf("--help: code %d ok %v, stdout %q, stderr %q; want exit 0 and the flags on stdout", code, ok, out.String(), errOut.String())
	}
	if code, ok = parseFlags(newFS(), []string{"--work-dir", "/w", "a/b"}, &out, &errOut); !ok || code != 0 {
		t.Errorf("good flags: code %d ok %v", code, ok)
	}
}

// report merge parses its own way (flags between the folders) but answers
// a bad flag and --help as the other subcommands do.
func TestReportMergeFlags(t *testing.T) {
	code, stdout, stderr := runCLI("report", "merge", "--colour", "x")
	if code != 2 || stdout != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 ||
		!strings.Contains(stderr, "-colour") || !strings.Contains(stderr, "'imagegate report merge -h'") {
		t.Errorf("bad flag: exit %d, stdout %q, stderr %q; want 2 and one line naming -colour and the -h", code, stdout, stderr)
	}
	if code, stdout, stderr = runCLI("report", "merge", "--help"); code != 0 || !strings.Contains(stdout, "usage: imagegate report merge") || stderr != "" {
		t.Errorf("--help: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
