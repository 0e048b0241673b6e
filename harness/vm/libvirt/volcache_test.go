package libvirt

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/digest"
)

// fakeStore is a storage pool in memory: volume name -> allocation.
type fakeStore struct {
	mu      sync.Mutex
	vols    map[string]uint64
	uploads int
}

func newFakeStore() *fakeStore { return &fakeStore{vols: map[string]uint64{}} }

func (f *fakeStore) upload(name, local string) (string, error) {
	f.mu.Lock()
	if _, ok := f.vols[name]; ok {
		f.mu.Unlock()
		return "", errVolumeExists
	}
	f.vols[name] = 0
	f.uploads++
	f.mu.Unlock()
	st, err := os.Stat(local)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.vols[name] = uint64(st.Size())
	return "/pool/" + name, nil
}

func (f *fakeStore) mark(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.vols[name]; ok {
		return errVolumeExists
	}
	f.vols[name] = 0
	return nil
}

func (f *fakeStore) info(name string) (string, uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.vols[name]
	if !ok {
		return "", 0, errNoVolume
	}
	return "/pool/" + name, a, nil
}

func (f *fakeStore) remove(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.vols, name)
	return nil
}

func (f *fakeStore) names() ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n []string
	for k := range f.vols {
		n = append(n, k)
	}
	slices.Sort(n)
	return n, nil
}

// destroy is what DestroyByName does to the pool.
func (f *fakeStore) destroy(t *testing.T, domain string) {
	t.Helper()
	if err := destroyVolumes(f, volumeName(domain, "")); err != nil {
		t.Fatal(err)
	}
}

func candidate(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "candidate.qcow2")
	os.WriteFile(p, []byte(body), 0o644)
	return p
}

// The second instance reuses the first's upload; the content goes with
// its last user, and nothing is left.
func TestSharedVolumeUploadedOnceRemovedWithLastUser(t *testing.T) {
	f, img := newFakeStore(), candidate(t, "image bytes")
	a, err := sharedVolume(context.Background(), f, "run1-x86_64", img, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sharedVolume(context.Background(), f, "run1-x86_64-b", img, nil)
	if err != nil || a != b || f.uploads != 1 {
		t.Fatalf("second user: %q, %v, %d uploads; want %q and 1 upload", b, err, f.uploads, a)
	}
	if !strings.HasPrefix(filepath.Base(a), cachePrefix) || !strings.HasSuffix(a, "-11") {
		t.Errorf("cache volume %s: want %s<sha256>-<size>", a, cachePrefix)
	}
	f.destroy(t, "run1-x86_64")
	if _, _, err := f.info(filepath.Base(a)); err != nil {
		t.Fatalf("content removed while the second instance still uses it: %v", err)
	}
	f.destroy(t, "run1-x86_64-b")
	if n, _ := f.names(); len(n) != 0 {
		t.Errorf("left in the pool: %v", n)
	}
	// Other content is another volume.
	c, _ := sharedVolume(context.Background(), f, "run1-aarch64", candidate(t, "other bytes"), nil)
	if c == a || f.uploads != 2 {
		t.Errorf("other content %s (uploads %d) reused %s", c, f.uploads, a)
	}
}

// A guest that finds the content being uploaded by another run (the
// volume there, growing, no ".done") waits for it, then uses it without
// uploading again.
func TestSharedVolumeWaitsForAnotherUpload(t *testing.T) {
	defer shorten(time.Second)()
	f, img := newFakeStore(), candidate(t, "image bytes")
	key, _ := contentKey(context.Background(), img, nil)
	name := cachePrefix + key
	f.vols[name] = 0
	go func() { // the other run's upload: it grows, then is done
		for i := uint64(1); i <= 11; i++ {
			time.Sleep(5 * time.Millisecond)
			f.mu.Lock()
			f.vols[name] = i
			f.mu.Unlock()
		}
		f.mark(name + doneSuffix)
	}()
	path, err := sharedVolume(context.Background(), f, "runB-x86_64", img, nil)
	if err != nil || f.uploads != 0 || filepath.Base(path) != name {
		t.Errorf("%q, %v, %d uploads: want %s and no upload of our own", path, err, f.uploads, name)
	}
	if _, _, err := f.info(volumeName("runB-x86_64", "uses-"+key)); err != nil {
		t.Error("the guest made no marker for the content it uses")
	}
}

// An upload that stopped growing (its uploader was killed) is removed and
// done again.
func TestSharedVolumeTakesOverAnAbandonedUpload(t *testing.T) {
	defer shorten(20 * time.Millisecond)()
	f, img := newFakeStore(), candidate(t, "image bytes")
	key, _ := contentKey(context.Background(), img, nil)
	f.vols[cachePrefix+key] = 4 // half written, no ".done", nobody writing
	path, err := sharedVolume(context.Background(), f, "run1-x86_64", img, nil)
	if err != nil || f.uploads != 1 || f.vols[cachePrefix+key] != 11 {
		t.Fatalf("%q, %v, uploads %d, size %d: want the upload done again", path, err, f.uploads, f.vols[cachePrefix+key])
	}
	if _, _, err := f.info(cachePrefix + key + doneSuffix); err != nil {
		t.Error("no .done after the upload")
	}
}

// sweep keeps content a marker names, removes ".done" before the content.
func TestSweepOrder(t *testing.T) {
	f := newFakeStore()
	for _, n := range []string{cachePrefix + "k1-1", cachePrefix + "k1-1.done", cachePrefix + "k2-1", cachePrefix + "k2-1.done", "d2@uses-k2-1", "d2@seed.iso"} {
		f.vols[n] = 1
	}
	var order []string
	rec := &recordingStore{fakeStore: f, removed: &order}
	names, _ := f.names()
	if err := sweep(rec, names); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []string{cachePrefix + "k1-1.done", cachePrefix + "k1-1"}) {
		t.Errorf("removed %v, want k1's .done then its content, and k2 kept", order)
	}
}

type recordingStore struct {
	*fakeStore
	removed *[]string
}

func (r *recordingStore) remove(name string) error {
	*r.removed = append(*r.removed, name)
	return r.fakeStore.remove(name)
}

func shorten(stall time.Duration) func() {
	p, s := pollEvery, stallLimit
	pollEvery, stallLimit = time.Millisecond, stall
	return func() { pollEvery, stallLimit = p, s }
}

// A digest the spec knows (the pinned copy's) names the content; other
// files are hashed.
func TestContentKeyUsesKnownDigest(t *testing.T) {
	img := candidate(t, "image bytes")
	if k, _ := contentKey(context.Background(), img, map[string]string{img: "feed"}); k != "feed-11" {
		t.Errorf("known digest: key %q, want feed-11", k)
	}
	k, err := contentKey(context.Background(), img, map[string]string{"/other": "feed"})
	if err != nil || k != digestBytesKey("image bytes") {
		t.Errorf("hashed: key %q (%v), want %s", k, err, digestBytesKey("image bytes"))
	}
}

func digestBytesKey(s string) string { return fmt.Sprintf("%s-%d", digest.Bytes([]byte(s)), len(s)) }
