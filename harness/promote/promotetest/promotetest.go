// Package promotetest helps tests of signed production repos: a
// throwaway OpenPGP key, made with gpg in a private GNUPGHOME.
package promotetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// SigningKey makes a signing key without a passphrase in a private
// GNUPGHOME (set for the rest of the test, and for the processes it
// starts) and returns its user id, for --sign-key, and a keyring file of
// its public key, for --keyring. It skips the test when gpg or gpgv is
// missing outside CI, and fails it in CI (make host installs both).
func SigningKey(t testing.TB) (uid, keyring string) {
	t.Helper()
	for _, tool := range []string{"gpg", "gpgv"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s missing in CI: make host installs it", tool)
			}
			t.Skipf("%s not installed (make host installs it)", tool)
		}
	}
	home := t.TempDir()
	t.Setenv("GNUPGHOME", home)
	uid = "imagegate test <promote@example.org>"
	if out, err := exec.Command("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
		"--quick-gen-key", uid, "ed25519", "sign", "never").CombinedOutput(); err != nil {
		t.Fatalf("gpg --quick-gen-key: %v\n%s", err, out)
	}
	pub, err := exec.Command("gpg", "--export", uid).Output()
	if err != nil || len(pub) == 0 {
		t.Fatalf("gpg --export: %v", err)
	}
	keyring = filepath.Join(t.TempDir(), "pub.gpg")
	if err := os.WriteFile(keyring, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("gpgconf", "--kill", "all").Run() }) // gpg-agent of this GNUPGHOME
	return uid, keyring
}
