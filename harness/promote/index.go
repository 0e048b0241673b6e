package promote

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/imagegate/imagegate/harness/junitread"
)

// IndexFormat names the index layout, in the spirit of simplestreams'
// products:1.0.
const IndexFormat = "imagegate-products:1.0"

// Index is the production repo's catalogue: products -> versions -> items.
type Index struct {
	Format     string              `json:"format"`
	ContentID  string              `json:"content_id"`
	Generation int                 `json:"generation"`
	Updated    string              `json:"updated"`
	Products   map[string]*Product `json:"products"`
}

// Product is one image name.
type Product struct {
	Versions map[string]*Version `json:"versions"`
}

// Version is one promotion of an image: an item per arch.
type Version struct {
	PromotedAt string           `json:"promoted_at"`
	Gate       VersionGate      `json:"gate"`
	Items      map[string]*Item `json:"items"` // by arch
}

// VersionGate summarises the gate's decision for the version.
type VersionGate struct {
	Decision     string   `json:"decision"`
	Policy       string   `json:"policy"`
	PolicySHA256 string   `json:"policy_sha256"`
	EvaluatedAt  string   `json:"evaluated_at"`
	Accepted     []string `json:"accepted,omitempty"` // waived failures and failures in grace
}

// Item is one file of a version.
type Item struct {
	Arch       string   `json:"arch"`
	Path       string   `json:"path"` // relative to the repo root
	Size       int64    `json:"size"`
	SHA256     string   `json:"sha256"`
	PromotedAt string   `json:"promoted_at"`
	Gate       ItemGate `json:"gate"`
	// Manifest is the image's package manifest, a file beside it.
	Manifest *FileRef `json:"manifest,omitempty"`
	// Provenance says what passed the image.
	Provenance *Provenance `json:"provenance,omitempty"`
}

// FileRef is a file with its size and sha256; Path is relative to the
// repo root for the repo's own files.
type FileRef struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Provenance is what passed an item: the reports the gate read (as given,
// with their digests), the imagegate that wrote them and the digest of its
// catalogue of checks, and the imagegate that promoted it.
type Provenance struct {
	ImagegateVersion string    `json:"imagegate_version"`
	CatalogueSHA256  string    `json:"catalogue_sha256"`
	Reports          []FileRef `json:"reports"`
	PromotedBy       string    `json:"promoted_by"`
}

// ItemGate summarises the results the item was promoted on.
type ItemGate struct {
	Decision string           `json:"decision"`
	Runs     []string         `json:"runs"`
	Reports  []string         `json:"reports"`
	Counts   junitread.Counts `json:"counts"`
	Waived   int              `json:"waived"`
	Grace    int              `json:"grace"`
}

func emptyIndex() *Index {
	return &Index{Format: IndexFormat, ContentID: "imagegate:production", Products: map[string]*Product{}}
}

func parseIndex(name string, data []byte) (*Index, error) {
	idx := emptyIndex()
	if err := json.Unmarshal(data, idx); err != nil {
		return nil, fmt.Errorf("index %s: %w", name, err)
	}
	if idx.Format != IndexFormat {
		return nil, fmt.Errorf("index %s: format %q, want %q", name, idx.Format, IndexFormat)
	}
	if idx.Products == nil {
		idx.Products = map[string]*Product{}
	}
	return idx, nil
}

func (idx *Index) encode() ([]byte, error) {
	b, err := json.MarshalIndent(idx, "", "  ")
	return append(b, '\n'), err
}

// Items lists every item, sorted by path.
func (idx *Index) Items() []*Item {
	var out []*Item
	for _, p := range idx.Products {
		for _, v := range p.Versions {
			for _, it := range v.Items {
				out = append(out, it)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Files lists every file of the repo the index refers to (the items and
// their manifests), sorted by path.
func (idx *Index) Files() []FileRef {
	var out []FileRef
	for _, it := range idx.Items() {
		out = append(out, FileRef{Path: it.Path, Size: it.Size, SHA256: it.SHA256})
		if it.Manifest != nil {
			out = append(out, *it.Manifest)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// SHA256SUMS renders the checksums file: one "<sha256>  <path>" line per
// file (items and manifests), sorted by path, as sha256sum -c reads it
// from the repo root. Its signature (SHA256SUMS.gpg) covers them all.
func (idx *Index) SHA256SUMS() []byte {
	var b strings.Builder
	for _, f := range idx.Files() {
		fmt.Fprintf(&b, "%s  %s\n", f.SHA256, f.Path)
	}
	return []byte(b.String())
}

// findVersion returns a version of image whose items are exactly want
// (arch -> sha256).
func (idx *Index) findVersion(image string, want map[string]string) (string, bool) {
	p := idx.Products[image]
	if p == nil {
		return "", false
	}
	for _, name := range slices.Sorted(maps.Keys(p.Versions)) {
		if sameItems(p.Versions[name].Items, want) {
			return name, true
		}
	}
	return "", false
}

func sameItems(items map[string]*Item, want map[string]string) bool {
	if len(items) != len(want) {
		return false
	}
	for arch, sha := range want {
		if it, ok := items[arch]; !ok || it.SHA256 != sha {
			return false
		}
	}
	return true
}

// Current reads the committed index of the production repo at root (an
// empty index before the first promotion).
func Current(root string) (*Index, error) {
	st, err := readState(root)
	if err != nil {
		return nil, err
	}
	return st.idx, nil
}

// Latest is the most recently promoted version of image that has an item
// for arch: the production image a candidate replaces.
func (idx *Index) Latest(image, arch string) (string, *Item, bool) {
	p := idx.Products[image]
	if p == nil {
		return "", nil, false
	}
	best, bestAt := "", ""
	for name, v := range p.Versions {
		if _, ok := v.Items[arch]; !ok {
			continue
		}
		if at := v.PromotedAt; best == "" || at > bestAt || (at == bestAt && name > best) {
			best, bestAt = name, at
		}
	}
	if best == "" {
		return "", nil, false
	}
	return best, p.Versions[best].Items[arch], true
}
