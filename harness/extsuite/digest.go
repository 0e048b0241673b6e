package extsuite

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// digestOf hashes what the suite will use: the manifest as read, then
// each check and each upload with its name and mode. Two folders with the
// same digest run the same checks.
func digestOf(s built, manifest []byte) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s %d\n", Manifest, len(manifest))
	h.Write(manifest)
	add := func(name, path string, mode os.FileMode) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "\n%s %o %d\n", name, mode.Perm(), len(b))
		h.Write(b)
		return nil
	}
	for _, c := range s.Checks {
		if err := add(filepath.Join(Checks, c.File), c.Path, 0o755); err != nil {
			return "", err
		}
	}
	for _, f := range s.Files {
		rel, _ := filepath.Rel(s.Dir, f.Src)
		if err := add(rel+" -> "+f.Dest, f.Src, f.Mode); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
