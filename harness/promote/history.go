package promote

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/junitread"
)

// HistoryFile is the flake history in each generation's folder
// (meta/gen-N/history.json): every promotion's per-check results, newest
// last. It is written with the generation and committed by the same
// rename, so the history never records a promotion that did not happen.
const HistoryFile = "history.json"

// HistoryKeep is how many promoted targets (image, version, arch) the
// history keeps; older ones are dropped.
const HistoryKeep = 1000

// HistoryRun is the results one promoted target was promoted on.
type HistoryRun struct {
	Image      string         `json:"image"`
	Version    string         `json:"version"`
	Arch       string         `json:"arch"`
	SHA256     string         `json:"sha256"`
	Runs       []string       `json:"runs"`
	PromotedAt string         `json:"promoted_at"`
	Checks     []HistoryCheck `json:"checks"`
}

// HistoryCheck is one check's result in a promoted run.
type HistoryCheck struct {
	Check  string `json:"check"`  // "<suite> <name>"
	Result string `json:"result"` // passed, failed, flaky, error, not-applicable, not-selected, not-run
}

// Flaky is the Result of a check that failed, then passed on a rerun.
const Flaky = "flaky"

// historyRuns are the history entries of a promotion: one per arch, from
// the cases the gate decided on.
func historyRuns(image, version, at string, srcs []planned) []HistoryRun {
	var out []HistoryRun
	for _, p := range srcs {
		h := HistoryRun{Image: image, Version: version, Arch: p.arch, SHA256: p.sha256, Runs: p.result.Runs, PromotedAt: at, Checks: []HistoryCheck{}}
		for _, c := range p.result.Cases {
			if !c.Harness() {
				h.Checks = append(h.Checks, HistoryCheck{Check: c.FullName(), Result: historyResult(c)})
			}
		}
		out = append(out, h)
	}
	return out
}

func historyResult(c junitread.Case) string {
	if c.Flaky {
		return Flaky
	}
	return string(c.Status)
}

// readHistory reads generation gen's history; none before the first
// promotion that kept one.
func readHistory(root string, gen int) ([]HistoryRun, error) {
	if gen == 0 {
		return nil, nil
	}
	p := filepath.Join(root, MetaDir, genName(gen), HistoryFile)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var runs []HistoryRun
	if err := json.Unmarshal(data, &runs); err != nil {
		return nil, fmt.Errorf("flake history %s: %w", p, err)
	}
	return runs, nil
}

// History is the committed generation's flake history of a production
// repo, oldest first.
func History(root string) ([]HistoryRun, error) {
	st, err := readState(root)
	if err != nil {
		return nil, err
	}
	return readHistory(root, st.gen)
}

// withHistory is the history after a promotion: the old one, the new
// runs, at most HistoryKeep of them.
func withHistory(old, added []HistoryRun) []HistoryRun {
	all := append(append([]HistoryRun{}, old...), added...)
	if len(all) > HistoryKeep {
		all = all[len(all)-HistoryKeep:]
	}
	return all
}
