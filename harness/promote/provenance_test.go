package promote_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
	"github.com/imagegate/imagegate/harness/promote"
	"github.com/imagegate/imagegate/harness/promote/promotetest"
)

// Every promoted item carries its package manifest (beside it, in the
// signed SHA256SUMS) and what passed it; the simplestreams files agree;
// verify refuses a tampered manifest or signature with TamperedError.
func TestProvenanceSignatureAndStreams(t *testing.T) {
	uid, keyring := promotetest.SigningKey(t)
	f := newFixture(t, 1<<12)
	o := f.opts("v1")
	o.SignKey = uid
	if _, err := promote.Promote(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	r, err := promote.Verify(context.Background(), f.prod, keyring)
	if err != nil || !r.Signed || r.Files != 4 {
		t.Fatalf("verify: %+v %v; want signed, 2 images + 2 manifests", r, err)
	}
	var idx promote.Index
	b, _ := os.ReadFile(filepath.Join(f.prod, "index.json"))
	json.Unmarshal(b, &idx)
	it := idx.Products["deb"].Versions["v1"].Items["x86_64"]
	if it.Manifest == nil || it.Manifest.Path != "images/deb/v1/x86_64/deb-x86_64.qcow2.manifest" || it.Provenance == nil ||
		it.Provenance.ImagegateVersion != "v0.test" || len(it.Provenance.CatalogueSHA256) != 64 || len(it.Provenance.Reports) != 1 || len(it.Provenance.Reports[0].SHA256) != 64 {
		t.Fatalf("item: %+v manifest %+v provenance %+v", it, it.Manifest, it.Provenance)
	}
	checkStreams(t, f.prod, it)

	for _, c := range []struct{ name, file string }{
		{"tampered manifest", filepath.Join(f.prod, it.Manifest.Path)},
		{"tampered signature", filepath.Join(f.prod, "SHA256SUMS.gpg")},
	} {
		orig, _ := os.ReadFile(c.file)
		bad := append([]byte(nil), orig...)
		bad[len(bad)-8] ^= 0x20 // in the signature value itself (the middle may be an unhashed subpacket)
		os.WriteFile(c.file, bad, 0o644)
		if _, err := promote.Verify(context.Background(), f.prod, keyring); !errors.As(err, new(promote.TamperedError)) {
			t.Errorf("%s: verify says %v, want a TamperedError", c.name, err)
		}
		os.WriteFile(c.file, orig, 0o644)
	}
	if _, err := promote.Verify(context.Background(), f.prod, ""); err == nil || errors.As(err, new(promote.TamperedError)) || !strings.Contains(err.Error(), "--keyring") {
		t.Errorf("a signed repo without a keyring: %v; want an error asking for --keyring", err)
	}
	f.newImages(t, 1<<12, "20261122-110000-0002", jt.Pass("baseline", "ok"))
	if _, err := promote.Promote(context.Background(), f.opts("v2")); err == nil || !strings.Contains(err.Error(), "--sign-key") {
		t.Errorf("an unsigned promotion into a signed repo: %v", err)
	}
	mustVerifyWith(t, f.prod, keyring)
}

func checkStreams(t *testing.T, prod string, it *promote.Item) {
	t.Helper()
	var index struct {
		Format string
		Index  map[string]struct {
			Path     string
			Format   string
			Products []string
		}
	}
	b, err := os.ReadFile(filepath.Join(prod, "streams/v1/index.json"))
	if err != nil || json.Unmarshal(b, &index) != nil || index.Format != "index:1.0" {
		t.Fatalf("streams index: %v\n%s", err, b)
	}
	e := index.Index[promote.StreamsContentID]
	if e.Format != "products:1.0" || strings.Join(e.Products, ",") != "com.imagegate:deb:aarch64,com.imagegate:deb:x86_64" {
		t.Fatalf("streams index entry: %+v", e)
	}
	var prods struct {
		Products map[string]struct {
			Versions map[string]struct {
				Items map[string]struct {
					FType, Path, SHA256 string
					Size                int64
				}
			}
		}
	}
	b, _ = os.ReadFile(filepath.Join(prod, e.Path))
	json.Unmarshal(b, &prods)
	items := prods.Products["com.imagegate:deb:x86_64"].Versions["v1"].Items
	if q := items["qcow2"]; q.FType != "qcow2" || q.Path != it.Path || q.SHA256 != it.SHA256 || q.Size != it.Size {
		t.Errorf("streams disk item %+v, index item %+v", q, it)
	}
	if m := items["manifest"]; m.Path != it.Manifest.Path || m.SHA256 != it.Manifest.SHA256 {
		t.Errorf("streams manifest item %+v", m)
	}
}

func mustVerifyWith(t *testing.T, root, keyring string) {
	t.Helper()
	if _, err := promote.Verify(context.Background(), root, keyring); err != nil {
		t.Fatalf("repo inconsistent: %v", err)
	}
}
