package matrix

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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

// SHA256 hashes the image file.
func (im Image) SHA256() (string, error) { return fileSHA256(im.Path) }

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// VerifyChecksum compares sum with the image's entry in its SHA256SUMS
// file (GNU or BSD format), and a direct-boot kernel and initrd with
// theirs. No checksums file configured is not an error.
func (im Image) VerifyChecksum(sum string) error {
	if im.Checksums == "" {
		return nil
	}
	if err := im.verifyOne(im.Path, sum); err != nil {
		return err
	}
	for _, p := range []string{im.Kernel, im.Initrd} {
		if p == "" {
			continue
		}
		s, err := fileSHA256(p)
		if err != nil {
			return fmt.Errorf("image %s: %v", im.ID(), err)
		}
		if err := im.verifyOne(p, s); err != nil {
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
