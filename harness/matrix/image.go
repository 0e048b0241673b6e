package matrix

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/imagegate/imagegate/harness/digest"
)

// CheckFile verifies that the image (and a direct-boot kernel and initrd)
// exist and that the image is what its format says: a qcow2 must start
// with the qcow2 magic, a raw image must not.
func (im Image) CheckFile() error {
	for _, p := range []string{im.Kernel, im.Initrd} {
		if _, err := os.Stat(p); p != "" && err != nil {
			return fmt.Errorf("image %s: %s does not exist: build it (`make fixtures`) or fix the matrix", im.ID(), p)
		}
	}
	f, err := os.Open(im.Path)
	if err != nil {
		if os.IsNotExist(err) {
			return fmt.Errorf("image %s: %s does not exist: build it (`make fixtures`) or fix path in the matrix", im.ID(), im.Path)
		}
		return fmt.Errorf("image %s: %v", im.ID(), err)
	}
	defer f.Close()
	magic := make([]byte, 4)
	n, _ := io.ReadFull(f, magic)
	isQcow := n == 4 && bytes.Equal(magic, []byte("QFI\xfb"))
	switch {
	case im.Format == "qcow2" && !isQcow:
		return fmt.Errorf("image %s: %s is not a qcow2 image (no QFI magic): fix format: in the matrix", im.ID(), im.Path)
	case im.Format == "raw" && isQcow:
		return fmt.Errorf("image %s: %s is a qcow2 image but the matrix says raw: set format: qcow2", im.ID(), im.Path)
	}
	return nil
}

// Digests are the sha256 digests of the files a target boots: the image
// and, for direct kernel boot, the kernel and initrd ("" when unused).
type Digests struct{ Image, Kernel, Initrd string }

// bootFile is one file a target boots, paired with its slot in Digests.
type bootFile struct {
	path string
	sum  *string
}

// bootFiles pairs the image, kernel and initrd that are set with their
// digests in d.
func (im Image) bootFiles(d *Digests) []bootFile {
	var out []bootFile
	for _, f := range []bootFile{{im.Path, &d.Image}, {im.Kernel, &d.Kernel}, {im.Initrd, &d.Initrd}} {
		if f.path != "" {
			out = append(out, f)
		}
	}
	return out
}

// Digests hashes the image and its direct-boot kernel and initrd.
func (im Image) Digests(ctx context.Context) (Digests, error) {
	var d Digests
	for _, f := range im.bootFiles(&d) {
		s, _, err := digest.File(ctx, f.path)
		if err != nil {
			return Digests{}, fmt.Errorf("image %s: %w", im.ID(), err)
		}
		*f.sum = s
	}
	return d, nil
}

// VerifyChecksums compares d with the entries in the image's SHA256SUMS
// file (GNU or BSD format): the image's, and a direct-boot kernel's and
// initrd's. No checksums file configured is not an error.
func (im Image) VerifyChecksums(d Digests) error {
	if im.Checksums == "" {
		return nil
	}
	for _, f := range im.bootFiles(&d) {
		if err := im.verifyOne(f.path, *f.sum); err != nil {
			return err
		}
	}
	return nil
}

func (im Image) verifyOne(path, sum string) error {
	want, err := lookupSum(im.Checksums, filepath.Base(path))
	if err != nil {
		return fmt.Errorf("image %s: %v", im.ID(), err)
	}
	if !strings.EqualFold(want, sum) {
		return fmt.Errorf("image %s: sha256 of %s is %s, not %s as in %s: the file changed or is corrupt; rebuild or re-download it", im.ID(), filepath.Base(path), sum, want, im.Checksums)
	}
	return nil
}

func lookupSum(file, name string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("checksums: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "SHA256 (") { // BSD: SHA256 (name) = hex
			if rest, ok := strings.CutPrefix(line, "SHA256 ("+name+") = "); ok {
				return rest, nil
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) == 2 && strings.TrimPrefix(f[1], "*") == name {
			return f[0], nil
		}
	}
	return "", fmt.Errorf("checksums %s has no entry for %s", file, name)
}
