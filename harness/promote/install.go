package promote

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/atomicfile"
)

// copyCtx copies in 1 MiB chunks, stopping when ctx is done.
func copyCtx(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, 1<<20)
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// install copies src to dst (a path no committed index refers to) through
// a temp file in dst's folder: the copy is hashed as it is written and
// must be want, then it is synced, renamed into place and the folder
// synced. It returns the size.
func install(ctx context.Context, it planned, root string) (int64, error) {
	dst := filepath.Join(root, filepath.FromSlash(it.rel))
	if err := mkdirSynced(root, filepath.Dir(dst)); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), tmpPrefix+filepath.Base(dst)+"-*")
	if err != nil {
		return 0, err
	}
	h := sha256.New()
	n, err := copyFile(ctx, tmp, h, it.src)
	if err == nil {
		if got := hex.EncodeToString(h.Sum(nil)); got != it.sha256 {
			err = ChangedError{Arch: it.arch, Path: it.src, Want: it.sha256, Got: got}
		}
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, err
	}
	return n, atomicfile.SyncDir(filepath.Dir(dst))
}

// copyFile copies src into tmp and h, syncs and closes tmp.
func copyFile(ctx context.Context, tmp *os.File, h hash.Hash, src string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		tmp.Close()
		return 0, err
	}
	defer in.Close()
	n, err := copyCtx(ctx, io.MultiWriter(tmp, h), in)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("copy %s: %w", src, err)
	}
	return n, nil
}
