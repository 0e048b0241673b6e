package sshx

import (
	"context"
	"errors"
	"net"
	"time"

	"golang.org/x/crypto/ssh"
)

// OffersPassword reports whether the server at addr would accept password
// (or keyboard-interactive) authentication for user: it connects, verifies
// the host key like every connection, and offers those methods with a
// wrong password, noting whether the server asked for one.
func OffersPassword(ctx context.Context, addr, user string, fingerprints func() []string) (bool, error) {
	asked := false
	cfg := &ssh.ClientConfig{
		User: user,
		Auth: []ssh.AuthMethod{
			ssh.PasswordCallback(func() (string, error) { asked = true; return "imagegate-wrong-password", nil }),
			ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
				if len(qs) > 0 {
					asked = true
				}
				return make([]string, len(qs)), nil
			}),
		},
		HostKeyCallback: verifyAgainst(fingerprints),
		Timeout:         20 * time.Second,
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", addr)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	deadline, _ := dctx.Deadline()
	conn.SetDeadline(deadline)
	c, _, _, err := ssh.NewClientConn(conn, addr, cfg)
	if err == nil {
		c.Close()
		return true, errors.New("sshd accepted a wrong password")
	}
	if errors.Is(err, ErrHostKeyUnknown) {
		return false, err
	}
	return asked, nil
}
