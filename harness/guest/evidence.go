package guest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/imagegate/imagegate/harness/pkgdb"
	"github.com/imagegate/imagegate/harness/run"
)

// item is one piece of guest evidence: the file it is saved as, and the
// command (run as root) that prints it. An item with a path is that plain
// file of the guest: the stream reads it with tar itself, no process of its
// own (each one costs ~0.25 s under TCG), and its cmd cats it when the
// evidence comes item by item.
type item struct{ file, cmd, path string }

// fileItem is the guest's file at path, saved as file.
func fileItem(file, path string) item { return item{file, "cat " + path, path} }

// evidence is what is fetched from every guest before it is destroyed.
var evidence = []item{
	fileItem("cloud-init.log", "/var/log/cloud-init.log"),
	fileItem("cloud-init-output.log", "/var/log/cloud-init-output.log"),
	// status.json is what `cloud-init status --long` prints from; the
	// command itself costs seconds of Python start-up under emulation.
	fileItem("cloud-init-status.json", "/run/cloud-init/status.json"),
	fileItem("cloud-init-result.json", "/run/cloud-init/result.json"),
	{"journal.txt", "journalctl -b --no-pager -o short-monotonic", ""},
	// What comparing with production diffs besides the packages: what
	// `uname -r && cat /proc/cmdline` prints, read by the shell itself.
	{run.KernelFile, `IFS= read -r r </proc/sys/kernel/osrelease && IFS= read -r c </proc/cmdline && printf '%s\n%s\n' "$r" "$c"`, ""},
	// Enabled units are the links `systemctl enable` makes under
	// /etc/systemd/system; reading them costs a glob, where `systemctl
	// list-unit-files --state=enabled` took ~12 s of guest CPU under TCG
	// (it loads every unit file), most of a passing target's evidence.
	{run.ServicesFile, enabledUnits, ""},
}

// enabledUnits prints the units enabled in /etc/systemd/system (their
// .wants, .requires and .upholds links; a template's instance by its
// instance name), one per line, sorted. The shell globs them (hidden
// names, which systemd ignores, are left out); sort is its one process.
const enabledUnits = `for f in /etc/systemd/system/*.wants/* /etc/systemd/system/*.requires/* /etc/systemd/system/*.upholds/*; ` +
	`do { [ -e "$f" ] || [ -L "$f" ]; } && printf '%s\n' "${f##*/}"; done | sort -u`

// bundle is cloud-init's own bundle, without user-data (it may hold
// secrets): slow to make, so it is fetched only when a check failed.
var bundle = item{"cloud-init-logs.tar.gz",
	"cloud-init collect-logs -t /run/imagegate-ci-logs.tgz >/dev/null 2>&1 && cat /run/imagegate-ci-logs.tgz && rm -f /run/imagegate-ci-logs.tgz", ""}

// CollectEvidence saves guest logs into the target's report folder: every
// item in one stream (one command, one tar), and cloud-init's bundle too
// when a check failed. An item that failed in the guest is saved with why;
// a guest that stops answering ends the collection. Any gap is an error,
// so the report says the evidence is incomplete; the checks' own results
// stand.
//
// Each command (the stream, or one item fetched alone) gets g.Run's
// CommandTimeout, which scales with emulation: a fixed minute was too
// short under TCG with a second guest beside (cloud-init's bundle alone
// took most of it, and a slow guest was taken for one that stopped
// answering). A guest that stopped answering costs that limit once, not
// once per item.
func (g *Guest) CollectEvidence(ctx context.Context) error {
	if g.SSH == nil {
		return nil
	}
	items := evidence
	if g.failed {
		items = append(append([]item(nil), evidence...), bundle)
	}
	got, err := g.streamEvidence(ctx, items)
	if errors.Is(err, errNoStream) { // e.g. a guest without tar: one command per item
		g.hooks.Logf("evidence: %v; fetching it item by item", err)
		got, err = g.evidenceOneByOne(ctx, items)
	}
	var failed []string
	for _, it := range items {
		r, ok := got[it.file]
		if !ok {
			continue
		}
		if werr := os.WriteFile(g.Target.Layout.Evidence(it.file), []byte(r.body), 0o644); werr != nil {
			return werr
		}
		if r.failed {
			failed = append(failed, it.file)
		}
	}
	if err != nil { // no answer: the guest is gone or hung
		for _, it := range items {
			if _, ok := got[it.file]; !ok {
				failed = append(failed, it.file+" (not fetched)")
			}
		}
		return fmt.Errorf("evidence not fully collected, the guest stopped answering (%v): missing %s", err, strings.Join(failed, ", "))
	}
	if err := g.writeManifest(ctx); err != nil {
		failed = append(failed, fmt.Sprintf("%s (%v)", run.ManifestFile, err))
	}
	g.Timing("total-until-evidence", time.Since(g.started))
	if len(failed) > 0 {
		return fmt.Errorf("evidence not fully collected: %s", strings.Join(failed, ", "))
	}
	return nil
}

// fetched is one item as saved: its bytes, and whether its command failed
// (the body then ends with why).
type fetched struct {
	body   string
	failed bool
}

// evidenceOneByOne fetches each item with its own command, stopping at the
// first the guest does not answer.
func (g *Guest) evidenceOneByOne(ctx context.Context, items []item) (map[string]fetched, error) {
	got := map[string]fetched{}
	for _, it := range items {
		res, err := g.Run(ctx, Sudo(it.cmd))
		f := fetched{body: res.Stdout}
		if err != nil || !res.OK() {
			f.failed = true
			f.body += fmt.Sprintf("\n(imagegate: %q failed: %v %s)\n", it.cmd, err, res.Stderr)
		}
		got[it.file] = f
		if err != nil {
			return got, err
		}
	}
	return got, nil
}

// writeManifest saves the guest's package manifest (run.ManifestFile):
// what its package manager lists as installed, as the checks saw it. The
// suites' seeds install no packages, so it is the image's own list; a
// promotion keeps it beside the image, and comparing two images diffs it.
func (g *Guest) writeManifest(ctx context.Context) error {
	_, pkgs, err := g.Packages(ctx)
	if err != nil {
		return err
	}
	return os.WriteFile(g.Target.Layout.Manifest(), pkgdb.Manifest(pkgs), 0o644)
}
