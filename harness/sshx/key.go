package sshx

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Key is an ephemeral ed25519 key pair made for one run. The private half
// stays in memory unless a person asks to keep the guest (WritePrivate).
type Key struct {
	Signer        ssh.Signer
	AuthorizedKey string // one authorized_keys line, with comment
	private       ed25519.PrivateKey
}

// WritePrivate writes the private key in OpenSSH format, mode 0600, for
// ssh -i. Only for kept guests; never into reports.
func (k Key) WritePrivate(path string) error {
	block, err := ssh.MarshalPrivateKey(k.private, "")
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
}

// NewKey makes a fresh key whose authorized_keys line carries comment.
func NewKey(comment string) (Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, fmt.Errorf("generate ssh key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return Key{}, fmt.Errorf("ssh signer: %w", err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	if comment != "" {
		line += " " + comment
	}
	return Key{Signer: signer, AuthorizedKey: line, private: priv}, nil
}
