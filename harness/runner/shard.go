package runner

import (
	"fmt"
	"sort"

	"github.com/imagegate/imagegate/harness/matrix"
)

// Shard is the i-th of n parts of a matrix (1-based), so several agents
// can share the work: every target lands in exactly one shard, the same one
// on every agent.
type Shard struct{ I, N int }

// ParseShard reads --shard i/n; empty is the whole matrix.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{1, 1}, nil
	}
	var sh Shard
	if _, err := fmt.Sscanf(s, "%d/%d", &sh.I, &sh.N); err != nil || sh.N < 1 || sh.I < 1 || sh.I > sh.N || fmt.Sprintf("%d/%d", sh.I, sh.N) != s {
		return Shard{}, usage(fmt.Errorf("--shard %q: want i/n with 1 <= i <= n, e.g. 2/4", s))
	}
	return sh, nil
}

// Apply keeps this shard's images: sorted by target ID, every N-th from the
// I-th. A shard may be empty when there are fewer targets than shards.
func (sh Shard) Apply(images []matrix.Image) []matrix.Image {
	if sh.N <= 1 {
		return images
	}
	sorted := append([]matrix.Image(nil), images...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].ID() < sorted[b].ID() })
	var out []matrix.Image
	for i, im := range sorted {
		if i%sh.N == sh.I-1 {
			out = append(out, im)
		}
	}
	return out
}
