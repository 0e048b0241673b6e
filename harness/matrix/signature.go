package matrix

import (
	"context"
	"fmt"
	"os/exec"
	"time"

	"github.com/imagegate/imagegate/harness/textx"
)

// VerifySignature checks the detached signature of the image's checksums
// file with gpgv against the configured keyring, so a tampered SHA256SUMS
// cannot vouch for a tampered image. No signature configured is not an
// error; a signature without checksums or keyring is (caught at parse).
func (im Image) VerifySignature(ctx context.Context) error {
	if im.Signature == "" {
		return nil
	}
	if _, err := exec.LookPath("gpgv"); err != nil {
		return fmt.Errorf("image %s: a signature is configured but gpgv is missing: apt-get install gpgv", im.ID())
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "gpgv", "--keyring", im.Keyring, im.Signature, im.Checksums).CombinedOutput()
	if err != nil {
		return fmt.Errorf("image %s: signature %s does not verify %s with keyring %s: %s", im.ID(), im.Signature, im.Checksums, im.Keyring, textx.LastLine(string(out)))
	}
	return nil
}
