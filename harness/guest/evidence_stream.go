package guest

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/imagegate/imagegate/harness/report"
)

// errNoStream: the guest answered but could not stream its evidence (no
// tar, a broken stream), so it comes one item at a time.
var errNoStream = errors.New("no evidence stream")

// streamScript is one shell command that runs every item, all at once,
// into a private folder (its output, its stderr, its exit status) and
// writes the folder as a tar to stdout: one SSH session for all the
// evidence, as long as its slowest item.
func streamScript(items []item, tmp string) string {
	var b strings.Builder
	b.WriteString("command -v tar >/dev/null || exit 127\n")
	fmt.Fprintf(&b, "d=$(mktemp -d %s/imagegate-evidence.XXXXXX) || exit 1\n", report.ShellQuote(tmp))
	for _, it := range items {
		f := report.ShellQuote(it.file)
		fmt.Fprintf(&b, "{ ( %s ) >\"$d\"/%s 2>\"$d\"/%s.err; echo $? >\"$d\"/%s.rc; } &\n", it.cmd, f, f, f)
	}
	b.WriteString("wait\n")
	b.WriteString("tar -C \"$d\" -cf - .; rc=$?; rm -rf \"$d\"; exit $rc\n")
	return b.String()
}

// streamEvidence fetches every item in one command. An item whose command
// failed is kept with why, as when fetched alone.
func (g *Guest) streamEvidence(ctx context.Context, items []item) (map[string]fetched, error) {
	res, err := g.Run(ctx, Sudo(streamScript(items, "/run")))
	switch {
	case err != nil:
		return nil, err // no answer
	case res.ExitStatus == 127:
		return nil, fmt.Errorf("%w: the guest has no tar", errNoStream)
	case !res.OK():
		return nil, fmt.Errorf("%w: %s", errNoStream, res)
	}
	got, err := untarEvidence(strings.NewReader(res.Stdout), items)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNoStream, err)
	}
	return got, nil
}

// untarEvidence reads the stream back into one fetched per item.
func untarEvidence(r io.Reader, items []item) (map[string]fetched, error) {
	files := map[string]string{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the evidence stream is not a tar: %w", err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		files[path.Clean(h.Name)] = string(b)
	}
	got := map[string]fetched{}
	for _, it := range items {
		rc, ok := files[it.file+".rc"]
		if !ok {
			return got, fmt.Errorf("the evidence stream lacks %s", it.file)
		}
		f := fetched{body: files[it.file]}
		if code, err := strconv.Atoi(strings.TrimSpace(rc)); err != nil || code != 0 {
			f.failed = true
			f.body += fmt.Sprintf("\n(imagegate: %q failed: exit status %s %s)\n", it.cmd, strings.TrimSpace(rc), files[it.file+".err"])
		}
		got[it.file] = f
	}
	return got, nil
}
