package promote

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// SigFile is the detached OpenPGP signature of SHA256SUMS, which lists
// every file of the repo (images and manifests) with its sha256: checking
// it with gpgv and then the sums checks everything a mirror syncs.
const SigFile = SumsFile + ".gpg"

// sign writes path's detached signature into sig with gpg, by the key
// named key in the caller's keyring (GNUPGHOME). The key must not need a
// passphrase: promotion runs unattended.
func sign(ctx context.Context, key, path, sig string) error {
	cmd := exec.CommandContext(ctx, "gpg", "--batch", "--yes", "--no-tty", "--pinentry-mode", "error",
		"--local-user", key, "--detach-sign", "--output", sig, path)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("--sign-key %s: gpg could not sign %s: %v: %s (is the secret key in GNUPGHOME's keyring, without a passphrase?)",
			key, filepath.Base(path), err, lastLine(out))
	}
	return nil
}

// verifySignature checks sig over path with gpgv against the public keys
// in keyring (a file as `gpg --export` writes it).
func verifySignature(ctx context.Context, keyring, path, sig string) error {
	abs, err := filepath.Abs(keyring)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("--keyring: %w", err)
	}
	out, err := exec.CommandContext(ctx, "gpgv", "--keyring", abs, sig, path).CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); ok {
			return tampered("%s does not verify %s with the keys in %s: %s", sig, path, keyring, lastLine(out))
		}
		return fmt.Errorf("gpgv: %v (apt-get install gpgv)", err)
	}
	return nil
}

func lastLine(out []byte) string {
	ls := strings.Split(strings.TrimSpace(string(bytes.TrimSpace(out))), "\n")
	return strings.TrimSpace(ls[len(ls)-1])
}
