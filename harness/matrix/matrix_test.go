package matrix

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const good = `images:
  - name: debian-12
    path: ${TESTDIR}/d.qcow2
    format: qcow2
    arch: amd64
    family: debian
    checksums: d.qcow2.SHA256SUMS
    boot_timeout: 5m
`

func TestParseGood(t *testing.T) {
	t.Setenv("TESTDIR", "/imgs")
	m, err := Parse("/etc/m/matrix.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	im := m.Images[0]
	if im.Arch != "x86_64" || im.Path != "/imgs/d.qcow2" || im.Checksums != "/etc/m/d.qcow2.SHA256SUMS" ||
		im.Firmware != "uefi" || im.MemoryMiB != 1024 || im.Timeout.Minutes() != 5 || im.ID() != "debian-12/x86_64" {
		t.Errorf("normalized image = %+v", im)
	}
}

func TestParseBad(t *testing.T) {
	cases := map[string]string{
		"unknown key":       strings.Replace(good, "family: debian", "family: debian\n    colour: red", 1),
		"bad arch":          strings.Replace(good, "amd64", "mips", 1),
		"bad format":        strings.Replace(good, "format: qcow2", "format: vmdk", 1),
		"no family":         strings.Replace(good, "family: debian", "", 1),
		"bad duration":      strings.Replace(good, "5m", "soon", 1),
		"bad firmware":      strings.Replace(good, "family: debian", "family: debian\n    firmware: bios", 1),
		"kernel no cmdline": strings.Replace(good, "family: debian", "family: debian\n    kernel: vmlinuz", 1),
		"cmdline with uefi": strings.Replace(good, "family: debian", "family: debian\n    firmware: uefi\n    cmdline: ro", 1),
		"duplicate":         good + strings.TrimPrefix(good, "images:\n"),
		"empty":             "images: []\n",
		"empty file":        "",
		"two documents":     good + "---\n" + good,
	}
	wantIn := map[string]string{"unknown key": "colour", "bad arch": "mips", "bad format": "vmdk", "no family": "family",
		"bad duration": "soon", "bad firmware": "bios", "kernel no cmdline": "needs kernel", "cmdline with uefi": "only for firmware: kernel", "duplicate": "twice", "empty": "no images",
		"empty file": "m.yaml: empty", "two documents": "more than one YAML document"}
	for name, src := range cases {
		_, err := Parse("m.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), "m.yaml") || !strings.Contains(err.Error(), wantIn[name]) {
			t.Errorf("%s: error %v; want one naming m.yaml and %q", name, err, wantIn[name])
		}
	}
	_, err := Parse("m.yaml", []byte(strings.Replace(good, "amd64", "mips", 1)))
	if !strings.Contains(err.Error(), "line 2") {
		t.Errorf("error does not name the image's line: %v", err)
	}
}

func TestDirectKernelBoot(t *testing.T) {
	src := strings.Replace(strings.Replace(good, "amd64", "s390x", 1), "family: debian",
		"family: debian\n    kernel: vmlinuz\n    initrd: initrd\n    cmdline: root=LABEL=r console=ttysclp0", 1)
	m, err := Parse("/m/matrix.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	im := m.Images[0]
	if im.Firmware != "kernel" || im.Kernel != "/m/vmlinuz" || im.Initrd != "/m/initrd" {
		t.Errorf("direct boot image = %+v", im)
	}
	ppc := strings.Replace(good, "amd64", "ppc64le", 1)
	if m, err := Parse("m.yaml", []byte(ppc)); err != nil || m.Images[0].Firmware != "builtin" {
		t.Errorf("ppc64le default firmware: %v %v", m, err)
	}
}

func TestSelect(t *testing.T) {
	m, _ := Parse("m.yaml", []byte(good))
	if got, err := m.Select([]string{"amd64"}, nil); err != nil || len(got) != 1 {
		t.Errorf("select amd64: %v %v", got, err)
	}
	if _, err := m.Select(nil, []string{"fedora"}); err == nil {
		t.Error("selecting a missing image gave no error")
	}
	if _, err := m.Select([]string{"sparc"}, nil); err == nil || !strings.Contains(err.Error(), "--arch") {
		t.Errorf("bad --arch: %v", err)
	}
}

func TestCheckFileAndChecksum(t *testing.T) {
	dir := t.TempDir()
	im := Image{Name: "x", Arch: "x86_64", Format: "qcow2", Path: filepath.Join(dir, "x.qcow2")}
	if err := im.CheckFile(); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing image: %v", err)
	}
	os.WriteFile(im.Path, []byte("not an image"), 0o644)
	if err := im.CheckFile(); err == nil || !strings.Contains(err.Error(), "not a qcow2") {
		t.Errorf("raw bytes as qcow2: %v", err)
	}
	os.WriteFile(im.Path, []byte("QFI\xfb rest"), 0o644)
	if err := im.CheckFile(); err != nil {
		t.Errorf("qcow2 magic: %v", err)
	}
	d, err := im.Digests(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d.Kernel != "" || d.Initrd != "" {
		t.Errorf("digests of an image without kernel: %+v", d)
	}
	sum := d.Image
	im.Checksums = filepath.Join(dir, "SUMS")
	os.WriteFile(im.Checksums, []byte(sum+"  x.qcow2\n"), 0o644)
	if err := im.VerifyChecksums(d); err != nil {
		t.Errorf("GNU format: %v", err)
	}
	os.WriteFile(im.Checksums, []byte("SHA256 (x.qcow2) = "+sum+"\n"), 0o644)
	if err := im.VerifyChecksums(d); err != nil {
		t.Errorf("BSD format: %v", err)
	}
	if err := im.VerifyChecksums(Digests{Image: strings.Repeat("0", 64)}); err == nil || !strings.Contains(err.Error(), "changed or is corrupt") {
		t.Errorf("mismatch: %v", err)
	}
	// A direct-boot kernel is hashed and checked too.
	im.Kernel = filepath.Join(dir, "x.vmlinuz")
	os.WriteFile(im.Kernel, []byte("kernel"), 0o644)
	d, err = im.Digests(context.Background())
	if err != nil || d.Kernel == "" || d.Image != sum {
		t.Fatalf("digests with a kernel: %+v, %v", d, err)
	}
	if err := im.VerifyChecksums(d); err == nil || !strings.Contains(err.Error(), "no entry for x.vmlinuz") {
		t.Errorf("kernel missing from the checksums file: %v", err)
	}
	os.WriteFile(im.Checksums, []byte(sum+"  x.qcow2\n"+d.Kernel+"  x.vmlinuz\n"), 0o644)
	if err := im.VerifyChecksums(d); err != nil {
		t.Errorf("kernel listed: %v", err)
	}
}
