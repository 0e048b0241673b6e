package sshx

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Key is an ephemeral ed25519 key pair made for one run. The private half
// never leaves memory.
type Key struct {
	Signer        ssh.Signer
	AuthorizedKey string // one authorized_keys line, with comment
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
	return Key{Signer: signer, AuthorizedKey: line}, nil
}
