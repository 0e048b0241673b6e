package runner

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/event"
)

// board shows a run's progress. Log lines are always printed as they come;
// on a terminal a status block below them (one line per target: phase and
// elapsed time) is redrawn every second, so a person can follow a long run.
type board struct {
	mu    sync.Mutex
	out   io.Writer
	tty   bool
	order []string
	rows  map[string]*status
	drawn int
	stop  chan struct{}
	done  chan struct{}
}

type status struct {
	phase   string
	started time.Time
	ended   time.Duration
	checks  int
}

func newBoard(out io.Writer, ids []string) *board {
	b := &board{out: out, tty: isTerminal(out), order: ids, rows: map[string]*status{},
		stop: make(chan struct{}), done: make(chan struct{})}
	for _, id := range ids {
		b.rows[id] = &status{phase: "queued"}
	}
	go b.tick()
	return b
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func (b *board) tick() {
	defer close(b.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			b.redraw()
			b.mu.Unlock()
		}
	}
}

// Printf prints a run-level line.
func (b *board) Printf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.print(fmt.Sprintf(format, args...))
}

// Line prints a target's line.
func (b *board) Line(id, line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.print("[" + id + "] " + line)
}

// Event moves a target's status on: its phase, its checks done.
func (b *board) Event(id string, e event.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r := b.rows[id]; r != nil {
		r.advance(e)
	}
}

// Start and Finish mark a target's beginning and verdict.
func (b *board) Start(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r := b.rows[id]; r != nil {
		r.phase, r.started = "starting", time.Now()
	}
}

func (b *board) Finish(id, verdict string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r := b.rows[id]; r != nil {
		r.phase, r.ended = verdict, time.Since(r.started)
	}
}

// Close stops redrawing and leaves the final status block on screen.
func (b *board) Close() {
	close(b.stop)
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	b.redraw()
	b.drawn = 0
}

// phases are what the board shows for each phase event.
var phases = map[string]string{
	event.Pinning:   "pinning the image",
	event.Booting:   "booting",
	event.SSHWait:   "booting: waiting for SSH",
	event.Settling:  "waiting for cloud-init",
	event.Checking:  "checking",
	event.Rebooting: "rebooting",
	event.Evidence:  "collecting evidence",
}

func (r *status) advance(e event.Event) {
	switch e.Kind {
	case event.Phase:
		if p, ok := phases[e.Phase]; ok {
			r.phase = p
		}
	case event.Check:
		if e.Fate == string(catalogue.NotSelected) {
			return
		}
		r.checks++
		r.phase = fmt.Sprintf("checking (%d done)", r.checks)
	}
}

func (b *board) print(line string) {
	if !b.tty {
		fmt.Fprintln(b.out, line)
		return
	}
	b.clear()
	fmt.Fprintln(b.out, line)
	b.redraw()
}

func (b *board) clear() {
	if b.drawn > 0 {
		fmt.Fprintf(b.out, "\x1b[%dA\x1b[J", b.drawn)
		b.drawn = 0
	}
}

func (b *board) redraw() {
	if !b.tty {
		return
	}
	b.clear()
	for _, id := range b.order {
		r := b.rows[id]
		el := r.ended
		if el == 0 && !r.started.IsZero() {
			el = time.Since(r.started)
		}
		fmt.Fprintf(b.out, "  %-28s %-32s %s\n", id, r.phase, el.Round(time.Second))
	}
	b.drawn = len(b.order)
}
