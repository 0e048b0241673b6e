package guest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/digest"
	"github.com/imagegate/imagegate/harness/run"
)

func TestPinBootsPrivateCopies(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) (string, string) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		s, _, err := digest.File(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		return p, s
	}
	img, isum := write("d.qcow2", "QFI\xfb image")
	kern, ksum := write("d.vmlinuz", "kernel")
	tg := run.Target{Image: run.Image{Name: "d", Arch: "s390x", Path: img, Format: "qcow2", SHA256: isum,
		Kernel: kern, KernelSHA256: ksum}, Layout: run.Layout{Work: filepath.Join(dir, "work")}}
	var steps []func(context.Context) error
	undo := func(_ string, f func(context.Context) error) { steps = append(steps, f) }

	p, err := Pin(context.Background(), tg, undo)
	if err != nil {
		t.Fatal(err)
	}
	if p.Image.Path != img || !strings.HasPrefix(p.Image.Pinned.Image, tg.Layout.Work) || !strings.HasPrefix(p.Image.Pinned.Kernel, tg.Layout.Work) {
		t.Fatalf("pinned target: image %s (origin %s), kernel %s", p.Image.Pinned.Image, p.Image.Path, p.Image.Pinned.Kernel)
	}
	if p.Image.Pinned.Initrd != "" {
		t.Errorf("no initrd planned, pinned one: %s", p.Image.Pinned.Initrd)
	}
	// Replacing the candidate now does not change what the run boots.
	os.WriteFile(img, []byte("QFI\xfb swapped"), 0o644)
	if s, _, _ := digest.File(context.Background(), p.Image.Pinned.Image); s != isum {
		t.Error("the pinned image changed with the candidate")
	}
	if again, err := Pin(context.Background(), p, undo); err != nil || again.Image.Pinned.Image != p.Image.Pinned.Image {
		t.Errorf("pinning twice: %v, %s", err, again.Image.Pinned.Image)
	}
	for i := len(steps) - 1; i >= 0; i-- {
		if err := steps[i](context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(p.Image.Pinned.Image); !os.IsNotExist(err) {
		t.Errorf("cleanup left the pinned image: %v", err)
	}

	// A candidate swapped between planning and pinning is refused.
	_, err = Pin(context.Background(), tg, undo)
	if err == nil || !strings.Contains(err.Error(), "d/s390x") || !strings.Contains(err.Error(), "changed after the run was planned") {
		t.Fatalf("swapped candidate: err = %v", err)
	}
}
