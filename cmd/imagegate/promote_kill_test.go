package main

// The crash-safety test of imagegate promote: the real binary is killed
// with SIGKILL at random moments, and after every kill the production
// repo must be exactly its old state or exactly its new one, as a reader
// sees it (checked here independently of harness/promote).

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
)

const killPolicy = `version: 1
images:
  - name: deb
    arches: [x86_64, aarch64]
    suites: [baseline]
`

// killRepo is a testing repo, its reports and a production repo.
type killRepo struct {
	bin, testing, prod, reports, policy string
	cand                                int               // the candidate being promoted
	items                               map[string]string // its "deb/<version>/<arch>[.manifest]" -> sha256
}

func buildImagegate(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "imagegate")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func newKillRepo(t *testing.T) *killRepo {
	dir := t.TempDir()
	r := &killRepo{bin: buildImagegate(t), testing: filepath.Join(dir, "testing"), prod: filepath.Join(dir, "prod"),
		reports: filepath.Join(dir, "reports"), policy: filepath.Join(dir, "policy.yaml")}
	os.MkdirAll(r.testing, 0o755)
	os.MkdirAll(r.prod, 0o755)
	os.WriteFile(r.policy, []byte(killPolicy), 0o644)
	return r
}

// nextCandidate writes new image files (size bytes per arch) and the
// report of a run that tested them.
func (r *killRepo) nextCandidate(t *testing.T, size int) {
	r.cand++
	r.items = map[string]string{}
	runID := fmt.Sprintf("20261122-%06d-0001", r.cand)
	var targets []jt.Target
	for _, arch := range []string{"x86_64", "aarch64"} {
		p := filepath.Join(r.testing, "deb-"+arch+".qcow2")
		data := make([]byte, size)
		rand.Read(data)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		r.items[fmt.Sprintf("deb/v%d/%s", r.cand, arch)] = hex.EncodeToString(sum[:])
		msum := sha256.Sum256([]byte(jt.ManifestOf(arch)))
		r.items[fmt.Sprintf("deb/v%d/%s.manifest", r.cand, arch)] = hex.EncodeToString(msum[:])
		targets = append(targets, jt.Target{Image: "deb", Arch: arch, SHA256: hex.EncodeToString(sum[:]), RunID: runID, Path: p,
			Cases: []jt.Case{jt.Boot(), jt.Pass("baseline", "ok")}})
	}
	os.RemoveAll(r.reports)
	jt.Write(t, filepath.Join(r.reports, runID), targets...)
}

func (r *killRepo) command() (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(r.bin, "promote", "--from", r.testing, "--to", r.prod, "--image", "deb",
		"--policy", r.policy, "--reports", r.reports, "--version", fmt.Sprintf("v%d", r.cand))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

// promote runs to completion and must succeed.
func (r *killRepo) promote(t *testing.T) time.Duration {
	t.Helper()
	cmd, out := r.command()
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("promote: %v\n%s", err, out)
	}
	return time.Since(start)
}

// repoItem is one item as a reader of the repo sees it, with its
// package manifest (a file of the repo too).
type repoItem struct {
	Path     string    `json:"path"`
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	Manifest *repoItem `json:"manifest"`
}

// readRepo reads index.json and SHA256SUMS the way a mirror would and
// checks them: every referenced file exists with the recorded size and
// sha256, and SHA256SUMS lists exactly the index's files (items and
// manifests). It returns "product/version/arch" -> sha256, and
// "product/version/arch.manifest" -> sha256 for each manifest.
func readRepo(root string) (map[string]string, error) {
	data, err := os.ReadFile(filepath.Join(root, "index.json"))
	if os.IsNotExist(err) {
		if _, serr := os.Stat(filepath.Join(root, "SHA256SUMS")); !os.IsNotExist(serr) {
			return nil, fmt.Errorf("SHA256SUMS readable without an index")
		}
		return map[string]string{}, nil // nothing committed yet
	}
	if err != nil {
		return nil, err
	}
	var idx struct {
		Products map[string]struct {
			Versions map[string]struct {
				Items map[string]repoItem `json:"items"`
			} `json:"versions"`
		} `json:"products"`
	}
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("index.json does not parse: %w", err)
	}
	state, sums := map[string]string{}, map[string]string{}
	for pn, p := range idx.Products {
		for vn, v := range p.Versions {
			for arch, it := range v.Items {
				if err := checkFile(root, it); err != nil {
					return nil, err
				}
				state[pn+"/"+vn+"/"+arch] = it.SHA256
				sums[it.Path] = it.SHA256
				if m := it.Manifest; m != nil {
					if err := checkFile(root, *m); err != nil {
						return nil, err
					}
					state[pn+"/"+vn+"/"+arch+".manifest"] = m.SHA256
					sums[m.Path] = m.SHA256
				}
			}
		}
	}
	return state, checkSums(root, sums)
}

func checkFile(root string, it repoItem) error {
	p := filepath.Join(root, it.Path)
	sum, size, err := hashCached(p)
	if err != nil {
		return fmt.Errorf("the index references %s: %w", it.Path, err)
	}
	if size != it.Size || sum != it.SHA256 {
		return fmt.Errorf("%s: %d bytes sha256 %s; the index says %d bytes %s", it.Path, size, sum, it.Size, it.SHA256)
	}
	return nil
}

// fileID changes whenever a file's content may have: any write or rename
// changes its ctime (which user space cannot set) or its inode.
type fileID struct {
	ino, size    int64
	ctimeSec, ns int64
}

var hashCache = map[string]struct {
	id  fileID
	sum string
}{}

// hashCached hashes a file, or reuses the hash of the same file unchanged
// since: the test reads the same repo after every kill.
func hashCached(p string) (string, int64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(p, &st); err != nil {
		return "", 0, err
	}
	id := fileID{int64(st.Ino), st.Size, st.Ctim.Sec, st.Ctim.Nsec}
	if c, ok := hashCache[p]; ok && c.id == id {
		return c.sum, id.size, nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", 0, err
	}
	h := sha256.Sum256(b)
	sum := hex.EncodeToString(h[:])
	if int64(len(b)) == id.size {
		hashCache[p] = struct {
			id  fileID
			sum string
		}{id, sum}
	}
	return sum, int64(len(b)), nil
}

func checkSums(root string, want map[string]string) error {
	data, err := os.ReadFile(filepath.Join(root, "SHA256SUMS"))
	if err != nil {
		return err
	}
	got := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		sum, path, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			return fmt.Errorf("SHA256SUMS: bad line %q", sc.Text())
		}
		got[path] = sum
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("SHA256SUMS %v disagrees with index.json %v", got, want)
	}
	return nil
}

// lastPhase is the last phase the killed process announced.
func lastPhase(out string) string {
	phase := "start"
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "promote: "); ok {
			phase, _, _ = strings.Cut(rest, ":")
		}
	}
	return phase
}

func union(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestPromoteSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills 40 promotions; skipped with -short")
	}
	const size = 4 << 20 // per arch
	const wantKills = 40
	r := newKillRepo(t)
	seedRepo(t, r.prod, 1500) // a big index: writing the next generation takes a while
	r.nextCandidate(t, size)
	r.promote(t)
	windows := r.calibrate(t, size)
	r.nextCandidate(t, size)
	r.killLoop(t, windows, size, wantKills)
	r.promote(t)
	after, err := readRepo(r.prod)
	if err != nil || after[fmt.Sprintf("deb/v%d/x86_64", r.cand)] != r.items[fmt.Sprintf("deb/v%d/x86_64", r.cand)] {
		t.Fatalf("the final promotion: %v %v", err, after)
	}
	assertNoLeftovers(t, r.prod, after)
}

// seedRepo lays out a production repo by hand, as docs/gate.md describes
// it, with n small items in generation 1.
func seedRepo(t *testing.T, root string, n int) {
	type item struct {
		Arch       string `json:"arch"`
		Path       string `json:"path"`
		Size       int    `json:"size"`
		SHA256     string `json:"sha256"`
		PromotedAt string `json:"promoted_at"`
	}
	type version struct {
		PromotedAt string          `json:"promoted_at"`
		Items      map[string]item `json:"items"`
	}
	versions := map[string]version{}
	var sums []string
	for i := 0; i < n; i++ {
		rel := fmt.Sprintf("images/seed/%05d/x86_64/seed.img", i)
		data := []byte(fmt.Sprintf("seed image %d\n", i))
		os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755)
		if err := os.WriteFile(filepath.Join(root, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		it := item{Arch: "x86_64", Path: rel, Size: len(data), SHA256: hex.EncodeToString(sum[:]), PromotedAt: "2026-01-01T00:00:00Z"}
		versions[fmt.Sprintf("%05d", i)] = version{PromotedAt: it.PromotedAt, Items: map[string]item{"x86_64": it}}
		sums = append(sums, it.SHA256+"  "+rel+"\n")
	}
	idx, _ := json.MarshalIndent(map[string]any{"format": "imagegate-products:1.0", "content_id": "imagegate:production",
		"generation": 1, "updated": "2026-01-01T00:00:00Z", "products": map[string]any{"seed": map[string]any{"versions": versions}}}, "", "  ")
	gen := filepath.Join(root, "meta", "gen-000001")
	os.MkdirAll(gen, 0o755)
	sort.Strings(sums)
	os.WriteFile(filepath.Join(gen, "index.json"), idx, 0o644)
	os.WriteFile(filepath.Join(gen, "SHA256SUMS"), []byte(strings.Join(sums, "")), 0o644)
	for _, l := range [][2]string{{"gen-000001", "meta/current"}, {"meta/current/index.json", "index.json"}, {"meta/current/SHA256SUMS", "SHA256SUMS"}} {
		if err := os.Symlink(l[0], filepath.Join(root, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := readRepo(root); err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// killLoop kills promotions until wantKills kills landed, checking the
// repo after each: the old state, or the old state plus the candidate.
func (r *killRepo) killLoop(t *testing.T, windows []window, size, wantKills int) {
	seed := uint64(time.Now().UnixNano())
	rng := mrand.New(mrand.NewPCG(seed, 1))
	t.Logf("seed %d; phase windows of an uninterrupted promotion: %s", seed, windowList(windows))
	landed, kills, committed, finished := map[string]int{}, 0, 0, 0
	before, err := readRepo(r.prod)
	if err != nil {
		t.Fatal(err)
	}
	for iter := 0; kills < wantKills && iter < 3*wantKills; iter++ {
		phase, killed := r.killAt(t, pickKill(rng, windows, iter))
		after, err := readRepo(r.prod)
		if err != nil {
			t.Fatalf("killed after %q: the repo is inconsistent: %v", phase, err)
		}
		newState := union(before, r.items)
		switch {
		case fmt.Sprint(after) == fmt.Sprint(newState):
			committed++
			r.nextCandidate(t, size)
		case fmt.Sprint(after) != fmt.Sprint(before):
			t.Fatalf("killed after %q: the repo is neither the old state nor the new one:\n old %v\n new %v\n got %v", phase, before, newState, after)
		}
		before = after
		if killed {
			kills++
			landed[phase]++
		} else {
			finished++
		}
	}
	if kills < wantKills {
		t.Fatalf("only %d kills landed before the process ended", kills)
	}
	t.Logf("%d kills (%d runs finished first), %d candidates committed; kills by the last line the process printed: %s",
		kills, finished, committed, phaseList(landed))
}

// window is when a phase runs, from the start of the process.
type window struct {
	phase      string // the last line printed: the step after it is running
	begin, end time.Duration
}

// calibrate times three uninterrupted promotions line by line and returns
// the phase windows of the median one.
func (r *killRepo) calibrate(t *testing.T, size int) []window {
	var runs [][]window
	for i := 0; i < 3; i++ {
		r.nextCandidate(t, size)
		runs = append(runs, r.timedPromote(t))
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i][len(runs[i])-1].end < runs[j][len(runs[j])-1].end })
	return runs[1]
}

func (r *killRepo) timedPromote(t *testing.T) []window {
	cmd, _ := r.command()
	cmd.Stdout = nil
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ws := []window{{phase: "start"}}
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "promote: "); ok {
			now := time.Since(start)
			ws[len(ws)-1].end = now
			phase, _, _ := strings.Cut(rest, ":")
			ws = append(ws, window{phase: phase, begin: now})
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("promote: %v", err)
	}
	ws[len(ws)-1].end = time.Since(start)
	return ws
}

func windowList(ws []window) string {
	var parts []string
	for _, w := range ws {
		parts = append(parts, fmt.Sprintf("%s %.1f-%.1fms", w.phase, ms(w.begin), ms(w.end)))
	}
	return strings.Join(parts, ", ")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// kill says when to kill: delay after the process printed its
// occurrence-th line of phase ("" : delay after it started).
type kill struct {
	phase      string
	occurrence int
	delay      time.Duration
}

// pickKill: every third kill is at a random moment of a whole run; the
// others take each phase in turn and land at a random moment inside it,
// timed from the line that announces it, so the short phases are hit too.
// The two phases around the commit (writing the new generation, and the
// switch itself) get three turns each.
func pickKill(rng *mrand.Rand, ws []window, iter int) kill {
	total := ws[len(ws)-1].end
	if iter%3 == 0 {
		return kill{delay: time.Duration(rng.Int64N(int64(total)))}
	}
	turns := anchors(ws)
	k := turns[(iter-iter/3-1)%len(turns)]
	w := ws[k]
	occ := 0
	for _, prev := range ws[:k] {
		if prev.phase == w.phase {
			occ++
		}
	}
	d := time.Duration(rng.Int64N(int64(w.end-w.begin) + 1))
	if w.phase == "start" {
		return kill{delay: d}
	}
	return kill{phase: w.phase, occurrence: occ, delay: d}
}

// anchors lists the window indexes to take in turn.
func anchors(ws []window) []int {
	var out, critical []int
	for i, w := range ws {
		out = append(out, i)
		if w.phase == "index" || (w.phase == "installed" && i+1 < len(ws) && ws[i+1].phase == "index") {
			critical = append(critical, i)
		}
	}
	return append(append(out, critical...), critical...)
}

// killAt starts a promotion and SIGKILLs it as k says. killed is false
// when it finished first.
func (r *killRepo) killAt(t *testing.T, k kill) (phase string, killed bool) {
	cmd, _ := r.command()
	cmd.Stdout = nil
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 64)
	var out strings.Builder
	go func() {
		defer close(seen)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if rest, ok := strings.CutPrefix(sc.Text(), "promote: "); ok {
				p, _, _ := strings.Cut(rest, ":")
				seen <- p
			}
		}
	}()
	if !waitFor(seen, k) {
		return r.finished(t, cmd, &out)
	}
	if !sleepReading(seen, k.delay) {
		return r.finished(t, cmd, &out)
	}
	cmd.Process.Kill() // SIGKILL
	for range seen {
	}
	cmd.Wait()
	if cmd.ProcessState.Success() {
		return "finished", false
	}
	if !strings.Contains(cmd.ProcessState.String(), "killed") {
		t.Fatalf("promote failed on its own: %s\n%s", cmd.ProcessState, out.String())
	}
	return lastPhase(out.String()), true
}

// waitFor waits for k's anchor line; false if the output ended first.
func waitFor(seen chan string, k kill) bool {
	if k.phase == "" {
		return true
	}
	n := 0
	for p := range seen {
		if p == k.phase {
			if n == k.occurrence {
				return true
			}
			n++
		}
	}
	return false
}

// sleepReading keeps reading phase lines for d; false if the output
// ended (the process exited) first.
func sleepReading(seen chan string, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			return true
		case _, open := <-seen:
			if !open {
				return false
			}
		}
	}
}

func (r *killRepo) finished(t *testing.T, cmd *exec.Cmd, out *strings.Builder) (string, bool) {
	if err := cmd.Wait(); err != nil {
		t.Fatalf("promote failed on its own: %v\n%s", err, out.String())
	}
	return "finished", false
}

func phaseList(m map[string]int) string {
	order := []string{"start", "gate", "verify", "lock", "clean", "copy", "installed", "index", "commit", "done"}
	var parts []string
	for _, p := range order {
		if m[p] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", p, m[p]))
		}
	}
	for p, n := range m {
		if !slices.Contains(order, p) {
			parts = append(parts, fmt.Sprintf("%s %d", p, n))
		}
	}
	return strings.Join(parts, ", ")
}

// assertNoLeftovers: after an uninterrupted promotion nothing but the
// referenced files, the current and previous generation and the links
// remain.
func assertNoLeftovers(t *testing.T, root string, state map[string]string) {
	t.Helper()
	var stray []string
	files := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case strings.Contains(rel, ".tmp-"):
			stray = append(stray, rel)
		case strings.HasPrefix(rel, "images/"):
			files++
		}
		return nil
	})
	gens, _ := filepath.Glob(filepath.Join(root, "meta", "gen-*"))
	if len(stray) > 0 || files != len(state) || len(gens) > 2 {
		sort.Strings(stray)
		t.Errorf("leftovers: temp %v, %d files under images/ for %d items and manifests, %d generations", stray, files, len(state), len(gens))
	}
}
