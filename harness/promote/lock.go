package promote

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Lock is an exclusive flock on PRODUCTION_DIR/.lock. The kernel drops it
// when the process dies, so a killed promotion never leaves it held.
type Lock struct{ f *os.File }

// lockPoll is how often a waiting promotion retries the lock.
const lockPoll = 100 * time.Millisecond

// Acquire takes the repo's lock. Without wait it fails at once with a
// BusyError when another promotion holds it; with wait it retries until
// ctx is done.
func Acquire(ctx context.Context, root string, wait bool) (*Lock, error) {
	path := filepath.Join(root, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			f.Truncate(0)
			f.WriteAt([]byte(fmt.Sprintf("pid %d since %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))), 0)
			return &Lock{f: f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !wait {
			b, _ := os.ReadFile(path)
			f.Close()
			return nil, BusyError{Lock: path, Holder: strings.TrimSpace(string(b))}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for %s: %w", path, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}

// Release drops the lock.
func (l *Lock) Release() error { return l.f.Close() }
