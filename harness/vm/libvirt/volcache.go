package libvirt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/imagegate/imagegate/harness/digest"
)

// What guests boot from (the candidate, a kernel, an initrd) is uploaded to
// a remote host once per content, not once per guest: the second instance,
// a rerun and another target of the same file reuse the volume
// imagegate-cache@<sha256>-<size>. So that nothing of a run stays on the
// host, each guest first makes a 0-byte marker volume
// <domain>@uses-<sha256>-<size>; destroying the domain by name removes its
// marker with its other volumes, and then every cache volume that no marker
// names any more (sweep). A kept guest (--keep, spawn) keeps its content
// until `imagegate ssh --destroy`.
//
// An upload is complete once imagegate-cache@<key>.done exists. A guest
// that finds the volume without it waits while another uploads; an upload
// that has not grown for stallLimit is taken as abandoned (its uploader
// was killed) and done again.

const (
	cachePrefix = "imagegate-cache@"
	usesInfix   = "@uses-"
	doneSuffix  = ".done"
)

// Package variables so that tests can shorten them.
var (
	pollEvery  = time.Second
	stallLimit = time.Minute
)

var (
	errVolumeExists = errors.New("volume exists")
	errNoVolume     = errors.New("no such volume")
)

// volumeStore is what the cache needs of imagegate's storage pool.
type volumeStore interface {
	// upload makes volume name with local's bytes and returns its path;
	// errVolumeExists when it is there already. A failed upload leaves
	// no volume behind.
	upload(name, local string) (string, error)
	// mark makes an empty volume (errVolumeExists when it is there).
	mark(name string) error
	// info is a volume's path and allocation; errNoVolume when absent.
	info(name string) (string, uint64, error)
	remove(name string) error // an absent volume is not an error
	names() ([]string, error) // after a refresh
}

// sharedVolume returns the path of the cache volume holding local's bytes
// on the host, for domain: its marker first (so a sweep running now keeps
// the volume), then the volume, uploaded unless another guest did.
func sharedVolume(ctx context.Context, st volumeStore, domain, local string, known map[string]string) (string, error) {
	key, err := contentKey(ctx, local, known)
	if err != nil {
		return "", err
	}
	if err := st.mark(volumeName(domain, "uses-"+key)); err != nil && !errors.Is(err, errVolumeExists) {
		return "", err
	}
	defer lockKey(key)()
	name := cachePrefix + key
	var grown uint64
	still := time.Now()
	for {
		if _, _, err := st.info(name + doneSuffix); err == nil {
			path, _, err := st.info(name)
			if err != nil {
				return "", fmt.Errorf("cached volume %s: %w", name, err)
			}
			return path, nil
		}
		path, err := st.upload(name, local)
		if err == nil {
			if err := st.mark(name + doneSuffix); err != nil && !errors.Is(err, errVolumeExists) {
				return "", err
			}
			return path, nil
		}
		if !errors.Is(err, errVolumeExists) {
			return "", err
		}
		// Another run is uploading it: wait while it grows.
		_, alloc, err := st.info(name)
		switch {
		case errors.Is(err, errNoVolume):
			continue // it gave up just now
		case err != nil:
			return "", err
		case alloc != grown:
			grown, still = alloc, time.Now()
		case time.Since(still) > stallLimit:
			if err := st.remove(name); err != nil {
				return "", fmt.Errorf("volume %s stopped growing for %s (its upload was abandoned) and cannot be removed: %w", name, stallLimit, err)
			}
			continue
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for another upload of %s: %w", name, ctx.Err())
		case <-time.After(pollEvery):
		}
	}
}

// destroyVolumes removes the volumes whose name starts with prefix (one
// domain's), then the content no marker uses any more.
func destroyVolumes(st volumeStore, prefix string) error {
	names, err := st.names()
	if err != nil {
		return err
	}
	var kept []string
	for _, n := range names {
		if !strings.HasPrefix(n, prefix) {
			kept = append(kept, n)
		} else if err := st.remove(n); err != nil {
			return fmt.Errorf("delete volume %s: %w", n, err)
		}
	}
	return sweep(st, kept)
}

// sweep removes the cache volumes that no marker among names uses: the
// ".done" volume before the content, so nobody takes a half-removed
// upload for complete.
func sweep(st volumeStore, names []string) error {
	used := map[string]bool{}
	for _, n := range names {
		if i := strings.Index(n, usesInfix); i >= 0 && !strings.HasPrefix(n, cachePrefix) {
			used[n[i+len(usesInfix):]] = true
		}
	}
	var done, content []string // ".done" first
	for _, n := range names {
		k, ok := strings.CutPrefix(n, cachePrefix)
		switch {
		case !ok || used[strings.TrimSuffix(k, doneSuffix)]:
		case strings.HasSuffix(k, doneSuffix):
			done = append(done, n)
		default:
			content = append(content, n)
		}
	}
	for _, n := range append(done, content...) {
		if err := st.remove(n); err != nil {
			return fmt.Errorf("delete volume %s: %w", n, err)
		}
	}
	return nil
}

// contentKey is a file's sha256 and size: the digest known from the
// spec (the pinned copy's, already checked), or hashed here.
func contentKey(ctx context.Context, path string, known map[string]string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	sum := known[path]
	if sum == "" {
		if sum, _, err = digest.File(ctx, path); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%s-%d", sum, st.Size()), nil
}

var locks sync.Map

// lockKey serializes this process's guests on one content and returns the
// unlock.
func lockKey(key string) func() {
	m, _ := locks.LoadOrStore(key, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}
