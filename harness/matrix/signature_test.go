package matrix

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gpg makes a throwaway key and signs with it, as a distro's release
// tooling would; gpgv then verifies exactly as imagegate does.
func gpg(t *testing.T, home string, args ...string) {
	t.Helper()
	cmd := exec.Command("gpg", append([]string{"--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", ""}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gpg %v: %v\n%s", args, err, out)
	}
}

func TestVerifySignature(t *testing.T) {
	for _, tool := range []string{"gpg", "gpgv"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	home := filepath.Join(dir, "gnupg")
	os.Mkdir(home, 0o700)
	gpg(t, home, "--quick-gen-key", "imagegate test <test@imagegate.invalid>", "ed25519", "sign", "never")
	keyring := filepath.Join(dir, "keyring.gpg")
	gpg(t, home, "--output", keyring, "--export", "test@imagegate.invalid")
	sums := filepath.Join(dir, "SHA256SUMS")
	os.WriteFile(sums, []byte(strings.Repeat("a", 64)+"  img.qcow2\n"), 0o644)
	gpg(t, home, "--detach-sign", "--output", sums+".sig", sums)

	im := Image{Name: "x", Arch: "x86_64", Checksums: sums, Signature: sums + ".sig", Keyring: keyring}
	if err := im.VerifySignature(context.Background()); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	os.WriteFile(sums, []byte(strings.Repeat("b", 64)+"  img.qcow2\n"), 0o644)
	err := im.VerifySignature(context.Background())
	if err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("tampered checksums: %v", err)
	}
	if _, err := Parse("m.yaml", []byte(good+"    signature: s.sig\n")); err == nil || !strings.Contains(err.Error(), "keyring") {
		t.Errorf("signature without keyring: %v", err)
	}
}
