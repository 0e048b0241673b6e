package promote

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/imagegate/imagegate/harness/buildinfo"
	"github.com/imagegate/imagegate/harness/gate"
)

// addVersion records the new version in the index (the caller's copy).
func (o *Options) addVersion(idx *Index, res Result, srcs []planned) *Index {
	now := o.Now().UTC().Format(time.RFC3339)
	d := res.Decision
	v := &Version{PromotedAt: now, Items: map[string]*Item{}, Gate: VersionGate{
		Decision: string(d.Verdict), Policy: d.Policy, PolicySHA256: fileSHA256(o.Gate.Policy),
		EvaluatedAt: o.Now().UTC().Format(time.RFC3339), Accepted: accepted(d),
	}}
	for _, p := range srcs {
		a := p.result
		v.Items[p.arch] = &Item{Arch: p.arch, Path: p.rel, Size: p.size, SHA256: p.sha256, PromotedAt: now,
			Gate:     ItemGate{Decision: string(d.Verdict), Runs: a.Runs, Reports: a.Files, Counts: a.Counts, Waived: a.Waived, Grace: a.Grace},
			Manifest: &FileRef{Path: p.manifest.rel, Size: p.manifest.size, SHA256: p.manifest.sha256},
			Provenance: &Provenance{ImagegateVersion: a.ImagegateVersion, CatalogueSHA256: a.Catalogue, Reports: p.reports,
				PromotedBy: buildinfo.Version()}}
	}
	prod := idx.Products[o.Image]
	if prod == nil {
		prod = &Product{Versions: map[string]*Version{}}
		idx.Products[o.Image] = prod
	}
	prod.Versions[res.Version] = v
	idx.Updated = now
	return idx
}

// accepted lists the failures the gate let through: waived, in grace,
// quarantined, flaky where the policy allows it, or still failing as in
// production under judge: regressions.
func accepted(d gate.Decision) []string {
	var out []string
	for _, n := range d.Notes {
		if slices.Contains([]gate.Kind{gate.Waived, gate.Grace, gate.Quarantined, gate.FlakyAllowed, gate.StillFailingNote}, n.Kind) {
			out = append(out, fmt.Sprintf("%s: %s: %s", n.Arch, n.Kind, n.Message))
		}
	}
	return out
}

// versionItems lists a version's items, by arch.
func versionItems(idx *Index, image, version string) []Item {
	var out []Item
	v := idx.Products[image].Versions[version]
	for _, arch := range slices.Sorted(maps.Keys(v.Items)) {
		out = append(out, *v.Items[arch])
	}
	return out
}
