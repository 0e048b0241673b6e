package promote

import (
	"encoding/json"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The production index in the simplestreams v1 layout, so that mirror
// tools (sstream-mirror and the like) can sync and verify a production
// repo: streams/v1/index.json (format index:1.0) names one products file
// (format products:1.0) holding every item with its ftype, path, sha256
// and size. Both are rendered from index.json into each generation and
// committed with it; the root's streams link goes through meta/current.
const (
	StreamsDir       = "streams"
	StreamsContentID = "com.imagegate:production"
	streamsIndex     = "streams/v1/index.json"
	streamsProducts  = "streams/v1/" + StreamsContentID + ".json"
)

type streamsIndexDoc struct {
	Format  string                      `json:"format"`
	Updated string                      `json:"updated"`
	Index   map[string]streamsIndexItem `json:"index"`
}

type streamsIndexItem struct {
	DataType string   `json:"datatype"`
	Format   string   `json:"format"`
	Path     string   `json:"path"`
	Updated  string   `json:"updated"`
	Products []string `json:"products"`
}

type streamsProductsDoc struct {
	ContentID string                    `json:"content_id"`
	DataType  string                    `json:"datatype"`
	Format    string                    `json:"format"`
	Updated   string                    `json:"updated"`
	Products  map[string]streamsProduct `json:"products"`
}

type streamsProduct struct {
	Image    string                    `json:"image"`
	Arch     string                    `json:"arch"`
	Versions map[string]streamsVersion `json:"versions"`
}

type streamsVersion struct {
	PromotedAt string                 `json:"promoted_at"`
	Items      map[string]streamsItem `json:"items"`
}

type streamsItem struct {
	FType  string `json:"ftype"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// productID names an image on an arch as simplestreams products do.
func productID(image, arch string) string { return "com.imagegate:" + image + ":" + arch }

// streams renders the index in the simplestreams layout: the files'
// paths (relative to the repo root) and contents.
func (idx *Index) streams() (map[string][]byte, error) {
	updated := streamsTime(idx.Updated)
	prods := streamsProductsDoc{ContentID: StreamsContentID, DataType: "image-downloads", Format: "products:1.0",
		Updated: updated, Products: map[string]streamsProduct{}}
	for image, p := range idx.Products {
		for version, v := range p.Versions {
			for arch, it := range v.Items {
				id := productID(image, arch)
				sp, ok := prods.Products[id]
				if !ok {
					sp = streamsProduct{Image: image, Arch: arch, Versions: map[string]streamsVersion{}}
				}
				sv := streamsVersion{PromotedAt: it.PromotedAt, Items: map[string]streamsItem{}}
				ft := fileType(it.Path)
				sv.Items[ft] = streamsItem{FType: ft, Path: it.Path, SHA256: it.SHA256, Size: it.Size}
				if m := it.Manifest; m != nil {
					sv.Items["manifest"] = streamsItem{FType: "manifest", Path: m.Path, SHA256: m.SHA256, Size: m.Size}
				}
				sp.Versions[version] = sv
				prods.Products[id] = sp
			}
		}
	}
	ids := make([]string, 0, len(prods.Products))
	for id := range prods.Products {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := streamsIndexDoc{Format: "index:1.0", Updated: updated, Index: map[string]streamsIndexItem{
		StreamsContentID: {DataType: "image-downloads", Format: "products:1.0", Path: streamsProducts, Updated: updated, Products: ids}}}
	out := map[string][]byte{}
	for p, doc := range map[string]any{streamsIndex: index, streamsProducts: prods} {
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return nil, err
		}
		out[p] = append(b, '\n')
	}
	return out, nil
}

// fileType is an item's ftype: its file name's extension (qcow2, raw,
// img), as simplestreams' disk items are named.
func fileType(p string) string {
	ext := strings.TrimPrefix(path.Ext(p), ".")
	if ext == "" {
		return "disk"
	}
	return ext
}

// streamsTime is the index's RFC 3339 time as simplestreams writes its
// "updated" fields (RFC 1123 with a numeric zone).
func streamsTime(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return t.UTC().Format(time.RFC1123Z)
}

// genPath is where a file of a generation folder (a path relative to it) is on disk.
func genPath(dir, rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
