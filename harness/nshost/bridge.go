package nshost

import (
	"io"
	"net"
	"sync"
)

// bridge listens on 127.0.0.1 of the host and copies each connection to
// and from a Unix socket: the only way in to the namespace's sshd.
type bridge struct {
	ln    net.Listener
	sock  string
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	done  bool
}

func listenBridge(sock string) (*bridge, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &bridge{ln: ln, sock: sock, conns: map[net.Conn]struct{}{}}
	b.wg.Add(1)
	go b.serve()
	return b, nil
}

func (b *bridge) addr() string { return b.ln.Addr().String() }

func (b *bridge) serve() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.wg.Add(1)
		go b.pipe(c)
	}
}

// pipe copies c to a fresh connection to the socket and back, passing on
// each side's end of writing, until both directions are done.
func (b *bridge) pipe(c net.Conn) {
	defer b.wg.Done()
	defer c.Close()
	if !b.track(c) {
		return
	}
	defer b.untrack(c)
	u, err := net.Dial("unix", b.sock)
	if err != nil {
		return
	}
	defer u.Close()
	if !b.track(u) {
		return
	}
	defer b.untrack(u)
	up := make(chan struct{})
	go func() {
		defer close(up)
		_, _ = io.Copy(u, c)
		_ = u.(*net.UnixConn).CloseWrite()
	}()
	_, _ = io.Copy(c, u)
	_ = c.(*net.TCPConn).CloseWrite()
	<-up
}

// track records an open connection so close can end it; false (and the
// connection closed) once the bridge is closed.
func (b *bridge) track(c net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		_ = c.Close()
		return false
	}
	b.conns[c] = struct{}{}
	return true
}

func (b *bridge) untrack(c net.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.conns, c)
}

// close stops listening, ends every open connection and waits for the
// copies to finish.
func (b *bridge) close() error {
	err := b.ln.Close()
	b.mu.Lock()
	b.done = true
	for c := range b.conns {
		_ = c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
	return err
}
