package sshx

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// testServer is a minimal in-process SSH server: "exit N" exits N, "echo X"
// prints X, "sleep" blocks until the session is closed.
func testServer(t *testing.T, client Key) (addr string, hostFP string) {
	t.Helper()
	return startServer(t, client, serve)
}

func startServer(t *testing.T, client Key, serve func(net.Conn, *ssh.ServerConfig)) (addr string, hostFP string) {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	hostSigner, _ := ssh.NewSignerFromKey(priv)
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
		if string(k.Marshal()) == string(client.Signer.PublicKey().Marshal()) {
			return nil, nil
		}
		return nil, errors.New("unknown key")
	}}
	cfg.AddHostKey(hostSigner)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go serve(c, cfg)
		}
	}()
	return l.Addr().String(), ssh.FingerprintSHA256(hostSigner.PublicKey())
}

func serve(c net.Conn, cfg *ssh.ServerConfig) {
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		ch, reqs, _ := nc.Accept()
		go func() {
			defer ch.Close()
			for r := range reqs {
				if r.Type != "exec" {
					r.Reply(false, nil)
					continue
				}
				r.Reply(true, nil)
				cmd := string(r.Payload[4:])
				code := 0
				switch {
				case strings.HasPrefix(cmd, "echo "):
					fmt.Fprintln(ch, strings.TrimPrefix(cmd, "echo "))
				case strings.HasPrefix(cmd, "exit "):
					fmt.Sscanf(cmd, "exit %d", &code)
					fmt.Fprintln(ch.Stderr(), "failing")
				case cmd == "cat":
					io.Copy(ch, ch)
				case cmd == "sleep":
					time.Sleep(10 * time.Second)
				}
				ch.SendRequest("exit-status", false, ssh.Marshal(struct{ C uint32 }{uint32(code)}))
				return
			}
		}()
	}
}

func TestRunAndVerify(t *testing.T) {
	key, err := NewKey("test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key.AuthorizedKey, "ssh-ed25519 ") || !strings.HasSuffix(key.AuthorizedKey, " test") {
		t.Errorf("authorized key line %q", key.AuthorizedKey)
	}
	addr, fp := testServer(t, key)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Wait(ctx, Config{Addr: addr, User: "u", Key: key, Fingerprints: func() []string { return []string{fp} }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if line := c.KnownHostsLine(); !strings.Contains(line, "ssh-ed25519 ") || !strings.HasPrefix(line, "[127.0.0.1]:") {
		t.Errorf("known_hosts line %q", line)
	}
	kp := filepath.Join(t.TempDir(), "id")
	if err := key.WritePrivate(kp); err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := os.ReadFile(kp)
	back, err := ssh.ParsePrivateKey(pemBytes)
	if err != nil || string(back.PublicKey().Marshal()) != string(key.Signer.PublicKey().Marshal()) {
		t.Errorf("written private key does not round-trip: %v", err)
	}
	if st, _ := os.Stat(kp); st.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v", st.Mode().Perm())
	}
	res, err := c.Run(ctx, "echo hello")
	if err != nil || res.Stdout != "hello\n" || res.ExitStatus != 0 {
		t.Errorf("echo: %+v %v", res, err)
	}
	res, err = c.RunInput(ctx, "cat", strings.NewReader("uploaded bytes"))
	if err != nil || res.Stdout != "uploaded bytes" {
		t.Errorf("cat with stdin: %+v %v", res, err)
	}
	res, err = c.Run(ctx, "exit 3")
	if err != nil || res.ExitStatus != 3 || res.Stderr != "failing\n" || res.OK() {
		t.Errorf("exit 3: %+v %v", res, err)
	}
	short, cancel2 := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel2()
	start := time.Now()
	if _, err := c.Run(short, "sleep"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timed-out command: err = %v", err)
	}
	if time.Since(start) > 8*time.Second {
		t.Errorf("timeout not honoured: took %v", time.Since(start))
	}
}

func TestWaitRejectsUnannouncedHostKey(t *testing.T) {
	key, _ := NewKey("")
	addr, _ := testServer(t, key)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := Wait(ctx, Config{Addr: addr, User: "u", Key: key,
		Fingerprints: func() []string { return []string{"SHA256:somethingelse"} }})
	if err == nil || !strings.Contains(err.Error(), "not among the announced") {
		t.Fatalf("Wait with a wrong fingerprint: %v", err)
	}
	_, err = Wait(ctx, Config{Addr: addr, User: "u", Key: key, Fingerprints: func() []string { return nil }})
	if err == nil {
		t.Fatal("Wait with no fingerprints announced succeeded")
	}
}

func TestWaitRejectsWrongClientKey(t *testing.T) {
	good, _ := NewKey("")
	bad, _ := NewKey("")
	addr, fp := testServer(t, good)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := Wait(ctx, Config{Addr: addr, User: "u", Key: bad, Fingerprints: func() []string { return []string{fp} }}); err == nil {
		t.Fatal("server accepted an unknown client key")
	}
}

// A guest that stops answering (its QEMU frozen) never replies to a
// session request: Run must still give up when its context ends.
func TestRunGivesUpOnAGuestThatDoesNotAnswer(t *testing.T) {
	key, err := NewKey("t")
	if err != nil {
		t.Fatal(err)
	}
	addr, fp := startServer(t, key, func(c net.Conn, cfg *ssh.ServerConfig) {
		_, chans, reqs, err := ssh.NewServerConn(c, cfg)
		if err != nil {
			return
		}
		go ssh.DiscardRequests(reqs)
		for range chans { // never accepted, never rejected
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Wait(ctx, Config{Addr: addr, User: "u", Key: key, Fingerprints: func() []string { return []string{fp} }})
	if err != nil {
		t.Fatal(err)
	}
	rctx, rcancel := context.WithTimeout(context.Background(), time.Second)
	defer rcancel()
	start := time.Now()
	_, err = c.Run(rctx, "echo hi")
	if err == nil || !strings.Contains(err.Error(), "did not answer") || time.Since(start) > 5*time.Second {
		t.Errorf("Run on a silent guest: %v after %s", err, time.Since(start))
	}
}

// With ConfirmLater the connection starts before any announcement, and
// Confirm decides: the announced key confirms it, another key refuses it,
// no announcement at all times out. An announcement already made is
// enforced at the handshake, as without the option.
func TestConfirmLater(t *testing.T) {
	key, _ := NewKey("")
	addr, fp := testServer(t, key)
	var announced atomic.Value
	announced.Store([]string(nil))
	fps := func() []string { return announced.Load().([]string) }
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Wait(ctx, Config{Addr: addr, User: "u", Key: key, Fingerprints: fps, ConfirmLater: true})
	if err != nil {
		t.Fatalf("Wait before any announcement: %v", err)
	}
	defer c.Close()
	if c.Confirmed() {
		t.Fatal("a key nobody announced counts as confirmed")
	}
	short, cancelShort := context.WithTimeout(ctx, 700*time.Millisecond)
	defer cancelShort()
	if err := c.Confirm(short); err == nil || !strings.Contains(err.Error(), "never announced") {
		t.Fatalf("Confirm without an announcement: %v", err)
	}

	announced.Store([]string{"SHA256:another"})
	if err := c.Confirm(ctx); !errors.Is(err, ErrHostKeyUnknown) {
		t.Fatalf("Confirm against another key: %v, want ErrHostKeyUnknown", err)
	}
	if _, err := Wait(short, Config{Addr: addr, User: "u", Key: key, Fingerprints: fps, ConfirmLater: true}); err == nil {
		t.Fatal("ConfirmLater let an unannounced key in after an announcement")
	}

	announced.Store([]string(nil))
	go func() { time.Sleep(300 * time.Millisecond); announced.Store([]string{fp}) }()
	if err := c.Confirm(ctx); err != nil || !c.Confirmed() {
		t.Fatalf("Confirm after the announcement: %v (confirmed %v)", err, c.Confirmed())
	}
}
