package remote

import (
	"context"
	"fmt"
	"strings"
)

// Result is what one command printed and how it ended.
type Result struct {
	Command    string
	Stdout     string
	Stderr     string
	ExitStatus int
}

// Runner runs one shell command in the guest. A non-zero exit status is not
// an error: it is reported in Result. An error means the command could not be
// run or did not finish (connection lost, context done).
type Runner interface {
	Run(ctx context.Context, cmd string) (Result, error)
}

// OK reports whether the command exited 0.
func (r Result) OK() bool { return r.ExitStatus == 0 }

// String summarises the result for failure messages: command, status and the
// tail of both streams.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ %s\nexit status %d\n", r.Command, r.ExitStatus)
	if s := tail(r.Stdout, 2000); s != "" {
		fmt.Fprintf(&b, "--- stdout\n%s\n", s)
	}
	if s := tail(r.Stderr, 2000); s != "" {
		fmt.Fprintf(&b, "--- stderr\n%s\n", s)
	}
	return b.String()
}

// Check runs cmd and turns a non-zero exit status into an error that carries
// the output, for callers that need the command to succeed.
func Check(ctx context.Context, r Runner, cmd string) (Result, error) {
	res, err := r.Run(ctx, cmd)
	if err != nil {
		return res, fmt.Errorf("run %q: %w", cmd, err)
	}
	if !res.OK() {
		return res, fmt.Errorf("command failed:\n%s", res)
	}
	return res, nil
}

func tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
