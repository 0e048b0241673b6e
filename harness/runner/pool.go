package runner

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/imagegate/imagegate/harness/vm"
)

// hostPool hands out the hosts' slots to targets: each target takes a slot
// on the first of its placements (best first) whose host is up and has
// one free, and waits when every such host is busy. A host found down is
// never handed out again.
type hostPool struct {
	mu   sync.Mutex
	cond *sync.Cond
	used map[string]int
	cap  func(host string) int
	down map[string]string // host -> why
	// downURIs are the down hosts' URIs: the sweep does not wait for them.
	downURIs map[string]bool
}

func newHostPool(capacity func(string) int) *hostPool {
	hp := &hostPool{used: map[string]int{}, cap: capacity, down: map[string]string{}, downURIs: map[string]bool{}}
	hp.cond = sync.NewCond(&hp.mu)
	return hp
}

// acquire returns the placement whose slot the target now holds, or an
// error when none of its hosts is left (or ctx ended).
func (hp *hostPool) acquire(ctx context.Context, places []Placement) (Placement, error) {
	stop := context.AfterFunc(ctx, func() { hp.mu.Lock(); hp.cond.Broadcast(); hp.mu.Unlock() })
	defer stop()
	hp.mu.Lock()
	defer hp.mu.Unlock()
	for {
		if err := ctx.Err(); err != nil {
			return Placement{}, err
		}
		var downs []string
		for _, pl := range places {
			if why, ok := hp.down[pl.Host]; ok {
				downs = append(downs, pl.Host+": "+why)
				continue
			}
			if hp.used[pl.Host] < hp.cap(pl.Host) {
				hp.used[pl.Host]++
				return pl, nil
			}
		}
		if len(downs) == len(places) {
			return Placement{}, fmt.Errorf("no host that can run it is left: %s", strings.Join(downs, "; "))
		}
		hp.cond.Wait()
	}
}

func (hp *hostPool) release(host string) {
	hp.mu.Lock()
	hp.used[host]--
	hp.mu.Unlock()
	hp.cond.Broadcast()
}

// checkDown asks the host whether it still answers; one that does not is
// marked down (its waiting targets move on) and true is returned.
func (hp *hostPool) checkDown(pl Placement) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := vm.Open(pl.URI)
	if err == nil {
		err = d.Ping(ctx)
		d.Close()
	}
	if err == nil {
		return false
	}
	hp.mu.Lock()
	hp.down[pl.Host] = err.Error()
	hp.downURIs[pl.URI] = true
	hp.mu.Unlock()
	hp.cond.Broadcast()
	return true
}

// isDown reports whether a host of that URI was found down.
func (hp *hostPool) isDown(uri string) bool {
	hp.mu.Lock()
	defer hp.mu.Unlock()
	_, ok := hp.downURIs[uri]
	return ok
}
