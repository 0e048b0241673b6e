package promote

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/imagegate/imagegate/harness/digest"
	"github.com/imagegate/imagegate/harness/gate"
	"github.com/imagegate/imagegate/harness/names"
)

// Options are a promotion's inputs.
type Options struct {
	From, To string // the testing and production repos
	Image    string
	Version  string       // "" : the UTC date, YYYYMMDD[.N]
	Gate     gate.Options // policy and reports; Images is set to Image
	Wait     bool         // wait for another promotion instead of failing
	// SignKey signs each new generation's SHA256SUMS (SigFile) with gpg:
	// a key id or user id of the caller's keyring (GNUPGHOME).
	SignKey string
	Log     io.Writer // progress lines, one per phase; nil: none
	Now     func() time.Time
}

// Result says what a promotion did.
type Result struct {
	Image, Version string
	Already        bool // the same files were already promoted: nothing changed
	Generation     int  // the committed generation afterwards
	Cleaned        int  // leftovers of interrupted promotions removed
	Items          []Item
	Decision       gate.Decision
}

// Promote gates and promotes o.Image. See the package documentation for
// the protocol.
func Promote(ctx context.Context, o Options) (Result, error) {
	o.defaults()
	res := Result{Image: o.Image}
	if err := o.check(); err != nil {
		return res, err
	}
	d, err := o.runGate()
	res.Decision = d
	if err != nil {
		return res, err
	}
	srcs, err := sources(ctx, o.From, d)
	if err != nil {
		return res, err
	}
	o.logf("verify: %d file(s) in %s match the tested digests", len(srcs), o.From)
	lock, err := Acquire(ctx, o.To, o.Wait)
	if err != nil {
		return res, err
	}
	defer lock.Release()
	o.logf("lock: %s", o.To)
	return o.locked(ctx, res, srcs)
}

// locked does the work that needs the lock.
func (o *Options) locked(ctx context.Context, res Result, srcs []planned) (Result, error) {
	st, err := openRepo(o.To)
	if err != nil {
		return res, err
	}
	if res.Cleaned, err = st.cleanLeftovers(); err != nil {
		return res, err
	}
	o.logf("clean: removed %d leftover(s); committed generation %d", res.Cleaned, st.gen)
	res.Generation = st.gen
	if v, ok := st.idx.findVersion(o.Image, wantSums(srcs)); ok {
		res.Already, res.Version, res.Items = true, v, versionItems(st.idx, o.Image, v)
		o.logf("already: %s version %s holds these files; nothing to do", o.Image, v)
		return res, nil
	}
	v, err := chooseVersion(st.idx, o.Image, o.Version, o.Now().UTC().Format("20060102"))
	if err != nil {
		return res, err
	}
	res.Version = v
	return o.write(ctx, st, res, srcs)
}

// write installs the files and commits the new generation.
func (o *Options) write(ctx context.Context, st *state, res Result, srcs []planned) (Result, error) {
	ref := st.referenced()
	for i := range srcs {
		srcs[i].rel = relPath(o.Image, res.Version, srcs[i])
		m := srcs[i].manifest
		m.rel = relPath(o.Image, res.Version, *m)
		for _, f := range []*planned{&srcs[i], m} {
			if ref[f.rel] {
				return res, fmt.Errorf("%s is already referenced by the index; refusing to overwrite it", f.rel)
			}
			o.logf("copy: %s %s -> %s", f.arch, f.src, f.rel)
			if _, err := install(ctx, *f, o.To); err != nil {
				if ctx.Err() != nil {
					err = fmt.Errorf("stopped before the commit, the repo is unchanged: %w", err)
				}
				return res, err
			}
			o.logf("installed: %s", f.rel)
		}
	}
	idx := o.addVersion(st.idx, res, srcs)
	old, err := readHistory(st.root, st.gen)
	if err != nil {
		return res, err
	}
	hist := withHistory(old, historyRuns(o.Image, res.Version, idx.Products[o.Image].Versions[res.Version].PromotedAt, srcs))
	gen := st.gen + 1
	idx.Generation = gen
	if st.signed() && o.SignKey == "" {
		return res, fmt.Errorf("production repo %s is signed (%s): pass --sign-key so that the new generation is signed too", o.To, SigFile)
	}
	if err := writeGeneration(ctx, o.To, gen, generation{idx: idx, hist: hist, signKey: o.SignKey}); err != nil {
		return res, err
	}
	o.logf("index: generation %d written", gen)
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("stopped before the commit, the repo is unchanged: %w", err)
	}
	if err := commit(o.To, gen); err != nil {
		return res, err
	}
	o.logf("commit: generation %d is current", gen)
	res.Generation, res.Items = gen, versionItems(idx, o.Image, res.Version)
	after := &state{root: o.To, gen: gen, idx: idx}
	if _, err := after.pruneGenerations(); err != nil {
		return res, fmt.Errorf("promoted, but pruning old generations failed: %w", err)
	}
	o.logf("done: %s version %s promoted", o.Image, res.Version)
	return res, nil
}

// openRepo checks the folder, marks it as a repo (meta/ first, so that a
// crash leaves a folder the next promotion recognises), and reads the
// committed state.
func openRepo(root string) (*state, error) {
	if err := checkRepo(root); err != nil {
		return nil, err
	}
	if err := mkdirSynced(root, filepath.Join(root, MetaDir)); err != nil {
		return nil, err
	}
	st, err := readState(root)
	if err != nil {
		return nil, err
	}
	return st, st.checkFiles()
}

func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

func (o *Options) check() error {
	switch {
	case !names.ValidImage(o.Image):
		return fmt.Errorf("--image %q is not an image name", o.Image)
	case o.Version != "" && !versionRE.MatchString(o.Version):
		return fmt.Errorf("--version %q: use letters, digits, '.', '_', '+', '-'", o.Version)
	case o.From == "" || o.To == "":
		return fmt.Errorf("--from and --to are required")
	}
	return nil
}

// runGate evaluates the gate for the image alone; it must say promote.
func (o *Options) runGate() (gate.Decision, error) {
	g := o.Gate
	g.Images = []string{o.Image}
	if g.Now.IsZero() {
		g.Now = o.Now()
	}
	r, err := gate.Run(g)
	if err != nil {
		return gate.Decision{}, err
	}
	d, _ := r.Decision(o.Image)
	o.logf("gate: %s %s", o.Image, d.Verdict)
	if d.Verdict != gate.Promote {
		return d, GateError{Decision: d}
	}
	return d, nil
}

func (o *Options) logf(format string, args ...any) {
	fmt.Fprintf(o.Log, "promote: "+format+"\n", args...)
}

func fileSHA256(path string) string {
	s, _, _ := digest.File(context.Background(), path) // "" when unreadable: the record says so
	return s
}
