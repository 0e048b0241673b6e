package sshx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/imagegate/imagegate/harness/remote"
)

// ErrHostKeyUnknown means the guest offered a key whose fingerprint is not
// among the announced ones, or none were announced yet.
var ErrHostKeyUnknown = errors.New("ssh host key not among the announced fingerprints")

// Config says where and as whom to connect, and which host keys to trust.
type Config struct {
	Addr string // 127.0.0.1:port
	User string
	Key  Key
	// Fingerprints returns the SHA256 fingerprints the guest announced out
	// of band. It is asked again on every attempt, so a guest still booting
	// is waited for.
	Fingerprints func() []string
	// DialTimeout bounds one attempt (TCP connect plus handshake).
	DialTimeout time.Duration
	// Log, when set, is told about each failed attempt.
	Log func(format string, args ...any)
	// ConfirmLater lets the connection start before the guest announced
	// any fingerprint: the offered key is then taken provisionally, and
	// nothing read over the connection may be trusted until Confirm has
	// matched it against the announcement. Once anything is announced the
	// key must be among it, as without this option. (sshd answers well
	// before cloud-init prints the fingerprints, late in its final stage.)
	ConfirmLater bool
}

// Client is one SSH connection to a guest.
type Client struct {
	cfg       Config
	mu        sync.Mutex
	c         *ssh.Client
	hostKey   ssh.PublicKey
	confirmed bool // hostKey is among the announced fingerprints
}

var _ remote.Runner = (*Client)(nil)

// Wait dials until the guest answers with a trusted host key and accepts
// our key, backing off between attempts, until ctx ends.
func Wait(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = 20 * time.Second
	}
	delay := 500 * time.Millisecond
	var last error
	for attempt := 1; ; attempt++ {
		c, key, confirmed, err := dial(ctx, cfg)
		if err == nil {
			return &Client{cfg: cfg, c: c, hostKey: key, confirmed: confirmed}, nil
		}
		last = err
		if cfg.Log != nil && attempt%10 == 0 {
			cfg.Log("ssh %s: attempt %d: %v", cfg.Addr, attempt, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("ssh %s@%s not reachable after %d attempts: %w (last error: %v)", cfg.User, cfg.Addr, attempt, ctx.Err(), last)
		case <-time.After(delay):
		}
		delay = min(delay*3/2, 2*time.Second)
	}
}

// dial makes one connection; confirmed is false when the host key was
// taken provisionally (Config.ConfirmLater, nothing announced yet).
func dial(ctx context.Context, cfg Config) (c *ssh.Client, hostKey ssh.PublicKey, confirmed bool, err error) {
	verify := verifyAgainst(cfg.Fingerprints)
	cc := &ssh.ClientConfig{
		User: cfg.User,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(cfg.Key.Signer)},
		HostKeyCallback: func(h string, a net.Addr, k ssh.PublicKey) error {
			hostKey = k
			err := verify(h, a, k)
			confirmed = err == nil
			if errors.Is(err, errNoneAnnounced) && cfg.ConfirmLater {
				return nil
			}
			return err
		},
		Timeout: cfg.DialTimeout,
	}
	dctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, nil, false, err
	}
	// The handshake has no context: bound it with a deadline on the conn.
	deadline, _ := dctx.Deadline()
	conn.SetDeadline(deadline)
	sc, chans, reqs, err := ssh.NewClientConn(conn, cfg.Addr, cc)
	if err != nil {
		conn.Close()
		return nil, nil, false, err
	}
	conn.SetDeadline(time.Time{})
	return ssh.NewClient(sc, chans, reqs), hostKey, confirmed, nil
}

// errNoneAnnounced is ErrHostKeyUnknown before any fingerprint is known.
var errNoneAnnounced = fmt.Errorf("%w: none announced yet", ErrHostKeyUnknown)

// verifyAgainst trusts exactly the keys whose fingerprints are announced.
func verifyAgainst(fps func() []string) ssh.HostKeyCallback {
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		var known []string
		if fps != nil {
			known = fps()
		}
		fp := ssh.FingerprintSHA256(key)
		if slices.Contains(known, fp) {
			return nil
		}
		if len(known) == 0 {
			return fmt.Errorf("%w: guest offered %s %s", errNoneAnnounced, key.Type(), fp)
		}
		return fmt.Errorf("%w: guest offered %s %s, announced %v", ErrHostKeyUnknown, key.Type(), fp, known)
	}
}

// Close ends the connection.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.c == nil {
		return nil
	}
	err := c.c.Close()
	c.c = nil
	if errors.Is(err, net.ErrClosed) {
		return nil // the guest or a timeout closed it already
	}
	return err
}

// Confirmed says whether the connection's host key is among the announced
// fingerprints (always, unless Config.ConfirmLater let it start early).
func (c *Client) Confirmed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.confirmed
}

// Confirm waits until the guest announces its fingerprints and checks that
// the key this connection was made with is among them; from then on every
// new connection must offer an announced key. A key that is not announced
// is an ErrHostKeyUnknown at once; an announcement that never comes is
// ctx's error.
func (c *Client) Confirm(ctx context.Context) error {
	verify := verifyAgainst(c.cfg.Fingerprints)
	for {
		c.mu.Lock()
		key, done := c.hostKey, c.confirmed
		c.mu.Unlock()
		if done {
			return nil
		}
		if key == nil {
			return errors.New("ssh: not connected")
		}
		err := verify(c.cfg.Addr, nil, key)
		if err == nil {
			c.mu.Lock()
			if c.hostKey != nil && bytes.Equal(c.hostKey.Marshal(), key.Marshal()) { // not replaced by a Reconnect meanwhile
				c.confirmed, c.cfg.ConfirmLater = true, false
			}
			c.mu.Unlock()
			continue
		}
		if !errors.Is(err, errNoneAnnounced) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the guest never announced its host keys, so the key it offered (%s) cannot be confirmed: %w", ssh.FingerprintSHA256(key), ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// Reconnect drops the connection and waits for a new one (after a reboot).
func (c *Client) Reconnect(ctx context.Context) error {
	c.Close()
	n, err := Wait(ctx, c.cfg)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.c, c.hostKey, c.confirmed = n.c, n.hostKey, n.confirmed
	c.mu.Unlock()
	return nil
}

// KnownHostsLine is an OpenSSH known_hosts line for the verified host key,
// so a person can connect with ssh(1) with host key checking on.
func (c *Client) KnownHostsLine() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hostKey == nil {
		return ""
	}
	return knownhosts.Line([]string{knownhosts.Normalize(c.cfg.Addr)}, c.hostKey)
}

// Run runs cmd in a new session. When ctx ends first, the remote command is
// signalled and the session closed.
func (c *Client) Run(ctx context.Context, cmd string) (remote.Result, error) {
	return c.RunInput(ctx, cmd, nil)
}

// RunInput is Run with stdin fed from in (nil: none), e.g. to upload a
// file with "cat > PATH".
func (c *Client) RunInput(ctx context.Context, cmd string, in io.Reader) (remote.Result, error) {
	res := remote.Result{Command: cmd, ExitStatus: -1}
	c.mu.Lock()
	conn := c.c
	c.mu.Unlock()
	if conn == nil {
		return res, errors.New("ssh: not connected")
	}
	s, err := newSession(ctx, conn)
	if err != nil {
		return res, fmt.Errorf("ssh session for %q: %w", cmd, err)
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr, s.Stdin = &out, &errb, in
	done := make(chan error, 1)
	go func() { done <- s.Run(cmd) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		s.Signal(ssh.SIGKILL)
		s.Close()
		select { // let the session's copiers stop before reading the buffers
		case <-done:
			res.Stdout, res.Stderr = out.String(), errb.String()
		case <-time.After(5 * time.Second):
		}
		return res, fmt.Errorf("ssh: %q did not finish: %w", cmd, ctx.Err())
	}
	res.Stdout, res.Stderr = out.String(), errb.String()
	var exit *ssh.ExitError
	switch {
	case err == nil:
		res.ExitStatus = 0
	case errors.As(err, &exit):
		res.ExitStatus = exit.ExitStatus()
	default:
		return res, fmt.Errorf("ssh: %q: %w", cmd, err)
	}
	return res, nil
}

// newSession opens a session, or gives up when ctx ends: opening one waits
// for the guest's answer, which a hung guest never sends. Giving up closes
// the connection, which no later command could use either (Reconnect
// makes a new one).
func newSession(ctx context.Context, conn *ssh.Client) (*ssh.Session, error) {
	type opened struct {
		s   *ssh.Session
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		s, err := conn.NewSession()
		ch <- opened{s, err}
	}()
	select {
	case o := <-ch:
		return o.s, o.err
	case <-ctx.Done():
		conn.Close()
		return nil, fmt.Errorf("the guest did not answer: %w", ctx.Err())
	}
}
