package libvirt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProbeCacheKeepsAnswersForTheSameCircumstances(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cache", "kvm-probes.json")
	dev, bin := filepath.Join(dir, "kvm"), filepath.Join(dir, "qemu")
	for _, f := range []string{dev, bin} {
		os.WriteFile(f, []byte("x"), 0o644)
	}
	key := probeKey(dev, bin, "q35", "")
	if key == "" {
		t.Fatal("no key for readable files")
	}
	if _, ok := cachedProbe(file, key); ok {
		t.Fatal("an empty cache answered")
	}
	storeProbe(file, key, "")
	storeProbe(file, probeKey(dev, bin, "virt", ""), "QEMU ended at once")
	if why, ok := cachedProbe(file, key); !ok || why != "" {
		t.Fatalf("q35: got %q %v, want a kept \"works\"", why, ok)
	}
	if why, ok := cachedProbe(file, probeKey(dev, bin, "virt", "")); !ok || why != "QEMU ended at once" {
		t.Fatalf("virt: got %q %v", why, ok)
	}

	// A new QEMU binary (another mtime) is a new question.
	later := time.Now().Add(time.Hour)
	os.Chtimes(bin, later, later)
	if _, ok := cachedProbe(file, probeKey(dev, bin, "q35", "")); ok {
		t.Fatal("an answer for the old binary was reused")
	}
	// A file that cannot be read gives no key: probe, keep nothing.
	if k := probeKey(filepath.Join(dir, "gone"), bin, "q35", ""); k != "" {
		t.Fatalf("key for a missing device: %q", k)
	}
}

func TestStoreProbeDropsOtherBoots(t *testing.T) {
	file := filepath.Join(t.TempDir(), "kvm-probes.json")
	storeProbe(file, "boot=old machine=q35", "")
	storeProbe(file, "boot=new machine=q35", "")
	raw, _ := os.ReadFile(file)
	if strings.Contains(string(raw), "boot=old") || !strings.Contains(string(raw), "boot=new") {
		t.Fatalf("cache after a new boot:\n%s", raw)
	}
}
