package nshost

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// pids lists the numeric entries of /proc.
func pids() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// parentOf reads a process's parent PID from /proc/PID/stat, or -1.
func parentOf(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// pid (comm) state ppid ...; comm may hold anything but ends at the last ')'.
	rest := string(data[strings.LastIndexByte(string(data), ')')+1:])
	f := strings.Fields(rest)
	if len(f) < 2 {
		return -1
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return -1
	}
	return ppid
}

// childOf is the PID of a child of ppid, or 0 if it has none (yet).
func childOf(ppid int) int {
	for _, pid := range pids() {
		if parentOf(pid) == ppid {
			return pid
		}
	}
	return 0
}

// inNetns lists the processes whose network namespace is netns (as
// /proc/PID/ns/net reads, "net:[inode]").
func inNetns(netns string) []int {
	var out []int
	for _, pid := range pids() {
		if ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid)); err == nil && ns == netns {
			out = append(out, pid)
		}
	}
	return out
}

// waitGone waits until no process is left in netns; the kernel ends a PID
// namespace's processes after its PID 1 dies, not at once.
func waitGone(netns string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		left := inNetns(netns)
		if len(left) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v still in %s after %s", left, netns, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
