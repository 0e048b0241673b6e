package digest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// File returns the hex sha256 of the file at path and its size. It stops
// with ctx's error when ctx ends, so hashing a large image can be
// interrupted.
func File(ctx context.Context, path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, ctxReader{ctx, f})
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// ctxReader fails its next Read once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Pin copies src to dst (sharing blocks where the file system can, keeping
// holes), makes the copy read-only and checks that its sha256 is want.
// On any error dst is removed again. A mismatch means src changed after
// want was taken: the error says so and names both digests.
func Pin(ctx context.Context, src, dst, want string) error {
	if want == "" {
		return fmt.Errorf("pin %s: no digest to check the copy against", src)
	}
	out, err := exec.CommandContext(ctx, "cp", "--reflink=auto", "--sparse=always", "--", src, dst).CombinedOutput()
	if err != nil {
		os.Remove(dst)
		return fmt.Errorf("pin %s: cp: %v: %s", src, err, strings.TrimSpace(string(out)))
	}
	got, _, err := File(ctx, dst)
	if err == nil {
		err = os.Chmod(dst, 0o444)
	}
	if err != nil {
		os.Remove(dst)
		return fmt.Errorf("pin %s: %w", src, err)
	}
	if !strings.EqualFold(got, want) {
		os.Remove(dst)
		return fmt.Errorf("%s changed after the run was planned (sha256 now %s, planned %s): do not replace a candidate while it is tested; run again", src, got, want)
	}
	return nil
}

// Bytes returns the hex sha256 of b.
func Bytes(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
