package guest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/digest"
	"github.com/imagegate/imagegate/harness/run"
)

// Pin copies the target's image (and a direct-boot kernel and initrd) into
// its work dir and checks each copy against the digest taken when the run
// was planned. The returned target boots and inspects the copies
// (Image.Pinned), so what is tested is exactly what the report's
// image.sha256 names, even if the candidate is replaced during the run. The
// copies are removed on cleanup (kept with --keep, whose guest still uses
// them).
func Pin(ctx context.Context, t run.Target, undo Cleanup) (run.Target, error) {
	if t.Image.Pinned != nil {
		return t, nil // already pinned
	}
	dir := t.Layout.PinnedDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return t, err
	}
	undo("remove pinned image", func(context.Context) error {
		if t.Options.Keep {
			return nil
		}
		return os.RemoveAll(dir)
	})
	im := t.Image
	p := &run.Pinned{}
	files := []struct {
		src, sum, name string
		dst            *string
	}{
		{im.Path, im.SHA256, "image." + im.Format, &p.Image},
		{im.Kernel, im.KernelSHA256, "kernel", &p.Kernel},
		{im.Initrd, im.InitrdSHA256, "initrd", &p.Initrd},
	}
	for _, f := range files {
		if f.src == "" {
			continue
		}
		dst := filepath.Join(dir, f.name)
		if err := digest.Pin(ctx, f.src, dst, f.sum); err != nil {
			return t, fmt.Errorf("%s: %w", t.ID(), err)
		}
		*f.dst = dst
	}
	t.Image.Pinned = p
	return t, nil
}
