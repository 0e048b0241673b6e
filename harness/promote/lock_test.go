package promote_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
	"github.com/imagegate/imagegate/harness/promote"
)

func TestLockContention(t *testing.T) {
	f := newFixture(t, 4096)
	held, err := promote.Acquire(context.Background(), f.prod, false)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = promote.Promote(context.Background(), f.opts("v1"))
	var busy promote.BusyError
	if !errors.As(err, &busy) || !strings.Contains(err.Error(), filepath.Join(f.prod, ".lock")) || !strings.Contains(err.Error(), "pid ") {
		t.Fatalf("second promotion: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Error("did not fail fast")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	o := f.opts("v1")
	o.Wait = true
	if _, err := promote.Promote(ctx, o); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting past the deadline: %v", err)
	}
	go func() { time.Sleep(300 * time.Millisecond); held.Release() }()
	res, err := promote.Promote(context.Background(), o)
	if err != nil || res.Generation != 1 {
		t.Fatalf("waiting for the lock: %+v %v", res, err)
	}
}

// A promotion interrupted at any point leaves things only the next one
// removes; the committed state is never affected.
func TestLeftoversAreCleaned(t *testing.T) {
	f := newFixture(t, 4096)
	if _, err := promote.Promote(context.Background(), f.opts("v1")); err != nil {
		t.Fatal(err)
	}
	junk := []string{
		"images/deb/v2/x86_64/.tmp-deb-x86_64.qcow2-123",
		"images/deb/v2/x86_64/deb-x86_64.qcow2",
		"meta/gen-000002/index.json",
		"meta/.tmp-current-99",
		".tmp-index.json-99",
	}
	for _, j := range junk {
		p := filepath.Join(f.prod, j)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("partial"), 0o644)
	}
	mustVerify(t, f.prod)
	f.newImages(t, 4096, "20261122-110000-0002", jt.Pass("baseline", "ok"))
	res, err := promote.Promote(context.Background(), f.opts("v2"))
	if err != nil || res.Cleaned < len(junk) || res.Generation != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	for _, j := range junk[:1] {
		if _, err := os.Stat(filepath.Join(f.prod, j)); err == nil {
			t.Errorf("%s survived", j)
		}
	}
	mustVerify(t, f.prod)
	if _, err := os.Stat(filepath.Join(f.prod, "meta/gen-000001")); err != nil {
		t.Error("the previous generation must be kept for readers")
	}
}

func TestRefusesForeignOrDamagedRepo(t *testing.T) {
	f := newFixture(t, 4096)
	os.WriteFile(filepath.Join(f.prod, "notes.txt"), []byte("mine"), 0o644)
	if _, err := promote.Promote(context.Background(), f.opts("v1")); err == nil || !strings.Contains(err.Error(), "neither empty nor") {
		t.Fatalf("foreign folder: %v", err)
	}
	os.Remove(filepath.Join(f.prod, "notes.txt"))
	if _, err := promote.Promote(context.Background(), f.opts("v1")); err != nil {
		t.Fatal(err)
	}
	os.Truncate(filepath.Join(f.prod, "images/deb/v1/x86_64/deb-x86_64.qcow2"), 10)
	if _, err := promote.Verify(context.Background(), f.prod, ""); err == nil {
		t.Error("verify missed a damaged file")
	}
	f.newImages(t, 4096, "20261122-110000-0002", jt.Pass("baseline", "ok"))
	if _, err := promote.Promote(context.Background(), f.opts("v2")); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged repo: %v", err)
	}
}

// A first promotion killed after copying leaves meta/ and images/ but no
// commit: the repo still reads as empty and the next promotion works.
func TestFreshRepoInterrupted(t *testing.T) {
	f := newFixture(t, 4096)
	ctx, cancel := context.WithCancel(context.Background())
	o := f.opts("v1")
	o.Log = cancelAfter{cancel, "installed: images/deb/v1/aarch64"}
	if _, err := promote.Promote(ctx, o); err == nil || !strings.Contains(err.Error(), "unchanged") {
		t.Fatalf("interrupted promotion: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.prod, "images/deb/v1/aarch64/deb-aarch64.qcow2")); err != nil {
		t.Fatal("expected an uncommitted copy left behind")
	}
	if r := mustVerify(t, f.prod); r.Generation != 0 {
		t.Errorf("uncommitted work visible: %+v", r)
	}
	res, err := promote.Promote(context.Background(), f.opts("v1"))
	if err != nil || res.Generation != 1 || res.Cleaned == 0 {
		t.Fatalf("%+v %v", res, err)
	}
	mustVerify(t, f.prod)
}

// cancelAfter cancels when a log line contains after.
type cancelAfter struct {
	cancel context.CancelFunc
	after  string
}

func (c cancelAfter) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.after) {
		c.cancel()
	}
	return len(p), nil
}
