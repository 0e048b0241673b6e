package promote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/digest"
)

// Report is what Verify found in a consistent repo.
type Report struct {
	Generation int
	Items      int
	Files      int  // items and manifests, each hashed
	Signed     bool // SHA256SUMS.gpg verified with the keyring
}

// Verify checks a production repo as a reader sees it: index.json,
// SHA256SUMS and streams/ (through their links) are the current
// generation's; SHA256SUMS and the simplestreams files agree with the
// index; the flake history parses; every file (images and manifests)
// exists with its recorded size and sha256; and, with a keyring, the
// signature of SHA256SUMS verifies. A signed repo needs the keyring. An
// empty repo (nothing committed yet) is consistent. Files that disagree
// are a TamperedError; anything that cannot be read is another error.
func Verify(ctx context.Context, root, keyring string) (Report, error) {
	st, err := readState(root)
	if err != nil || st.gen == 0 {
		return Report{}, err
	}
	if err := checkLinks(root, st); err != nil {
		return Report{}, err
	}
	r := Report{Generation: st.gen, Items: len(st.idx.Items())}
	if err := checkDerived(root, st); err != nil {
		return r, err
	}
	if r.Signed, err = checkSignature(ctx, root, st, keyring); err != nil {
		return r, err
	}
	if _, err := readHistory(root, st.gen); err != nil {
		return r, err
	}
	for _, f := range st.idx.Files() {
		p := filepath.Join(root, filepath.FromSlash(f.Path))
		sum, size, err := digest.File(ctx, p)
		if errors.Is(err, fs.ErrNotExist) {
			return r, tampered("%s is in the index but missing", p)
		}
		if err != nil {
			return r, err
		}
		if sum != f.SHA256 || size != f.Size {
			return r, tampered("%s: sha256 %s, %d bytes; the index says %s, %d bytes", p, sum, size, f.SHA256, f.Size)
		}
		r.Files++
	}
	return r, nil
}

// checkDerived insists that SHA256SUMS and the simplestreams files, as a
// reader gets them from the root, are what the index renders.
func checkDerived(root string, st *state) error {
	want, err := generation{idx: st.idx}.files()
	if err != nil {
		return err
	}
	for _, rel := range []string{SumsFile, streamsIndex, streamsProducts} {
		p := genPath(root, rel)
		got, err := os.ReadFile(p)
		if err != nil {
			return tampered("%s: %v", p, err)
		}
		if !bytes.Equal(got, want[rel]) {
			return tampered("%s does not agree with %s", p, filepath.Join(root, IndexFile))
		}
	}
	return nil
}

// checkSignature verifies SHA256SUMS.gpg with keyring. Without a keyring
// an unsigned repo is fine and a signed one is an error (its signature
// would go unchecked); with one, the signature must be there and verify.
func checkSignature(ctx context.Context, root string, st *state, keyring string) (bool, error) {
	sig := filepath.Join(root, MetaDir, genName(st.gen), SigFile)
	_, err := os.Stat(sig)
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return false, err
	case keyring == "" && err == nil:
		return false, fmt.Errorf("%s is signed (%s): pass --keyring FILE (the public keys, as gpg --export writes them) to check it", root, SigFile)
	case keyring == "":
		return false, nil
	case err != nil:
		return false, tampered("%s has no %s, but a keyring was given: the repo is not signed (or its signature was removed)", root, SigFile)
	}
	if err := verifySignature(ctx, keyring, filepath.Join(root, SumsFile), filepath.Join(root, SigFile)); err != nil {
		return false, err
	}
	return true, nil
}

// checkLinks insists that the root's index.json is the current
// generation's.
func checkLinks(root string, st *state) error {
	via, err := os.ReadFile(filepath.Join(root, IndexFile))
	if err != nil {
		return err
	}
	idx, err := parseIndex(filepath.Join(root, IndexFile), via)
	if err != nil {
		return err
	}
	if idx.Generation != st.gen {
		return fmt.Errorf("%s is generation %d, meta/current is %d", filepath.Join(root, IndexFile), idx.Generation, st.gen)
	}
	return nil
}
