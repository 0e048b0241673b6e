package guest

import (
	"strings"
	"sync"

	"github.com/imagegate/imagegate/harness/remote"
)

// The harness waits for cloud-init on every boot with `cloud-init status
// --wait`, which prints the status cloud-init finished with. That answer
// is kept, so checks can judge it without starting cloud-init's Python
// again: each start costs seconds of guest CPU under emulation.

// The waits Settle runs: JSON where cloud-init has it, else the text form
// every version has ("status: done", then the detail).
const (
	statusWaitJSON = "cloud-init status --wait --format json"
	statusWaitLong = "cloud-init status --wait --long"
)

// CloudInitStatus is what cloud-init's status command printed when Settle
// last returned.
type CloudInitStatus struct {
	Result remote.Result
	// JSON: Result.Stdout is `status --format json` output; else it is
	// `status --long` text (a cloud-init without JSON status).
	JSON bool
}

// formatRefused: the cloud-init has no --format option (argparse refused it).
func formatRefused(res remote.Result) bool {
	return res.ExitStatus != 0 && (strings.Contains(res.Stderr, "unrecognized arguments") ||
		strings.Contains(res.Stderr, "invalid choice"))
}

// settledStatus is what the wait of the last Settle printed.
type settledStatus struct {
	mu sync.Mutex
	st CloudInitStatus
	ok bool
}

func (s *settledStatus) set(st CloudInitStatus, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st, s.ok = st, ok
}

// CloudInitStatus is the status cloud-init finished with, as printed when
// the last Settle returned (after the first boot, or after the last
// reboot), read from the guest only once its host key was confirmed. ok
// is false until a Settle has returned, and again while a reboot is under
// way.
func (g *Guest) CloudInitStatus() (st CloudInitStatus, ok bool) {
	g.settled.mu.Lock()
	defer g.settled.mu.Unlock()
	return g.settled.st, g.settled.ok
}
