package framework

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/digest"
)

// Pin copies the target's image (and a direct-boot kernel and initrd) into
// its work dir and checks each copy against the digest taken when the run
// was planned. The returned target boots and inspects the copies, so what
// is tested is exactly what the report's image.sha256 names, even if the
// candidate is replaced during the run. The copies are removed on cleanup
// (kept with --keep, whose guest still uses them).
func Pin(ctx context.Context, t Target, undo Cleanup) (Target, error) {
	if t.ImageOrigin != "" {
		return t, nil // already pinned
	}
	dir := filepath.Join(t.WorkDir, "pinned")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return t, err
	}
	undo("remove pinned image", func(context.Context) error {
		if t.Keep {
			return nil
		}
		return os.RemoveAll(dir)
	})
	files := []struct {
		path *string
		sum  string
		name string
	}{
		{&t.ImagePath, t.SHA256, "image." + t.ImageFormat},
		{&t.Kernel, t.KernelSHA256, "kernel"},
		{&t.Initrd, t.InitrdSHA256, "initrd"},
	}
	origin := t.ImagePath
	for _, f := range files {
		if *f.path == "" {
			continue
		}
		dst := filepath.Join(dir, f.name)
		if err := digest.Pin(ctx, *f.path, dst, f.sum); err != nil {
			return t, fmt.Errorf("%s: %w", t.ID(), err)
		}
		*f.path = dst
	}
	t.ImageOrigin = origin
	return t, nil
}
