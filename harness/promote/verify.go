package promote

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/digest"
)

// Report is what Verify found in a consistent repo.
type Report struct {
	Generation int
	Items      int
}

// Verify checks a production repo as a reader sees it: index.json and
// SHA256SUMS (through their links) are the current generation's, the
// index parses, SHA256SUMS agrees with it, the flake history parses, and
// every item exists with its recorded size and sha256. An empty repo
// (nothing committed yet) is consistent.
func Verify(ctx context.Context, root string) (Report, error) {
	st, err := readState(root)
	if err != nil {
		return Report{}, err
	}
	if st.gen == 0 {
		return Report{}, nil
	}
	if err := checkLinks(root, st); err != nil {
		return Report{}, err
	}
	sums, err := os.ReadFile(filepath.Join(root, SumsFile))
	if err != nil {
		return Report{}, err
	}
	if !bytes.Equal(sums, st.idx.SHA256SUMS()) {
		return Report{}, fmt.Errorf("%s does not agree with %s", filepath.Join(root, SumsFile), filepath.Join(root, IndexFile))
	}
	if _, err := readHistory(root, st.gen); err != nil {
		return Report{}, err
	}
	for _, it := range st.idx.Items() {
		p := filepath.Join(root, filepath.FromSlash(it.Path))
		sum, size, err := digest.File(ctx, p)
		if err != nil {
			return Report{}, err
		}
		if sum != it.SHA256 || size != it.Size {
			return Report{}, fmt.Errorf("%s: sha256 %s, %d bytes; the index says %s, %d bytes", p, sum, size, it.SHA256, it.Size)
		}
	}
	return Report{Generation: st.gen, Items: len(st.idx.Items())}, nil
}

// checkLinks insists that the root's index.json is the current
// generation's.
func checkLinks(root string, st *state) error {
	via, err := os.ReadFile(filepath.Join(root, IndexFile))
	if err != nil {
		return err
	}
	idx, err := parseIndex(filepath.Join(root, IndexFile), via)
	if err != nil {
		return err
	}
	if idx.Generation != st.gen {
		return fmt.Errorf("%s is generation %d, meta/current is %d", filepath.Join(root, IndexFile), idx.Generation, st.gen)
	}
	return nil
}
