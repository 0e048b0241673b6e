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

// streamScript is one shell command that runs every command item, all at
// once, into a private folder (its output, its stderr, its exit status)
// and writes the folder and the file items as one tar to stdout: one SSH
// session for all the evidence, as long as its slowest item. A file item
// the shell finds readable goes into the tar as it is (its path without
// the leading slash); one it does not is cat, for cat's own error. tar's
// status 1 (a file changed while read, e.g. a log still written to) keeps
// what was read. tar follows symlinks (-h): cloud-init's status.json is
// one.
func streamScript(items []item, tmp string) string {
	var b strings.Builder
	b.WriteString("command -v tar >/dev/null || exit 127\n")
	fmt.Fprintf(&b, "d=$(mktemp -d %s/imagegate-evidence.XXXXXX) || exit 1\n", report.ShellQuote(tmp))
	b.WriteString("set --\n")
	for _, it := range items {
		f := report.ShellQuote(it.file)
		if it.path == "" {
			fmt.Fprintf(&b, "{ ( %s ) >\"$d\"/%s 2>\"$d\"/%s.err; echo $? >\"$d\"/%s.rc; } &\n", it.cmd, f, f, f)
			continue
		}
		p := report.ShellQuote(it.path)
		fmt.Fprintf(&b, "if [ -f %s ] && [ -r %s ]; then set -- \"$@\" %s; echo 0 >\"$d\"/%s.rc; else cat %s >/dev/null 2>\"$d\"/%s.err; echo 1 >\"$d\"/%s.rc; fi\n",
			p, p, report.ShellQuote(memberName(it.path)), f, p, f, f)
	}
	b.WriteString("wait\n")
	b.WriteString("[ $# -eq 0 ] || set -- -C / \"$@\"\n") // tar refuses a -C with no name after it
	b.WriteString("tar -chf - -C \"$d\" . \"$@\"; rc=$?; rm -rf \"$d\"; [ $rc -eq 1 ] && rc=0; exit $rc\n")
	return b.String()
}

// memberName is a file item's name in the stream.
func memberName(p string) string { return strings.TrimLeft(path.Clean(p), "/") }

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
		switch h.Typeflag {
		case tar.TypeReg:
		case tar.TypeLink: // the same file twice (-h): stored once
			if b, ok := files[path.Clean(h.Linkname)]; ok {
				files[path.Clean(h.Name)] = b
			}
			continue
		default: // a symlink's content is not in the stream
			continue
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
		rc = strings.TrimSpace(rc)
		f := fetched{body: files[it.file]}
		if it.path != "" && rc == "0" {
			if f.body, ok = files[memberName(it.path)]; !ok {
				return got, fmt.Errorf("the evidence stream lacks %s as a file", it.path)
			}
		}
		if code, err := strconv.Atoi(rc); err != nil || code != 0 {
			f.failed = true
			f.body += fmt.Sprintf("\n(imagegate: %q failed: exit status %s %s)\n", it.cmd, rc, files[it.file+".err"])
		}
		got[it.file] = f
	}
	return got, nil
}
