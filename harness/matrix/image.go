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

// CheckFile verifies that the image exists and is what its format says:
// a qcow2 must start with the qcow2 magic, a raw image must not.
func (im Image) CheckFile() error {
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
func (im Image) SHA256() (string, error) {
	f, err := os.Open(im.Path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", im.Path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// VerifyChecksum compares sum with the image's entry in its SHA256SUMS
// file (GNU or BSD format). No checksums file configured is not an error.
func (im Image) VerifyChecksum(sum string) error {
	if im.Checksums == "" {
		return nil
	}
	want, err := lookupSum(im.Checksums, filepath.Base(im.Path))
	if err != nil {
		return fmt.Errorf("image %s: %v", im.ID(), err)
	}
	if !strings.EqualFold(want, sum) {
		return fmt.Errorf("image %s: sha256 %s does not match %s in %s: the image changed or is corrupt; rebuild or re-download it", im.ID(), sum, want, im.Checksums)
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
