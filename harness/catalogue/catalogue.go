package catalogue

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Spec is one check as it applies to a target.
type Spec struct {
	Suite string `json:"suite"`
	// Name is the check's text below its suite, as JUnit shows it
	// ("ssh refuses password authentication").
	Name   string   `json:"name"`
	Labels []string `json:"labels,omitempty"`
	// Selected: this run's --suite, --label-filter and --focus pick it.
	Selected bool `json:"selected"`
}

// Key identifies a check within a target, across runs.
func (s Spec) Key() string { return Key(s.Suite, s.Name) }

// FullName is "<suite> <name>", as Ginkgo prints the spec.
func (s Spec) FullName() string { return s.Suite + " " + s.Name }

// Key identifies the check called name in suite.
func Key(suite, name string) string { return suite + "\x00" + name }

// The fates of a check in a report. Passed, Failed and Error are the JUnit
// results of the same names; the others are a JUnit <skipped> whose type
// attribute is the fate.
const (
	Passed        = "passed"
	Failed        = "failed" // the image is wrong
	Error         = "error"  // the check could not judge the image (host fault, command could not run)
	NotApplicable = "not-applicable"
	NotSelected   = "not-selected"
	NotRun        = "not-run" // selected, but the run ended before it (boot failed, guest died, interrupted)
)

// SkipKinds are the fates written as a JUnit <skipped type="...">.
var SkipKinds = []string{NotApplicable, NotSelected, NotRun}

// JUnit property names of a target's testsuite that describe its catalogue.
const (
	PropDigest    = "catalogue.sha256" // Digest of the target's checks
	PropSpecs     = "catalogue.specs"  // how many checks
	PropSelection = "selection"        // what this run selected, for people ("" = everything)
	PropVersion   = "imagegate.version"
	PropRerun     = "rerun" // the command that runs the target again (the gate adds --suite)
)

// OutcomeEntry is the Ginkgo report entry through which the framework
// tells the report writer what a spec's skip or failure means: a skip is
// NotApplicable, a failure is an Error (the check could not run).
const OutcomeEntry = "imagegate.outcome"

// Digest is the sha256 over the sorted "suite NUL name" lines of the checks.
func Digest(specs []Spec) string {
	keys := make([]string, len(specs))
	for i, s := range specs {
		keys[i] = s.Key()
	}
	return DigestKeys(keys)
}

// DigestKeys is Digest over Key(suite, name) values.
func DigestKeys(keys []string) string {
	keys = slices.Clone(keys)
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		io.WriteString(h, k)
		io.WriteString(h, "\n")
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Check reports the first problem that makes specs unusable as a
// catalogue: an empty suite or name, or a check listed twice.
func Check(specs []Spec) error {
	seen := map[string]bool{}
	for _, s := range specs {
		if s.Suite == "" || strings.TrimSpace(s.Name) == "" {
			return fmt.Errorf("a check with no suite or no name (%q %q)", s.Suite, s.Name)
		}
		if seen[s.Key()] {
			return fmt.Errorf("suite %s has two checks named %q: give one another name", s.Suite, s.Name)
		}
		seen[s.Key()] = true
	}
	return nil
}

// Selected counts the selected checks.
func Selected(specs []Spec) int {
	n := 0
	for _, s := range specs {
		if s.Selected {
			n++
		}
	}
	return n
}

// Write writes specs as JSON.
func Write(w io.Writer, specs []Spec) error { return writeJSON(w, specs) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Read reads what Write wrote and checks it.
func Read(r io.Reader) ([]Spec, error) {
	var specs []Spec
	if err := json.NewDecoder(r).Decode(&specs); err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	return specs, Check(specs)
}

// The harness's own steps, as reports name them.
const (
	BootCase     = "boot: the guest starts and accepts SSH with a verified host key"
	EvidenceCase = "evidence: console, cloud-init logs and journal collected"
	CleanupCase  = "cleanup: machine destroyed and work files removed"
)

// Result is how one check, or one of the harness's own steps (boot,
// evidence, cleanup: Suite ""), ended in a run, as the process that ran
// the target saw it. It is written as results.json in the target's report
// folder.
type Result struct {
	Suite   string  `json:"suite,omitempty"`
	Name    string  `json:"name"`
	Fate    string  `json:"fate"`           // Passed, Failed, Error, NotApplicable or NotRun
	Type    string  `json:"type,omitempty"` // more precisely: timedout, panicked, interrupted, ...
	Message string  `json:"message,omitempty"`
	Detail  string  `json:"detail,omitempty"` // the message with where it was raised
	Output  string  `json:"output,omitempty"` // what the check printed
	Seconds float64 `json:"seconds"`
	// Entries are named values the check recorded (timings, versions):
	// properties of the target's report.
	Entries [][2]string `json:"entries,omitempty"`
	// Reruns are the check's fates on fresh guests after it failed
	// (--rerun-failed), in order; the runner adds them (rerun.go).
	Reruns []Rerun `json:"reruns,omitempty"`
}

// Key identifies the check the result is about.
func (r Result) Key() string { return Key(r.Suite, r.Name) }

// Harness reports whether the result is about one of the harness's steps.
func (r Result) Harness() bool { return r.Suite == "" }

// ResultsFile is the name of the results in a target's report folder.
const ResultsFile = "results.json"

// WriteResults writes results as JSON.
func WriteResults(w io.Writer, results []Result) error { return writeJSON(w, results) }

// ReadResults reads what WriteResults wrote.
func ReadResults(r io.Reader) ([]Result, error) {
	var out []Result
	if err := json.NewDecoder(r).Decode(&out); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	return out, nil
}
