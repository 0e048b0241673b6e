package junitread

import (
	"fmt"
	"strings"
)

// Summary is what a combined report holds, per target.
type Summary struct {
	Targets []TargetSummary `json:"targets"`
	Totals  Counts          `json:"totals"`
}

// TargetSummary is one target's line of a Summary.
type TargetSummary struct {
	Target string   `json:"target"`
	SHA256 string   `json:"sha256"`
	Runs   []string `json:"runs"`
	Files  []string `json:"files"`
	Counts Counts   `json:"counts"`
}

// Summarize counts the results of targets.
func Summarize(targets []Target) Summary {
	var s Summary
	for _, t := range targets {
		n := t.Counts()
		s.Targets = append(s.Targets, TargetSummary{Target: t.ID(), SHA256: t.SHA256, Runs: t.Runs, Files: t.Files, Counts: n})
		s.Totals.Add(n)
	}
	return s
}

// Text is the summary for people: one line per target, then the totals.
func (s Summary) Text() string {
	var b strings.Builder
	for _, t := range s.Targets {
		fmt.Fprintf(&b, "%-28s sha256 %.12s  %-44s runs %s\n", t.Target, t.SHA256, t.Counts, strings.Join(t.Runs, ","))
	}
	fmt.Fprintf(&b, "total: %d target(s), %s\n", len(s.Targets), s.Totals)
	return b.String()
}
